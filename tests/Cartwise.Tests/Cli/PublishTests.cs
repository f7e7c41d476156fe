using System.Diagnostics;
using System.Net;
using Cartwise.Hosting;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;

namespace Cartwise.Tests.Cli;

/// <summary>The installable command: <c>scripts/publish.sh</c>'s self-contained single file starts the demo on a machine's own.</summary>
public sealed class PublishTests
{
    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cartwise.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("The repository root (Cartwise.slnx) was not found.");
        }
    }

    [Fact]
    public async Task PublishedSingleFile_ServesTheDemo_ToAReadyState()
    {
        var output = Directory.CreateTempSubdirectory("cartwise-publish-").FullName;
        var publish = new ProcessStartInfo("bash") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["scripts/publish.sh", output, "self-contained"]) publish.ArgumentList.Add(a);
        using (var p = Process.Start(publish)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token);
            Assert.True(p.ExitCode == 0, await stdout + await stderr);
        }
        var executable = Path.Combine(output, "linux-x64", "cartwise");
        Assert.Equal([executable], Directory.GetFileSystemEntries(Path.Combine(output, "linux-x64"))); // one file, nothing beside it

        var work = Directory.CreateTempSubdirectory("cartwise-installed-").FullName;
        var port = TestApp.FreePort();
        var run = new ProcessStartInfo(executable) { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["serve", "--demo", "--demo-traffic", "off", "--urls", $"http://127.0.0.1:{port}"]) run.ArgumentList.Add(a);
        run.Environment.Remove("CARTWISE_DB");
        run.Environment["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.Combine(work, "bundle");
        using var server = Process.Start(run)!;
        try
        {
            while (await server.StandardOutput.ReadLineAsync() is { } line && !line.Contains("Cartwise on", StringComparison.Ordinal)) { }
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            http.DefaultRequestHeaders.Add(KeyAuth.TrackingHeader, StoreKeys.DemoTrackingKey);
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"p"}]}""")).StatusCode);
            // Ready once the workers have loaded the demo's model.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            var ready = await http.GetAsync("/readyz", patience.Token);
            while (ready.StatusCode != HttpStatusCode.OK && await every.WaitForNextTickAsync(patience.Token)) ready = await http.GetAsync("/readyz", patience.Token);
            Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            Assert.True(File.Exists(Path.Combine(work, "cartwise.db")));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(output, recursive: true);
        }
    }
}
