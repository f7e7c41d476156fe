using System.Diagnostics;

namespace Cartwise.Benchmarks.Faults;

/// <summary>One <c>cartwise serve</c> process of a run: started, killed with SIGKILL, started again on the same port.</summary>
public sealed class Node(int index, int port, string database, string smtp, string dir) : IAsyncDisposable
{
    private Process? _process;

    public int Index => index;
    public Uri Address { get; } = new($"http://127.0.0.1:{port}");
    public int Starts { get; private set; }

    public async Task StartAsync(HttpClient probe)
    {
        var psi = BenchServer.Command(dir, "serve", "--urls", Address.ToString().TrimEnd('/'), "--db", database, "--smtp", smtp);
        // A node killed while sending holds its rows until the lease ends: a short lease, so a run drains in minutes.
        psi.Environment["Outbox__LeaseSeconds"] = "30";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        var log = Path.Combine(dir, $"node{index}.log");
        _process = Process.Start(psi)!;
        Starts++;
        var output = _process.StandardOutput;
        var error = _process.StandardError;
        _ = Task.Run(async () =>
        {
            await using var file = new StreamWriter(log, append: true);
            while (await error.ReadLineAsync() is { } line) await file.WriteLineAsync(line);
        });
        _ = output.ReadToEndAsync();
        for (var i = 0; ; i++)
        {
            if (_process.HasExited) throw new InvalidOperationException($"node {index} exited at start; see {log}");
            try
            {
                using var r = await probe.GetAsync(new Uri(Address, "/healthz"));
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown, no last commit.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}

/// <summary>
/// The load's own round-robin proxy, in the client: each request goes to the next node; one that fails (refused,
/// reset, 5xx, a timeout) is tried on the next node after a short pause, until a node answers it. Thread-safe.
/// </summary>
public sealed class RoundRobin(IReadOnlyList<Node> nodes, HttpClient http)
{
    private long _next;
    private long _retries;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _failures = new();

    public long Retries => Interlocked.Read(ref _retries);
    public IReadOnlyDictionary<string, long> Failures => _failures;

    /// <summary>Sends until a node answers 202; returns how long it took.</summary>
    public async Task<TimeSpan> TrackAsync(string json, string key)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var node = nodes[(int)(Interlocked.Increment(ref _next) % nodes.Count)];
            string failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node.Address, "/api/v1/track")) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Cartwise-Key", key);
                using var response = await http.SendAsync(request);
                if (response.StatusCode == System.Net.HttpStatusCode.Accepted) return Stopwatch.GetElapsedTime(started);
                failure = "HTTP " + (int)response.StatusCode;
            }
            catch (HttpRequestException e)
            {
                failure = e.HttpRequestError.ToString();
            }
            catch (TaskCanceledException)
            {
                failure = "timeout";
            }
            _failures.AddOrUpdate(failure, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _retries);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 25 << Math.Min(attempt, 7))));
        }
    }
}
