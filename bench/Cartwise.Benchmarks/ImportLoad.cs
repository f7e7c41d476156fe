using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cartwise.Benchmarks;

/// <summary>
/// Tracking while an import runs: for each kind of import, tracking at a storefront's pace (4 clients, single events)
/// alone, then for as long as the import takes, in the same run; the first is the baseline of the second. Orders and
/// events are imported by <c>cartwise import</c> processes on the same database (as an operator would), the feed and
/// the coupon codes through the admin API of the running server.
/// Usage: <c>load-imports [--db FILE|postgres://…] [--orders online_retail.csv.gz] [--events 200000] [--feed 200000]
/// [--codes 1000000] [--seconds 5] [--only orders,events,feed,coupons]</c>
/// </summary>
public static class ImportLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Int(string name, int fallback) => int.Parse(BenchArgs.Get(args, name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var seconds = TimeSpan.FromSeconds(Int("--seconds", 5));
        var only = (BenchArgs.Get(args, "--only") ?? "orders,events,feed,coupons").Split(',');
        var dir = BenchArgs.TempDirectory("cartwise-imports-");
        var db = BenchArgs.Get(args, "--db") ?? Path.Combine(dir, "load.db");
        await using var server = await BenchServer.StartAsync(dir, db, 5392);
        var http = server.Http;
        var created = JsonDocument.Parse(await BenchServer.RunAsync(dir, "store", "create", "bench", "--currency", "GBP", "--time-zone", "Europe/London", "--db", db, "--json")).RootElement;
        var benchKey = created.GetProperty("adminKey").GetString()!;
        var run = Guid.NewGuid().ToString("N")[..8];
        await LoadClient.RunAsync("warm-up", http, 4, TimeSpan.FromSeconds(3), 1, n => TrackLoad.Track(TrackLoad.Single(run + "w", n)));

        var rows = new List<string>();
        async Task MeasureAsync(string label, long importRows, Func<Task> import)
        {
            var alone = await LoadClient.RunAsync($"{label}: tracking alone", http, 4, seconds, 1, n => TrackLoad.Track(TrackLoad.Single(run + label + "a", n)));
            var watch = Stopwatch.StartNew();
            var task = Task.Run(import);
            var during = await LoadClient.RunAsync($"{label}: tracking during", http, 4, 1, n => TrackLoad.Track(TrackLoad.Single(run + label + "d", n)), _ => task.IsCompleted);
            await task;
            var took = watch.Elapsed.TotalSeconds;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {importRows:N0} | {took:F1} | {importRows / took:N0} | {alone.P99Ms:F2} | {during.P99Ms:F2} | {during.P50Ms:F2} | {during.RequestsPerSecond / alone.RequestsPerSecond:P0} | {during.Errors} |"));
            Console.WriteLine(rows[^1]);
        }

        if (only.Contains("orders") && BenchArgs.Get(args, "--orders") is { } orders)
        {
            var lines = CountLines(orders) - 1;
            await MeasureAsync("orders (cartwise import orders)", lines, () => BenchServer.RunAsync(dir, "import", "orders", Path.GetFullPath(orders), "--store", "bench", "--format", "online-retail", "--db", db));
        }
        if (only.Contains("events"))
        {
            var count = Int("--events", 200_000);
            var file = Path.Combine(dir, "events.jsonl");
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, count).Select(i => TrackLoad.Single("imp" + run, i)));
            await MeasureAsync("events (cartwise import events)", count, () => BenchServer.RunAsync(dir, "import", "events", file, "--store", "bench", "--db", db));
        }
        if (only.Contains("feed"))
        {
            var count = Int("--feed", 200_000);
            var file = Path.Combine(dir, "feed.xml");
            WriteFeed(file, count);
            await MeasureAsync("feed (POST /api/v1/feeds/upload)", count, async () =>
            {
                await using var body = File.OpenRead(file);
                using var content = new StreamContent(body);
                content.Headers.ContentType = new("application/xml");
                using var r = await http.SendAsync(BenchServer.Admin(HttpMethod.Post, "/api/v1/feeds/upload?format=xml", benchKey, content));
                r.EnsureSuccessStatusCode();
            });
        }
        if (only.Contains("coupons"))
        {
            var codes = Int("--codes", 1_000_000);
            using var pool = await http.SendAsync(BenchServer.Admin(HttpMethod.Post, "/api/v1/coupon-pools", benchKey, new StringContent($$"""{"name":"bench-{{run}}"}""", Encoding.UTF8, "application/json")));
            var id = JsonDocument.Parse(await pool.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            var csv = string.Join('\n', Enumerable.Range(0, codes).Select(i => string.Create(CultureInfo.InvariantCulture, $"{run[..4]}-{i:D7}")));
            await MeasureAsync("coupon codes (POST /api/v1/coupon-pools/{id}/import)", codes, async () =>
            {
                using var r = await http.SendAsync(BenchServer.Admin(HttpMethod.Post, $"/api/v1/coupon-pools/{id}/import?header=false", benchKey, new StringContent(csv, Encoding.UTF8, "text/csv")));
                r.EnsureSuccessStatusCode();
            });
        }

        Console.WriteLine();
        Console.WriteLine("| import | rows | seconds | rows/s | tracking p99 ms alone | p99 ms during | p50 ms during | tracking requests/s during vs alone | errors |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows) Console.WriteLine(r);
        Console.WriteLine($"\n{Environment.ProcessorCount} cores, database {(db.StartsWith("postgres", StringComparison.Ordinal) ? "PostgreSQL" : "SQLite")}; tracking: 4 clients sending single events; alone for {seconds.TotalSeconds:0} s right before each import");
        return 0;
    }

    private static long CountLines(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : (Stream)file;
        using var reader = new StreamReader(stream);
        long n = 0;
        while (reader.ReadLine() is not null) n++;
        return n;
    }

    /// <summary>A Merchant Center feed of <paramref name="count"/> products with long-ish texts, in a hundred categories.</summary>
    private static void WriteFeed(string path, int count)
    {
        using var w = new StreamWriter(path);
        w.Write("""<?xml version="1.0"?><rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>bench</title>""");
        for (var i = 0; i < count; i++)
            w.Write(string.Create(CultureInfo.InvariantCulture,
                $"<item><g:id>F{i}</g:id><g:title>Product {i} with a reasonably long descriptive title</g:title><g:description>Description of product {i}, long enough to look like a real one.</g:description><g:link>https://shop.example/p/{i}</g:link><g:image_link>https://shop.example/i/{i}.jpg</g:image_link><g:price>{i % 500 + 0.99:F2} GBP</g:price><g:availability>in stock</g:availability><g:brand>Brand {i % 50}</g:brand><g:product_type>Department {i % 10} &gt; Aisle {i % 100}</g:product_type></item>\n"));
        w.Write("</channel></rss>");
    }
}
