using System.Diagnostics.Metrics;
using Cartwise.Data;
using Cartwise.Messages;
using Cartwise.Recommendations;
using Cartwise.Scenarios;
using Cartwise.Tracking;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Hosting;

/// <summary>What an operator watches, read from the database (so every node reports the same cluster-wide figures).</summary>
/// <param name="ScenarioLag">Per store with active scenarios: the age of its oldest event the scenario engine has not decided on (zero when caught up).</param>
/// <param name="OutboxDepth">Per store: rows waiting to be sent (pending, claimed or sending).</param>
/// <param name="OutboxDueAge">Per store: how long its oldest due-but-unsent row has been due.</param>
/// <param name="ModelAge">Per store with a model: the age of its last successful build.</param>
public sealed record StatusSnapshot(DateTimeOffset At, IReadOnlyDictionary<long, TimeSpan> ScenarioLag, IReadOnlyDictionary<long, long> OutboxDepth,
    IReadOnlyDictionary<long, TimeSpan> OutboxDueAge, IReadOnlyDictionary<long, TimeSpan> ModelAge);

/// <summary>One readiness check: its name, whether it holds, and why.</summary>
public sealed record ReadinessCheck(string Name, bool Ok, string Detail);

/// <summary>The answer of <c>/readyz</c>.</summary>
public sealed record Readiness(bool Ready, IReadOnlyList<ReadinessCheck> Checks);

/// <summary>
/// The operator's figures: a snapshot read from the database at most every <see cref="MaxAge"/> (on a scrape of
/// <c>/metrics</c> or a call of <c>/readyz</c>), exposed as gauges tagged by store, and the readiness checks.
/// Thread-safe.
/// </summary>
public sealed class OperatorStatus
{
    /// <summary>A snapshot younger than this is served as it is.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly DatabaseTarget _target;
    private readonly TimeProvider _clock;
    private readonly EventWriter _writer;
    private readonly ModelService _models;
    private readonly ServeSettings _settings;
    private readonly IServiceProvider _services;
    private readonly TimeSpan _maxLag;
    private readonly SingleFlightCache<int, StatusSnapshot> _snapshots;
    private StatusSnapshot? _latest;

    public OperatorStatus(DatabaseTarget target, TimeProvider clock, EventWriter writer, ModelService models, ServeSettings settings,
        IServiceProvider services, Microsoft.Extensions.Options.IOptions<ReadinessOptions> readiness, IMeterFactory meters)
    {
        _target = target;
        _clock = clock;
        _writer = writer;
        _models = models;
        _settings = settings;
        _services = services;
        _snapshots = new(clock, MaxAge);
        _maxLag = TimeSpan.FromSeconds(readiness.Value.MaxLagSeconds);
        var meter = meters.Create(Telemetry.Name + ".Status");
        meter.CreateObservableGauge("cartwise.writer.queue", () => _writer.Queued, "{request}", "Tracking requests waiting for the event writer");
        meter.CreateObservableGauge("cartwise.scenarios.lag", () => PerStore(s => s.ScenarioLag, t => t.TotalSeconds), "s",
            "Age of the oldest event the scenario engine has not decided on");
        meter.CreateObservableGauge("cartwise.outbox.depth", () => PerStore(s => s.OutboxDepth, n => n), "{message}", "Outbox rows waiting to be sent");
        meter.CreateObservableGauge("cartwise.outbox.due_age", () => PerStore(s => s.OutboxDueAge, t => t.TotalSeconds), "s",
            "How long the oldest due-but-unsent outbox row has been due");
        meter.CreateObservableGauge("cartwise.model.age", () => PerStore(s => s.ModelAge, t => t.TotalSeconds), "s", "Age of the store's recommendation model");
        meter.CreateObservableGauge("cartwise.models.loaded", () => _models.LoadedStores.Count, "{model}", "Models held in this node's memory");
    }

    /// <summary>
    /// The latest snapshot, read again when older than <see cref="MaxAge"/>: one read at a time, shared by concurrent
    /// callers, so no caller's cancellation stops it.
    /// </summary>
    public async Task<StatusSnapshot> CurrentAsync() =>
        _latest = await _snapshots.GetAsync(0, _ => ReadAsync(CancellationToken.None));

    private IEnumerable<Measurement<T>> PerStore<TValue, T>(Func<StatusSnapshot, IReadOnlyDictionary<long, TValue>> figure, Func<TValue, T> value) where T : struct =>
        _latest is null ? [] : figure(_latest).Select(kv => new Measurement<T>(value(kv.Value), Telemetry.Tag("store_id", kv.Key)));

