using System.Diagnostics;

namespace Cartwise.Benchmarks;

/// <summary>
/// Cart-aware recommendations against a running server: closed-loop at full speed and open-loop at a fixed rate,
/// with the trivial endpoint as the baseline of the same run.
/// Usage: <c>load-recs --url http://127.0.0.1:5080 --key TRACKING_KEY --carts carts.txt [--seconds 20] [--rate 1000]</c>
/// (carts.txt: one cart a line, item ids separated by commas).
/// </summary>
public static class RecsLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Get(args, name) ?? fallback;
        var url = Arg("--url", "http://127.0.0.1:5080");
        var key = Arg("--key", "demo-tracking-key");
        var carts = File.ReadAllLines(Arg("--carts", "carts.txt")).Where(l => l.Length > 0).ToArray();
        var seconds = int.Parse(Arg("--seconds", "20"), System.Globalization.CultureInfo.InvariantCulture);
        var rate = int.Parse(Arg("--rate", "1000"), System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Add("X-Cartwise-Key", key);
        HttpRequestMessage Recs(long n) => new(HttpMethod.Get, $"/api/v1/recommendations?strategy=cart&limit=10&cart={Uri.EscapeDataString(carts[n % carts.Length])}");
        var duration = TimeSpan.FromSeconds(seconds);

        await LoadClient.RunAsync("warm-up", http, 16, TimeSpan.FromSeconds(3), 0, Recs);
        var trivial = await LoadClient.RunAsync("GET /livez (trivial)", http, 32, duration, 0, _ => new HttpRequestMessage(HttpMethod.Get, "/livez"));
        var closed = await LoadClient.RunAsync("cart recommendations, 32 clients", http, 32, duration, 0, Recs);
        var open = await FixedRateAsync(http, rate, duration, Recs);
        LoadClient.Print([trivial, closed, open], trivial);
        Console.WriteLine($"\n{carts.Length:N0} distinct carts; open-loop phase sent {rate:N0} requests/s on a schedule, latency measured from the scheduled send time");
        return 0;
    }

    /// <summary>Open loop: requests leave on a fixed schedule whatever the answers do, so queueing shows in the latency.</summary>
    private static async Task<LoadResult> FixedRateAsync(HttpClient http, int rate, TimeSpan duration, Func<long, HttpRequestMessage> request)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        long errors = 0;
        var tasks = new List<Task>();
        var sw = Stopwatch.StartNew();
        var total = (long)(rate * duration.TotalSeconds);
        for (long n = 0; n < total; n++)
        {
            var due = TimeSpan.FromSeconds((double)n / rate);
            while (sw.Elapsed < due)
                if (due - sw.Elapsed > TimeSpan.FromMilliseconds(2)) await Task.Delay(1);
                else Thread.SpinWait(50);
            var scheduled = due;
            var i = n;
            tasks.Add(Task.Run(async () =>
            {
                using var response = await http.SendAsync(request(i));
                await response.Content.LoadIntoBufferAsync();
                latencies.Add((sw.Elapsed - scheduled).TotalMilliseconds);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
            }));
        }
        await Task.WhenAll(tasks);
        var all = latencies.Order().ToArray();
        double Pct(double p) => all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        return new LoadResult($"cart recommendations at {rate:N0}/s (open loop)", all.Length, errors, sw.Elapsed.TotalSeconds, Pct(0.5), Pct(0.99), 0);
    }
}
