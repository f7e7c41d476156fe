using System.Diagnostics;
using System.Text;

namespace Cartwise.Benchmarks;

/// <summary>
/// A real <c>cartwise serve --demo</c> process of this build (its Cartwise.dll beside the benchmarks), started on a
/// database and a port, with the storefront's rate limits off (one load client on loopback would measure the limit).
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly Process _process;

    public HttpClient Http { get; }
    public string Database { get; }

    private BenchServer(Process process, HttpClient http, string database) => (_process, Http, Database) = (process, http, database);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Cartwise.dll");

    /// <summary>A <c>dotnet Cartwise.dll …</c> process in <paramref name="dir"/>, its output read (and dropped) unless asked for.</summary>
    public static ProcessStartInfo Command(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs a cartwise command to its end; throws with its error output when it fails.</summary>
    public static async Task<string> RunAsync(string dir, params string[] args)
    {
        using var p = Process.Start(Command(dir, args))!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"cartwise {string.Join(' ', args)}: {await error}");
        return await output;
    }

    public static async Task<BenchServer> StartAsync(string dir, string database, int port, int clients = 64)
    {
        var process = Process.Start(Command(dir, "serve", "--demo", "--urls", $"http://127.0.0.1:{port}", "--db", database))!;
        while ((await process.StandardOutput.ReadLineAsync())?.Contains("Cartwise on", StringComparison.Ordinal) != true)
            if (process.HasExited) throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("X-Cartwise-Key", "demo-tracking-key");
        using (var limits = Admin(HttpMethod.Put, "/api/v1/store/storefront", "demo-admin-key",
            new StringContent("""{"allowedOrigins":[],"clientRequestsPerMinute":0,"keyRequestsPerMinute":0}""", Encoding.UTF8, "application/json")))
            (await http.SendAsync(limits)).EnsureSuccessStatusCode();
        return new BenchServer(process, http, database);
    }

    /// <summary>A request with a store's admin key.</summary>
    public static HttpRequestMessage Admin(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        var m = new HttpRequestMessage(method, path) { Content = content };
        m.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return m;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
