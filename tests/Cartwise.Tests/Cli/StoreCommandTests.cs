using System.Net;
using System.Text.Json;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Cli;

public sealed class StoreCommandTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task StoreCreateJson_PrintsKeysThatWork_AndStoresOnlyTheirHashes(Engine engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        var dir = Directory.CreateTempSubdirectory("cartwise-cli-").FullName;
        var dbArg = engine == Engine.Sqlite ? Path.Combine(dir, "shop.db") : database.Target.ConnectionString;

        var run = await CartwiseProcess.RunAsync(dir, "store", "create", "my-shop", "--json", "--db", dbArg, "--currency", "PLN", "--country", "PL");

        Assert.True(run.ExitCode == 0, run.StdErr);
        var json = JsonDocument.Parse(run.StdOut).RootElement;
        Assert.Equal("my-shop", json.GetProperty("slug").GetString());
        var tracking = json.GetProperty("trackingKey").GetString()!;
        var admin = json.GetProperty("adminKey").GetString()!;
        Assert.True(Convert.FromBase64String(tracking[4..].Replace('-', '+').Replace('_', '/') + "=").Length >= 32);
        Assert.NotEqual(tracking, admin);
        await using var db = Cartwise.Data.DatabaseTarget.Parse(dbArg).CreateContext();
        var store = await db.Stores.SingleAsync();
        Assert.Equal(json.GetProperty("storeId").GetInt64(), store.Id);
        Assert.Equal(StoreKeys.Hash(tracking), store.TrackingKeyHash);
        Assert.Equal(StoreKeys.Hash(admin), store.AdminKeyHash);
        if (engine == Engine.Sqlite)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var bytes = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(dbArg));
            Assert.DoesNotContain(tracking, bytes, StringComparison.Ordinal);
            Assert.DoesNotContain(admin, bytes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StoreCreate_UsesCartwiseDbInTheWorkingDirectoryByDefault_AndRefusesADuplicateSlug()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-cli-").FullName;

        var first = await CartwiseProcess.RunAsync(dir, "store", "create", "shop");
        var second = await CartwiseProcess.RunAsync(dir, "store", "create", "shop");
        var bad = await CartwiseProcess.RunAsync(dir, "store", "create", "Bad Slug!");

        Assert.Equal(0, first.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "cartwise.db")));
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("already exists", second.StdErr);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Slug", bad.StdErr);
    }

    [Fact]
    public async Task ServeDemo_ListensWithTheDocumentedKeys()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-serve-").FullName;
        var port = TestApp.FreePort();
        using var server = System.Diagnostics.Process.Start(CartwiseProcess.StartInfo(dir, ["serve", "--demo", "--urls", $"http://127.0.0.1:{port}"]))!;
        try
        {
            var firstLine = "";
            while (!firstLine.Contains("Cartwise on", StringComparison.Ordinal))
                firstLine = await server.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("serve exited: " + await server.StandardError.ReadToEndAsync());
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Add("X-Cartwise-Key", StoreKeys.DemoTrackingKey);
            http.DefaultRequestHeaders.Authorization = new("Bearer", StoreKeys.DemoAdminKey);

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"p"}]}""")).StatusCode);
            Assert.Equal("demo", (await http.GetJsonAsync("/api/v1/store")).GetProperty("slug").GetString());
            Assert.True(File.Exists(Path.Combine(dir, "cartwise.db")));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
