using System.Diagnostics;
using System.Net;

namespace Cartwise.Benchmarks;

/// <summary>The figures of one load phase.</summary>
public sealed record LoadResult(string Name, long Requests, long Errors, double Seconds, double P50Ms, double P99Ms, int EventsPerRequest)
{
    public double RequestsPerSecond => Requests / Seconds;
    public double EventsPerSecond => Requests * EventsPerRequest / Seconds;
}

/// <summary>
/// A closed-loop HTTP load generator: <c>concurrency</c> workers each send a request, wait for the answer, and send the
/// next, for a fixed time. Latency is measured per request.
/// </summary>
public static class LoadClient
{
    public static Task<LoadResult> RunAsync(string name, HttpClient http, int concurrency, TimeSpan duration, int eventsPerRequest,
        Func<long, HttpRequestMessage> request) =>
        RunAsync(name, http, concurrency, eventsPerRequest, request, sw => sw.Elapsed >= duration);

    /// <summary>As above, until <paramref name="done"/> says so (it gets the phase's stopwatch).</summary>
    public static async Task<LoadResult> RunAsync(string name, HttpClient http, int concurrency, int eventsPerRequest,
        Func<long, HttpRequestMessage> request, Func<Stopwatch, bool> done)
    {
        long counter = 0, errors = 0;
        var latencies = new List<double>[concurrency];
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(100_000);
            while (!done(sw))
            {
                var n = Interlocked.Increment(ref counter);
                var t = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request(n));
                await response.Content.LoadIntoBufferAsync();
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted)) Interlocked.Increment(ref errors);
            }
        }).ToList();
        await Task.WhenAll(workers);
        var seconds = sw.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Pct(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        return new LoadResult(name, all.Length, errors, seconds, Pct(0.50), Pct(0.99), eventsPerRequest);
    }

    public static void Print(IReadOnlyList<LoadResult> results, LoadResult baseline)
    {
        Console.WriteLine();
        Console.WriteLine($"| phase | requests/s | events/s | p50 ms | p99 ms | errors | vs {baseline.Name} (requests/s) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
            Console.WriteLine($"| {r.Name} | {r.RequestsPerSecond:N0} | {(r.EventsPerRequest == 0 ? "–" : r.EventsPerSecond.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.Errors} | {r.RequestsPerSecond / baseline.RequestsPerSecond:P0} |");
    }
}
