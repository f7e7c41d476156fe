using System.Text;

namespace Cartwise.Benchmarks;

/// <summary>
/// Sustained <c>POST /api/v1/track</c> against a real <c>cartwise serve</c> process on loopback, with single events
/// and with batches of 100, and the server's trivial endpoint (<c>/livez</c>) in the same run as the baseline.
/// Usage: <c>load-track [--seconds 20] [--concurrency 32] [--db FILE|connection string]</c>
/// (<c>load-imports</c> measures tracking during each kind of import).
/// </summary>
public static class TrackLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = int.Parse(BenchArgs.Get(args, "--seconds") ?? "20", System.Globalization.CultureInfo.InvariantCulture);
        var concurrency = int.Parse(BenchArgs.Get(args, "--concurrency") ?? "32", System.Globalization.CultureInfo.InvariantCulture);
        var dir = BenchArgs.TempDirectory("cartwise-load-");
        var db = BenchArgs.Get(args, "--db") ?? Path.Combine(dir, "load.db");
        await using var server = await BenchServer.StartAsync(dir, db, 5391, concurrency * 2);
        var http = server.Http;
        var duration = TimeSpan.FromSeconds(seconds);
        var run = Guid.NewGuid().ToString("N")[..8];

        // Warm-up of both request shapes: connection pool, page cache, and the JIT, whose tiered recompilation of the hot
        // paths still took 14% of the server's CPU in the single-event phase after a 3-second warm-up.
        await LoadClient.RunAsync("warm-up", http, concurrency, TimeSpan.FromSeconds(5), 1, n => Track(Single(run + "w", n)));
        await LoadClient.RunAsync("warm-up", http, Math.Max(2, concurrency / 4), TimeSpan.FromSeconds(5), 100, n => Track(Batch(run + "v", n, 100)));

        var trivial = await LoadClient.RunAsync("GET /livez (trivial)", http, concurrency, duration, 0, _ => new HttpRequestMessage(HttpMethod.Get, "/livez"));
        var single = await LoadClient.RunAsync("track, 1 event", http, concurrency, duration, 1, n => Track(Single(run + "s", n)));
        var batch = await LoadClient.RunAsync("track, batch of 100", http, Math.Max(2, concurrency / 4), duration, 100, n => Track(Batch(run + "b", n, 100)));
        LoadClient.Print([trivial, single, batch], trivial);
        Console.WriteLine($"\nserver: {Environment.ProcessorCount} cores, database {db}, {concurrency} concurrent clients ({Math.Max(2, concurrency / 4)} for batches), {seconds} s per phase");
        return 0;
    }

    internal static HttpRequestMessage Track(string json) =>
        new(HttpMethod.Post, "/api/v1/track") { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    // A realistic mix: mostly views and carts of a 2,000-product catalogue by 5,000 visitors, some purchases.
    internal static string Single(string run, long n)
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
