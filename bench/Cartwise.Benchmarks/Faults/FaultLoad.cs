using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Cartwise.Benchmarks.Faults;

/// <summary>
/// Several <c>cartwise serve</c> nodes on one PostgreSQL database under a compressed day of a large shop, with faults:
/// a node killed with SIGKILL every 30–90 s and started again, PostgreSQL restarted once. Then the same traffic through
/// a single node without faults, on a database of its own, and the two compared: every acknowledged event stored once,
/// every profile merged the same, the same decisions, every due message sent once (or flagged uncertain), nothing
/// left claimed. Prints the counts and exits 1 on any loss or unexplained difference.
/// Usage: <c>faults --pg postgres://user:pass@host/postgres [--visitors 200000] [--events 2000000] [--nodes 3]
/// [--clients 32] [--seed 1] [--kill 30-90] [--pg-restart "pg_ctlcluster 15 main restart"] [--json FILE]</c>
/// </summary>
public static class FaultLoad
{
    private const string Store = "shop";
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Get(args, name) ?? fallback;
        int Int(string name, int fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var server = Arg("--pg", "postgres://cartwise:cartwise@127.0.0.1/postgres");
        var visitors = Int("--visitors", 200_000);
        var events = long.Parse(Arg("--events", "2000000"), CultureInfo.InvariantCulture);
        var seed = Int("--seed", 1);
        var kill = Arg("--kill", "30-90").Split('-').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var settings = new Settings(server, new DayOfTraffic(visitors, events, seed), Int("--nodes", 3), Int("--clients", 32), seed, kill[0], kill[^1],
            Arg("--pg-restart", "pg_ctlcluster 15 main restart"));
        Console.WriteLine($"traffic: {visitors:N0} visitors, about {events:N0} events (seed {seed}); {settings.Nodes} nodes with faults, then 1 node without");

        var faulty = await RunOnceAsync(settings, "cw_faults_nodes", settings.Nodes, faults: true);
        var single = await RunOnceAsync(settings, "cw_faults_single", 1, faults: false);
        var report = Compare(faulty, single);
        report.Print(faulty, single);
        if (BenchArgs.Get(args, "--json") is { } json)
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { settings = new { visitors, events, settings.Nodes, settings.Clients, seed }, faulty = faulty.Figures, single = single.Figures, report },
                Indented));
        return report.Holds ? 0 : 1;
    }

    private sealed record Settings(string Server, DayOfTraffic Traffic, int Nodes, int Clients, int Seed, int KillMin, int KillMax, string PgRestart);

    /// <summary>What a run did, as figures for the README.</summary>
    public sealed record RunFigures(string Label, int Nodes, long EventsSent, long Requests, double SendSeconds, double DrainSeconds, int Kills, double? PostgresRestartSeconds,
        long Retries, IReadOnlyDictionary<string, long> Failures, double P99RequestMs);

    /// <summary>A run's database and mailbox after it drained.</summary>
    internal sealed record RunState(RunFigures Figures, HashSet<string> Acknowledged, List<string> EventIds, Dictionary<long, long?> MergedInto, List<(string Key, long Customer)> Identities,
        List<(string Scenario, string Rule, long Customer, string Trigger, string Kind)> Decisions, List<OutboxRow> Outbox, IReadOnlyDictionary<string, int> Received);

    internal sealed record OutboxRow(long Id, string Scenario, string Rule, long? Customer, string Trigger, string Status, bool Uncertain);

    private static string Connection(string server, string database)
    {
        var b = new NpgsqlConnectionStringBuilder(Data.DatabaseTarget.Parse(server).ConnectionString) { Database = database, Pooling = false };
        return b.ConnectionString;
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<T>> QueryAsync<T>(string connection, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 600 };
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await r.ReadAsync()) rows.Add(read(r));
        return rows;
    }

    private static async Task<RunState> RunOnceAsync(Settings s, string database, int nodeCount, bool faults)
    {
        var label = faults ? $"{nodeCount} nodes, faults" : $"{nodeCount} node, no faults";
        Console.WriteLine($"\n== {label}: database {database}");
        await ExecuteAsync(Connection(s.Server, "postgres"), $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        await ExecuteAsync(Connection(s.Server, "postgres"), $"CREATE DATABASE {database}");
        var url = new NpgsqlConnectionStringBuilder(Connection(s.Server, database)) { Pooling = true }.ConnectionString;
        var dir = Directory.CreateTempSubdirectory("cartwise-faults-").FullName;
        var keys = JsonDocument.Parse(await BenchServer.RunAsync(dir, "store", "create", Store, "--currency", "GBP", "--time-zone", "Europe/London", "--db", url, "--json")).RootElement;
        var (trackingKey, adminKey) = (keys.GetProperty("trackingKey").GetString()!, keys.GetProperty("adminKey").GetString()!);

        await using var sink = new CountingSmtpSink();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(60) };
        var nodes = Enumerable.Range(0, nodeCount).Select(i => new Node(i, (faults ? 5401 : 5411) + i, url, sink.Url, dir)).ToList();
        try
        {
            foreach (var n in nodes) await n.StartAsync(http);
            await SetUpStoreAsync(http, nodes[0].Address, adminKey, sink.Url);

            // The day, sent by many visitors at once, each visitor's requests in order.
            var balancer = new RoundRobin(nodes, http);
            var acknowledged = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            var latencies = new ConcurrentBag<double>();
            long requests = 0, sent = 0, nextVisitor = -1;
            var total = (double)s.Traffic.Visitors;
            var sendWatch = Stopwatch.StartNew();
            using var sending = new CancellationTokenSource();
            var chaos = faults ? Task.Run(() => ChaosAsync(s, nodes, http, () => (nextVisitor + 1) / total, sending.Token)) : Task.FromResult(new ChaosLog(0, null));
            using var sendingOnly = new CancellationTokenSource();
            var progress = Task.Run(async () =>
            {
                while (!sendingOnly.IsCancellationRequested)
                {
                    try { await Task.Delay(TimeSpan.FromSeconds(15), sendingOnly.Token); } catch (OperationCanceledException) { return; }
                    Console.WriteLine($"  {sendWatch.Elapsed.TotalSeconds:F0} s: {Interlocked.Read(ref sent):N0} events acknowledged ({Interlocked.Read(ref sent) / sendWatch.Elapsed.TotalSeconds:N0}/s), {balancer.Retries:N0} retries");
                }
            });
            await Task.WhenAll(Enumerable.Range(0, s.Clients).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref nextVisitor) is var v && v < s.Traffic.Visitors)
                    foreach (var batch in s.Traffic.Visitor((int)v))
                    {
                        latencies.Add((await balancer.TrackAsync(batch.Json, trackingKey)).TotalMilliseconds);
                        foreach (var id in batch.EventIds) acknowledged.TryAdd(id, 0);
                        Interlocked.Add(ref sent, batch.EventIds.Length);
                        Interlocked.Increment(ref requests);
                    }
            })));
            var sendSeconds = sendWatch.Elapsed.TotalSeconds;
            await sendingOnly.CancelAsync();
            Console.WriteLine($"  sent {sent:N0} events in {requests:N0} requests in {sendSeconds:F0} s ({sent / sendSeconds:N0} events/s)");

            // Drain: the scenario engine caught up, every message due sent, nothing claimed. Faults go on meanwhile.
            var drainWatch = Stopwatch.StartNew();
            await DrainAsync(url);
            await sending.CancelAsync();
            var chaosLog = await chaos;
            await progress;
            Console.WriteLine($"  drained in {drainWatch.Elapsed.TotalSeconds:F0} s");
            foreach (var n in nodes) await n.KillAsync();

            var p99 = latencies.Order().ElementAt((int)(latencies.Count * 0.99));
            var figures = new RunFigures(label, nodeCount, sent, requests, sendSeconds, drainWatch.Elapsed.TotalSeconds, chaosLog.Kills, chaosLog.PostgresRestartSeconds,
                balancer.Retries, new Dictionary<string, long>(balancer.Failures), p99);
            return await StateAsync(url, figures, acknowledged.Keys.ToHashSet(StringComparer.Ordinal), sink.Received);
        }
        finally
        {
            foreach (var n in nodes) await n.DisposeAsync();
        }
    }

    private static async Task SetUpStoreAsync(HttpClient http, Uri node, string adminKey, string smtp)
    {
        async Task<JsonElement> SendAsync(HttpMethod method, string path, string? json, string type = "application/json")
        {
            using var request = BenchServer.Admin(method, new Uri(node, path).ToString(), adminKey, json is null ? null : new StringContent(json, Encoding.UTF8, type));
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {body}");
            return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
        }
        await SendAsync(HttpMethod.Put, "/api/v1/store/storefront", """{"allowedOrigins":[],"clientRequestsPerMinute":0,"keyRequestsPerMinute":0}""");
        await SendAsync(HttpMethod.Put, "/api/v1/store/mail", $$"""{"smtp":"{{smtp}}","sendRate":0,"clickWindowDays":7}""");
        // The customers' consent comes with their sign-in (no confirmation round trip in this load).
        await SendAsync(HttpMethod.Put, "/api/v1/store/settings", """{"doubleOptIn":false,"eventsUpdateProducts":false,"confirmationMessageId":null}""");
        await SendAsync(HttpMethod.Post, "/api/v1/feeds/upload?format=xml", DayOfTraffic.Feed(), "application/xml");
        var categories = (await SendAsync(HttpMethod.Get, "/api/v1/categories", null)).EnumerateArray()
            .ToDictionary(c => c.GetProperty("path").GetString()!, c => c.GetProperty("id").GetInt64(), StringComparer.Ordinal);
        string Ids(int[] departments) => string.Join(',', departments.Select(d => categories[DayOfTraffic.Department(d)]));
        var sender = (await SendAsync(HttpMethod.Post, "/api/v1/senders", """{"name":"Load shop","fromAddress":"hello@load.example","replyTo":null}""")).GetProperty("id").GetInt64();
        var message = (await SendAsync(HttpMethod.Post, "/api/v1/messages", $$"""
            {"name":"Load","defaultLanguage":"en","senderId":{{sender}},"coupon":{"mode":"none"},"variants":[{"language":"en","subject":"Hello","preheader":null,
             "blocks":[{"type":"heading","text":"Hello"},{"type":"purchased"},{"type":"footer"}]}]}
            """)).GetProperty("id").GetInt64();
        foreach (var scenario in new[]
        {
            $$$"""
            {"name":"Cross-sell","kind":"cross_sell","languages":["en"],"customize":{"holdout":0,"rules":[
              {"id":"views","trigger":"view","categories":[{{{Ids(DayOfTraffic.ViewDepartments)}}}],"delay":"5m","cap":"1d","messageId":{{{message}}}},
              {"id":"carts","trigger":"cart","categories":[{{{Ids(DayOfTraffic.CartDepartments)}}}],"delay":"5m","cap":"1d","messageId":{{{message}}}}]}}
            """,
            $$$"""
            {"name":"After purchase","kind":"post_purchase","languages":["en"],"customize":{"holdout":0,"delay":"5m",
              "tiers":[{"id":"small","from":0,"to":60,"messageId":{{{message}}}},{"id":"large","from":60,"to":null,"messageId":{{{message}}}}]}}
            """,
        })
        {
            var id = (await SendAsync(HttpMethod.Post, "/api/v1/scenarios", scenario)).GetProperty("id").GetInt64();
            await SendAsync(HttpMethod.Post, $"/api/v1/scenarios/{id}/activate", null);
        }
    }

    private sealed record ChaosLog(int Kills, double? PostgresRestartSeconds);

    /// <summary>SIGKILL a random node every 30–90 s and start it again; restart PostgreSQL once, a third into the day.</summary>
    private static async Task<ChaosLog> ChaosAsync(Settings s, List<Node> nodes, HttpClient http, Func<double> progress, CancellationToken stop)
    {
        var rng = new Random(s.Seed);
        var kills = 0;
        double? restart = null;
        var pgTask = Task.Run(async () =>
        {
            while (progress() < 1.0 / 3 && !stop.IsCancellationRequested) await Task.Delay(500, CancellationToken.None);
            if (stop.IsCancellationRequested) return;
            var watch = Stopwatch.StartNew();
            using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", s.PgRestart]))!;
            await p.WaitForExitAsync(CancellationToken.None);
            restart = watch.Elapsed.TotalSeconds;
            Console.WriteLine($"  PostgreSQL restarted ({s.PgRestart}: exit {p.ExitCode}, {restart:F1} s)");
        }, CancellationToken.None);
        while (true)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(s.KillMin + rng.Next(s.KillMax - s.KillMin + 1)), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var node = nodes[rng.Next(nodes.Count)];
            await node.KillAsync();
            kills++;
            Console.WriteLine($"  killed node {node.Index} (SIGKILL, kill {kills})");
            await node.StartAsync(http);
        }
        await pgTask;
        return new ChaosLog(kills, restart);
    }

    /// <summary>Until the scenario engine has read every event and no message is waiting, claimed or being sent.</summary>
    private static async Task DrainAsync(string url)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var state = (await QueryAsync(url, """
                    SELECT (SELECT COALESCE(MAX("Id"), 0) FROM "Events") - COALESCE((SELECT MAX("LastEventId") FROM "ScenarioCursors"), 0),
                           (SELECT COUNT(*) FROM "Outbox" WHERE "Status" IN ('pending', 'claimed', 'sending'))
                    """, r => (Behind: r.GetInt64(0), Waiting: r.GetInt64(1))))[0];
                if (state.Behind == 0 && state.Waiting == 0) return;
                if (watch.Elapsed > TimeSpan.FromMinutes(45)) throw new TimeoutException($"not drained after 45 min: {state.Behind} events not decided, {state.Waiting} messages waiting");
                if ((int)watch.Elapsed.TotalSeconds % 30 == 0) Console.WriteLine($"  draining: {state.Behind:N0} events not decided yet, {state.Waiting:N0} messages waiting");
            }
            catch (NpgsqlException)
            {
                // PostgreSQL restarting
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<RunState> StateAsync(string url, RunFigures figures, HashSet<string> acknowledged, IReadOnlyDictionary<string, int> received) => new(
        figures, acknowledged,
        await QueryAsync(url, """SELECT "EventId" FROM "Events" """, r => r.GetString(0)),
        (await QueryAsync(url, """SELECT "Id", "MergedIntoId" FROM "Customers" """, r => (r.GetInt64(0), r.IsDBNull(1) ? (long?)null : r.GetInt64(1)))).ToDictionary(x => x.Item1, x => x.Item2),
        await QueryAsync(url, """SELECT "Key", "CustomerId" FROM "CustomerIdentities" """, r => (r.GetString(0), r.GetInt64(1))),
        await QueryAsync(url, """SELECT s."Name", d."Rule", d."CustomerId", d."TriggerKey", d."Kind" FROM "ScenarioDecisions" d JOIN "Scenarios" s ON s."Id" = d."ScenarioId" """,
            r => (r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4))),
        await QueryAsync(url, """
            SELECT o."Id", COALESCE(s."Name", ''), COALESCE(o."Rule", ''), o."CustomerId", COALESCE(o."TriggerId", ''), o."Status", o."Uncertain"
            FROM "Outbox" o LEFT JOIN "Scenarios" s ON s."Id" = o."ScenarioId" WHERE NOT o."IsTest"
            """, r => new OutboxRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetBoolean(6))),
        new Dictionary<string, int>(received));

    /// <summary>The counts the run is judged by.</summary>
    public sealed record Report(long Acknowledged, long Lost, long StoredTwice, long ProfilesDifferent, long Decisions, long DecisionsDifferent,
        long Sent, long SentDifferent, long Uncertain, long SentTwiceFlagged, long SentTwiceUnexplained, long SentNeverReceived, long Stuck)
    {
        public bool Holds => Lost == 0 && StoredTwice == 0 && ProfilesDifferent == 0 && DecisionsDifferent == 0 && SentDifferent == 0
            && SentTwiceUnexplained == 0 && SentNeverReceived == 0 && Stuck == 0;

        internal void Print(RunState faulty, RunState single)
        {
            Console.WriteLine();
            Console.WriteLine("| run | nodes | events | requests | sending s | events/s | request p99 ms | retries | kills | PostgreSQL restart s | drain s |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var f in new[] { faulty.Figures, single.Figures })
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {f.Label} | {f.Nodes} | {f.EventsSent:N0} | {f.Requests:N0} | {f.SendSeconds:F0} | {f.EventsSent / f.SendSeconds:N0} | {f.P99RequestMs:F0} | {f.Retries:N0} | {f.Kills} | {(f.PostgresRestartSeconds is { } r ? r.ToString("F1", CultureInfo.InvariantCulture) : "–")} | {f.DrainSeconds:F0} |"));
            Console.WriteLine($"\nfailures answered by the proxy's retries: {string.Join(", ", faulty.Figures.Failures.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
            Console.WriteLine();
            Console.WriteLine("| check (faulty run against the single node) | count |");
            Console.WriteLine("| --- | ---: |");
            Console.WriteLine($"| events acknowledged | {Acknowledged:N0} |");
            Console.WriteLine($"| acknowledged but not stored | {Lost:N0} |");
            Console.WriteLine($"| stored twice | {StoredTwice:N0} |");
            Console.WriteLine($"| profiles merged differently | {ProfilesDifferent:N0} |");
            Console.WriteLine($"| decisions | {Decisions:N0} |");
            Console.WriteLine($"| decisions different | {DecisionsDifferent:N0} |");
            Console.WriteLine($"| messages sent | {Sent:N0} |");
            Console.WriteLine($"| messages sent by one run and not the other | {SentDifferent:N0} |");
            Console.WriteLine($"| sent, flagged uncertain | {Uncertain:N0} ({(Sent == 0 ? 0 : 100.0 * Uncertain / Sent):F4} %) |");
            Console.WriteLine($"| received twice, flagged uncertain | {SentTwiceFlagged:N0} |");
            Console.WriteLine($"| received twice, not flagged | {SentTwiceUnexplained:N0} |");
            Console.WriteLine($"| recorded sent, never received | {SentNeverReceived:N0} |");
            Console.WriteLine($"| left pending, claimed or sending | {Stuck:N0} |");
            Console.WriteLine(Holds ? "\nall holds" : "\nFAILED: a loss or an unexplained difference (above)");
        }
    }

    private static Report Compare(RunState faulty, RunState single)
    {
        var stored = faulty.EventIds.ToHashSet(StringComparer.Ordinal);
        var lost = faulty.Acknowledged.Count(id => !stored.Contains(id));
        var twice = faulty.EventIds.Count - stored.Count;
        var (partitionA, personA) = People(faulty);
        var (partitionB, personB) = People(single);
        var profiles = partitionA.Except(partitionB).Count() + partitionB.Except(partitionA).Count();
        var decisionsA = faulty.Decisions.Select(d => $"{d.Scenario}|{d.Rule}|{personA(d.Customer)}|{d.Trigger}|{d.Kind}").ToHashSet(StringComparer.Ordinal);
        var decisionsB = single.Decisions.Select(d => $"{d.Scenario}|{d.Rule}|{personB(d.Customer)}|{d.Trigger}|{d.Kind}").ToHashSet(StringComparer.Ordinal);
        Examples("decisions of the faulty run only", decisionsA.Except(decisionsB));
        Examples("decisions of the single node only", decisionsB.Except(decisionsA));
        string Key(OutboxRow o, Func<long, string> person) => $"{o.Scenario}|{o.Rule}|{(o.Customer is { } c ? person(c) : "")}|{o.Trigger}";
        var sentA = faulty.Outbox.Where(o => o.Status == "sent").Select(o => Key(o, personA)).ToHashSet(StringComparer.Ordinal);
        var sentB = single.Outbox.Where(o => o.Status == "sent").Select(o => Key(o, personB)).ToHashSet(StringComparer.Ordinal);
        Examples("sent by the faulty run only", sentA.Except(sentB));
        Examples("sent by the single node only", sentB.Except(sentA));
        var times = faulty.Received.Where(kv => kv.Key.StartsWith("cw.", StringComparison.Ordinal))
            .ToDictionary(kv => long.Parse(kv.Key.Split('.', '@')[2], CultureInfo.InvariantCulture), kv => kv.Value);
        var sent = faulty.Outbox.Where(o => o.Status == "sent").ToList();
        return new Report(
            faulty.Acknowledged.Count, lost, twice, profiles, decisionsA.Count, decisionsA.Except(decisionsB).Count() + decisionsB.Except(decisionsA).Count(),
            sent.Count, sentA.Except(sentB).Count() + sentB.Except(sentA).Count(), sent.Count(o => o.Uncertain),
            faulty.Outbox.Count(o => times.GetValueOrDefault(o.Id) > 1 && o.Uncertain), faulty.Outbox.Count(o => times.GetValueOrDefault(o.Id) > 1 && !o.Uncertain),
            sent.Count(o => times.GetValueOrDefault(o.Id) == 0), faulty.Outbox.Count(o => o.Status is "pending" or "claimed" or "sending"));
    }

    private static void Examples(string what, IEnumerable<string> rows)
    {
        var list = rows.Take(5).ToList();
        if (list.Count > 0) Console.WriteLine($"  e.g. {what}: {string.Join("; ", list)}");
    }

    /// <summary>The run's people as sets of identity keys (merges followed to the survivor), and a customer id's person (its smallest key).</summary>
    private static (HashSet<string> Partition, Func<long, string> Person) People(RunState run)
    {
        long Survivor(long id)
        {
            while (run.MergedInto.GetValueOrDefault(id) is { } next) id = next;
            return id;
        }
        var keys = run.Identities.GroupBy(i => Survivor(i.Customer)).ToDictionary(g => g.Key, g => g.Select(i => i.Key).Order(StringComparer.Ordinal).ToList());
        var partition = keys.Values.Select(k => string.Join(',', k)).ToHashSet(StringComparer.Ordinal);
        return (partition, id => keys.TryGetValue(Survivor(id), out var k) ? k[0] : "#" + id.ToString(CultureInfo.InvariantCulture));
    }
}