    private async Task<StatusSnapshot> ReadAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        await using var db = _target.CreateContext();
        var lag = new Dictionary<long, TimeSpan>();
        var cursors = await (from c in db.ScenarioCursors.IgnoreQueryFilters()
                             where db.Scenarios.IgnoreQueryFilters().Any(s => s.StoreId == c.StoreId && s.State == ScenarioStates.Active)
                             select new { c.StoreId, c.LastEventId }).ToListAsync(ct);
        foreach (var c in cursors)
        {
            var oldest = await db.Events.IgnoreQueryFilters().Where(e => e.StoreId == c.StoreId && e.Id > c.LastEventId).OrderBy(e => e.Id)
                .Select(e => (DateTimeOffset?)e.ReceivedAt).FirstOrDefaultAsync(ct);
            lag[c.StoreId] = oldest is { } at && at < now ? now - at : TimeSpan.Zero;
        }
        string[] waiting = [OutboxStatus.Pending, OutboxStatus.Claimed, OutboxStatus.Sending];
        var depth = await db.Outbox.IgnoreQueryFilters().Where(o => waiting.Contains(o.Status)).GroupBy(o => o.StoreId)
            .Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var dueAge = new Dictionary<long, TimeSpan>();
        foreach (var store in depth.Keys)
        {
            var due = await db.Outbox.IgnoreQueryFilters().Where(o => o.StoreId == store && o.Status == OutboxStatus.Pending && o.DueAt <= now)
                .OrderBy(o => o.DueAt).Select(o => (DateTimeOffset?)o.DueAt).FirstOrDefaultAsync(ct);
            dueAge[store] = due is { } at ? now - at : TimeSpan.Zero;
        }
        var built = await db.MiningRuns.IgnoreQueryFilters().Where(r => r.Status == RunStatus.Succeeded)
            .Select(r => new { r.StoreId, r.Id, r.StartedAt }).ToListAsync(ct);
        var modelAge = built.GroupBy(r => r.StoreId).ToDictionary(g => g.Key, g => now - g.MaxBy(r => r.Id)!.StartedAt);
        return new StatusSnapshot(now, lag, depth, dueAge, modelAge);
    }

    /// <summary>
    /// Whether this node should take traffic: the database answers with the current schema, the event writer and the
    /// workers run, every model the database holds is loaded here (when this node runs the workers that load them),
    /// and no store's scenario lag is over <c>Readiness:MaxLagSeconds</c> (900 by default).
    /// </summary>
    public async Task<Readiness> ReadinessAsync(CancellationToken ct)
    {
        var checks = new List<ReadinessCheck>();
        StatusSnapshot? snapshot = null;
        try
        {
            var current = await _target.IsCurrentAsync(ct);
            checks.Add(new("database", true, "reachable"));
            checks.Add(new("migrations", current, current ? "applied" : "the schema is not the one this build expects; starting a node of this version applies the migrations"));
            snapshot = await CurrentAsync();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            checks.Add(new("database", false, "unreachable: " + e.Message));
        }

        var workers = _services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        var stopped = workers.Where(w => w.ExecuteTask is { IsCompleted: true }).Select(w => w.GetType().Name).ToList();
        checks.Add(new("workers", stopped.Count == 0, stopped.Count == 0 ? $"{workers.Count} running" : "stopped: " + string.Join(", ", stopped)));

        if (snapshot is not null)
        {
            if (_settings.Schedulers)
            {
                var missing = snapshot.ModelAge.Keys.Except(_models.LoadedStores).Order().ToList();
                checks.Add(new("models", missing.Count == 0, missing.Count == 0
                    ? $"{snapshot.ModelAge.Count} loaded"
                    : $"not loaded yet for store {string.Join(", ", missing)}"));
            }
            var behind = snapshot.ScenarioLag.Where(kv => kv.Value > _maxLag).OrderBy(kv => kv.Key).ToList();
            var worst = snapshot.ScenarioLag.Count == 0 ? TimeSpan.Zero : snapshot.ScenarioLag.Values.Max();
            checks.Add(new("scenario_lag", behind.Count == 0, behind.Count == 0
                ? $"at most {worst.TotalSeconds:0} s (limit {_maxLag.TotalSeconds:0} s)"
                : string.Join("; ", behind.Select(kv => $"store {kv.Key} is {kv.Value.TotalSeconds:0} s behind (limit {_maxLag.TotalSeconds:0} s)"))));
        }
        return new Readiness(checks.All(c => c.Ok), checks);
    }
}
