using System.Diagnostics;
using System.Text;

namespace Cartwise.Benchmarks;

/// <summary>
/// Sustained <c>POST /api/v1/track</c> against a real <c>cartwise serve</c> process on loopback, with single events
/// and with batches of 100, and the server's trivial endpoint (<c>/livez</c>) in the same run as the baseline.
/// Usage: <c>load-track [--seconds 20] [--concurrency 32] [--db FILE|connection string] [--during-import CODES]</c>
/// (<c>--during-import</c>: then tracking alone and during an import of that many coupon codes).
/// </summary>
public static class TrackLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = int.Parse(BenchArgs.Get(args, "--seconds") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
        var concurrency = int.Parse(BenchArgs.Get(args, "--concurrency") ?? "32", System.Globalization.CultureInfo.InvariantCulture);
        var dir = Directory.CreateTempSubdirectory("cartwise-load-").FullName;
        var db = BenchArgs.Get(args, "--db") ?? Path.Combine(dir, "load.db");
        const int port = 5391;
        var dll = Path.Combine(AppContext.BaseDirectory, "Cartwise.dll");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "serve", "--demo", "--urls", $"http://127.0.0.1:{port}", "--db", db }) psi.ArgumentList.Add(a);
        using var server = Process.Start(psi)!;
        try
        {
            while ((await server.StandardOutput.ReadLineAsync())?.Contains("Cartwise on", StringComparison.Ordinal) != true)
                if (server.HasExited) throw new InvalidOperationException(await server.StandardError.ReadToEndAsync());
            _ = server.StandardOutput.ReadToEndAsync();
            _ = server.StandardError.ReadToEndAsync();

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Add("X-Cartwise-Key", "demo-tracking-key");
            // One load client on loopback: the storefront's per-address limit would measure itself, not the engine.
            using (var limits = new HttpRequestMessage(HttpMethod.Put, "/api/v1/store/storefront")
            {
                Content = new StringContent("""{"allowedOrigins":[],"clientRequestsPerMinute":0,"keyRequestsPerMinute":0}""", Encoding.UTF8, "application/json"),
            })
            {
                limits.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "demo-admin-key");
                (await http.SendAsync(limits)).EnsureSuccessStatusCode();
            }
            var duration = TimeSpan.FromSeconds(seconds);
            var run = Guid.NewGuid().ToString("N")[..8];

            // Warm-up: JIT, connection pool, SQLite page cache.
            await LoadClient.RunAsync("warm-up", http, concurrency, TimeSpan.FromSeconds(3), 1, n => Track(Single(run + "w", n)));

            var trivial = await LoadClient.RunAsync("GET /livez (trivial)", http, concurrency, duration, 0, _ => new HttpRequestMessage(HttpMethod.Get, "/livez"));
            var single = await LoadClient.RunAsync("track, 1 event", http, concurrency, duration, 1, n => Track(Single(run + "s", n)));
            var batch = await LoadClient.RunAsync("track, batch of 100", http, Math.Max(2, concurrency / 4), duration, 100, n => Track(Batch(run + "b", n, 100)));
            LoadClient.Print([trivial, single, batch], trivial);
            Console.WriteLine($"\nserver: {Environment.ProcessorCount} cores, database {db}, {concurrency} concurrent clients ({Math.Max(2, concurrency / 4)} for batches), {seconds} s per phase");
            if (BenchArgs.Get(args, "--during-import") is { } codes)
                await DuringImportAsync(http, int.Parse(codes, System.Globalization.CultureInfo.InvariantCulture), duration, run);
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Tracking's latency at a storefront's pace (4 clients) alone, then while the admin API imports
    /// <paramref name="codes"/> coupon codes in one request: the import commits in chunks, so tracking waits at most one.
    /// </summary>
    private static async Task DuringImportAsync(HttpClient http, int codes, TimeSpan duration, string run)
    {
        HttpRequestMessage Admin(HttpMethod method, string path, HttpContent content)
        {
            var m = new HttpRequestMessage(method, path) { Content = content };
            m.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "demo-admin-key");
            return m;
        }
        var alone = await LoadClient.RunAsync("track, 1 event (4 clients), alone", http, 4, duration, 1, n => Track(Single(run + "a", n)));
        using var created = await http.SendAsync(Admin(HttpMethod.Post, "/api/v1/coupon-pools", new StringContent($$"""{"name":"bench-{{run}}"}""", Encoding.UTF8, "application/json")));
        var pool = System.Text.Json.JsonDocument.Parse(await created.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        var csv = string.Join('\n', Enumerable.Range(0, codes).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run[..4]}-{i:D7}")));
        var importTime = Stopwatch.StartNew();
        var import = Task.Run(async () =>
        {
            using var r = await http.SendAsync(Admin(HttpMethod.Post, $"/api/v1/coupon-pools/{pool}/import?header=false", new StringContent(csv, Encoding.UTF8, "text/csv")));
            r.EnsureSuccessStatusCode();
            return importTime.Elapsed.TotalSeconds;
        });
        var during = await LoadClient.RunAsync($"track, 1 event (4 clients), during a {codes:N0}-code import", http, 4, duration, 1, n => Track(Single(run + "d", n)));
        var seconds = await import;
        Console.WriteLine();
        LoadClient.Print([alone, during], alone);
        Console.WriteLine($"\nimport of {codes:N0} coupon codes: {seconds:0.0} s; tracking measured for {duration.TotalSeconds:0} s from its start");
    }

    private static HttpRequestMessage Track(string json) =>
        new(HttpMethod.Post, "/api/v1/track") { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    // A realistic mix: mostly views and carts of a 2,000-product catalogue by 5,000 visitors, some purchases.
    private static string Single(string run, long n)
    {
        var visitor = n % 5000;
        var product = n * 7919 % 2000;
        return (n % 10) switch
        {
            0 => $$"""{"event_id":"{{run}}-{{n}}","name":"purchase","anonymous_id":"v{{visitor}}","email":"c{{visitor}}@example.com","transaction_id":"{{run}}-T{{n}}","currency":"GBP","items":[{"item_id":"P{{product}}","item_name":"Product {{product}}","item_category":"Home > Kitchen","price":4.95,"quantity":2},{"item_id":"P{{(product + 1) % 2000}}","price":2.5,"quantity":1}]}""",
            < 4 => $$"""{"event_id":"{{run}}-{{n}}","name":"add_to_cart","anonymous_id":"v{{visitor}}","items":[{"item_id":"P{{product}}","item_name":"Product {{product}}","price":4.95,"quantity":1}]}""",
            _ => $$"""{"event_id":"{{run}}-{{n}}","name":"view_item","anonymous_id":"v{{visitor}}","items":[{"item_id":"P{{product}}","item_name":"Product {{product}}","item_category":"Home > Kitchen","price":4.95}]}""",
        };
    }

    private static string Batch(string run, long n, int size)
    {
        var sb = new StringBuilder("{\"events\":[");
        for (var i = 0; i < size; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Single(run, n * size + i));
        }
        return sb.Append("]}").ToString();
    }
}
