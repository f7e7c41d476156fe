using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Recommendations;
using Cartwise.Core.Scenarios;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Messages;
using Cartwise.Recommendations;
using Cartwise.Stores;
using Cartwise.Tracking;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cartwise.Scenarios;

/// <summary>
/// Feeds tracked events to the active scenarios of each store and stores what they decide: decision rows, and an
/// outbox row for each scheduled message (due after the delay and outside quiet hours). A store's events are read
/// past a cursor whose row is locked for the pass (<c>FOR UPDATE</c> on PostgreSQL, SQLite's single writer), so two
/// nodes never process the same events; decisions and outbox rows are unique by (scenario, rule, customer, trigger)
/// besides. Imported history (<c>import:…</c> events) never triggers sends. Engines live in memory between passes and
/// are rebuilt from recent events and decisions when another node moved the cursor or a scenario changed.
/// </summary>
public sealed partial class ScenarioService(DatabaseTarget target, TimeProvider clock, IOptions<ScenarioOptions> options, ILogger<ScenarioService> log) : IDisposable
{
    private readonly TimeSpan _horizon = TimeSpan.FromHours(options.Value.HistoryHorizonHours);
    public static readonly JsonSerializerOptions Json = StoredJson.Options;
    /// <summary>Events a batch takes (one transaction of decisions and outbox rows).</summary>
    private readonly int _batchSize = options.Value.BatchSize;

    /// <param name="Winners">The A/B test winners the engine was built with (another node may record one).</param>
    private sealed record LiveEngine(ScenarioEngine Engine, DateTimeOffset Updated, long LastEventId, string Winners)
    {
        /// <summary>True when the engine was built for this version of the scenario and these A/B test winners.</summary>
        public bool Serves(Scenario scenario, string winners) => Updated == scenario.UpdatedAt && Winners == winners;
    }

    private readonly ConcurrentDictionary<long, LiveEngine> _engines = new();
    private long _rebuilds, _catchUps, _decidedAhead;

    /// <summary>Engines this node built from the database (at the first pass, after an edit or a failure).</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    /// <summary>Engines this node brought up to date with what another node decided, instead of rebuilding them.</summary>
    public long CatchUps => Interlocked.Read(ref _catchUps);

    /// <summary>Batches this node decided on ahead of their transaction (while the batch before was written) and stored.</summary>
    public long DecidedAhead => Interlocked.Read(ref _decidedAhead);

    public static ScenarioDefinition Definition(Scenario s) => JsonSerializer.Deserialize<ScenarioDefinition>(s.Definition, Json) ?? new ScenarioDefinition();

    /// <param name="replay">For a replay of history (the simulator): the engine holds its scheduled sends for <see cref="ScenarioEngine.Release"/>.</param>
    public static ScenarioEngine EngineFor(Scenario s, Func<long, long, bool> tree, Store store, IReadOnlyDictionary<string, string>? winners = null, bool replay = true) =>
        new(s.Id, s.Kind, Definition(s), tree, Core.StoreTime.Zone(store.TimeZone), winners, replay);

    /// <summary>Rule → winning variant of the scenario's A/B tests, for the tests as they are now (a winner of an edited test no longer holds).</summary>
    public static async Task<Dictionary<string, string>> WinnersAsync(CartwiseDb db, Scenario s, CancellationToken ct)
    {
        var tests = Definition(s).Tests ?? [];
        if (tests.Count == 0) return [];
        var rows = await db.ScenarioTestWinners.AsNoTracking().Where(w => w.ScenarioId == s.Id).ToListAsync(ct);
        return rows.Where(w => tests.Any(t => t.Rule == w.Rule && t.Signature == w.Signature)).ToDictionary(w => w.Rule, w => w.Variant, StringComparer.Ordinal);
    }

    /// <summary>
    /// One pass over every store with an active scenario. Returns the events read. A node runs one pass at a time (its
    /// engines serve one batch after another); nodes share the work through the store's cursor.
    /// </summary>
    public async Task<int> PassAsync(CancellationToken ct)
    {
        await _passing.WaitAsync(ct);
        try
        {
            return await PassStoresAsync(ct);
        }
        finally
        {
            _passing.Release();
        }
    }

    private readonly SemaphoreSlim _passing = new(1, 1);

    public void Dispose() => _passing.Dispose();

    private async Task<int> PassStoresAsync(CancellationToken ct)
    {
        List<long> stores;
        await using (var db = target.CreateContext())
            stores = await db.Scenarios.IgnoreQueryFilters().Where(s => s.State == ScenarioStates.Active).Select(s => s.StoreId).Distinct().ToListAsync(ct);
        var read = 0;
        foreach (var storeId in stores)
        {
            var now = clock.GetUtcNow();
            if (_failing.TryGetValue(storeId, out var failing) && failing.RetryAt > now) continue;
            CatalogView? catalog = null;
            Task<Prepared>? ahead = null;
            try
            {
                while (true)
                {
                    var (n, c, next) = await StorePassAsync(storeId, catalog, ahead, ct);
                    (catalog, ahead) = (c, next);
                    read += n;
                    if (next is null) break;
                }
                _failing.TryRemove(storeId, out _);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // One store's failure (a row it cannot read, a bug its data reaches) must not stop the others: it is
                // logged and that store alone is tried again later, 30 s·2ⁿ apart, at most an hour.
                var attempts = (failing?.Attempts ?? 0) + 1;
                var wait = TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, attempts - 1), 3600));
                _failing[storeId] = new StoreFailure(attempts, now + wait);
                await ForgetEnginesAsync(ahead);
                LogStoreFailed(log, e, storeId, attempts, wait);
            }
            catch
            {
                await ForgetEnginesAsync(ahead);
                throw;
            }
        }
        return read;
    }

    /// <summary>
    /// After a failed or cancelled batch: the engines may hold events of the rolled-back batch (or of the batch read
    /// ahead), so they are rebuilt from the database next time — once the batch read ahead has stopped using them.
    /// </summary>
    private async Task ForgetEnginesAsync(Task<Prepared>? ahead)
    {
        await StoppedAsync(ahead);
        _engines.Clear();
    }

    /// <summary>Waits for a batch read ahead to finish, whatever became of it (a failure there is the pass's to report, or moot).</summary>
    private static Task StoppedAsync(Task<Prepared>? ahead) => ahead?.ContinueWith(static t => t.Exception, TaskScheduler.Default) ?? Task.CompletedTask;

    private sealed record StoreFailure(int Attempts, DateTimeOffset RetryAt);

    private readonly ConcurrentDictionary<long, StoreFailure> _failing = new();

    [LoggerMessage(Level = LogLevel.Error, Message = "Scenario pass of store {StoreId} failed (attempt {Attempts}); the store is tried again in {Wait}, the others go on")]
    private static partial void LogStoreFailed(ILogger logger, Exception e, long storeId, int attempts, TimeSpan wait);

    /// <summary>Makes sure a store has a cursor; a new one starts after the newest event, so activation never replays history.</summary>
    public static async Task EnsureCursorAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.ScenarioCursors.AnyAsync(ct)) return;
        var last = await db.Events.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        db.ScenarioCursors.Add(new ScenarioCursor { StoreId = db.CurrentStoreId, LastEventId = last, UpdatedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another node made it
        }
    }

    /// <summary>
    /// A batch of a store's events past <see cref="After"/>, converted for the engines, with the facts of its customers
    /// for the scenarios it was read for (<see cref="Scenarios"/>), and — when it was read ahead by engines that were
    /// up to date — their decisions.
    /// </summary>
    private sealed record Prepared(long After, List<StoredEvent> Events, List<Scenario> Scenarios, CatalogView? Catalog,
        List<(ScenarioEvent Event, bool Imported)> Converted, Dictionary<long, Facts> Facts)
    {
        /// <summary>Made ahead of the transaction, by the engines as they were after the batch before; null when made in it.</summary>
        public List<(Scenario Scenario, Decision Decision)>? Decisions { get; init; }
    }

    /// <summary>True when two lists hold the same scenarios in the same versions.</summary>
    private static bool SameScenarios(List<Scenario> a, List<Scenario> b) =>
        a.Count == b.Count && a.Zip(b).All(x => x.First.Id == x.Second.Id && x.First.UpdatedAt == x.Second.UpdatedAt);

    /// <summary>Reads the batch of events past <paramref name="after"/>, converts them and reads their customers' facts.</summary>
    private async Task<Prepared> PrepareAsync(CartwiseDb db, long after, List<Scenario> scenarios, CatalogView? catalog, CancellationToken ct)
    {
        var events = await db.Events.AsNoTracking().Where(e => e.Id > after).OrderBy(e => e.Id).Take(_batchSize).ToListAsync(ct);
        if (events.Count == 0) return new Prepared(after, events, scenarios, catalog, [], []);
        catalog ??= await CatalogAsync(db, ct);
        var converted = await ConvertAsync(db, catalog, events.Where(e => e.CustomerId is not null && TriggerActions.Of(e.Name) is not null).ToList(), ct);
        var customers = converted.Select(c => c.Event.Customer).Distinct().ToList();
        var byOrders = scenarios.Any(s => Definition(s).Audience is { MinOrders: not null } or { MaxOrders: not null });
        var bySegment = scenarios.Any(s => Definition(s).Audience is { BySegment: true });
        var facts = await FactsAsync(db, customers, byOrders, ct, bySegment);
        return new Prepared(after, events, scenarios, catalog, converted, facts);
    }

    /// <summary>
    /// The engines decide on a batch, and are then known to have seen the events up to its last one.
    /// </summary>
    private List<(Scenario Scenario, Decision Decision)> Decide(List<(Scenario Scenario, ScenarioEngine Engine)> engines, Prepared batch, DateTimeOffset now)
    {
        var decisions = new List<(Scenario Scenario, Decision Decision)>();
        foreach (var (scenario, engine) in engines)
        {
            foreach (var (e, imported) in batch.Converted)
            {
                // History (imports, or events that happened more than a day before they reached us, such as an
                // `import events` of old data) is remembered for AND windows but never triggers a send for the past.
                if (imported || e.At < now - _horizon)
                {
                    engine.Remember(e);
                    continue;
                }
                var f = batch.Facts.GetValueOrDefault(e.Customer);
                foreach (var d in engine.Observe(e, f?.Customer ?? new CustomerFacts(false)))
                    decisions.Add((scenario, f?.Email is null && d.Kind == DecisionKinds.Scheduled ? d with { Kind = DecisionKinds.Skipped, Reason = "no email address", DueAt = null } : d));
            }
            if (_engines.TryGetValue(scenario.Id, out var live)) _engines[scenario.Id] = live with { LastEventId = batch.Events[^1].Id };
        }
        return decisions;
    }

    /// <summary>
    /// The next batch read ahead on a connection of its own while this one's decisions are written (reading and deciding
    /// take one core, writing the other), and decided on when every engine is up to date with the batch before; an
    /// engine to rebuild or to catch up with another node needs the database as it is at the cursor, so that batch is
    /// decided in its transaction. Nothing is locked here: the pass uses the batch only if the cursor is still where it
    /// was read from and the active scenarios are the same, and otherwise forgets the engines that decided on it and
    /// reads it again. Its customers' facts may be a batch older than the decision, as they may be older than the event:
    /// the outbox checks consent and caps again at send time.
    /// </summary>
    private Task<Prepared> ReadAheadAsync(long storeId, long after, List<Scenario> scenarios, CatalogView? catalog, CancellationToken ct) => Task.Run(async () =>
    {
        await using var db = target.CreateContext();
        db.CurrentStoreId = storeId;
        var batch = await PrepareAsync(db, after, scenarios, catalog, ct);
        if (batch.Events.Count == 0) return batch;
        var engines = new List<(Scenario, ScenarioEngine)>();
        foreach (var scenario in scenarios)
        {
            var winners = WinnersKey(await WinnersAsync(db, scenario, ct));
            if (!_engines.TryGetValue(scenario.Id, out var live) || !live.Serves(scenario, winners) || live.LastEventId != after)
                return batch;
            engines.Add((scenario, live.Engine));
        }
        return batch with { Decisions = Decide(engines, batch, clock.GetUtcNow()) };
    }, ct);

    /// <param name="catalog">The catalogue read by the previous batch of the same pass (read once a pass).</param>
    /// <param name="ahead">The batch the previous one read ahead, if it was full.</param>
    /// <returns>The events read, the catalogue, and the next batch being read ahead (null: this one was the last).</returns>
    private async Task<(int Events, CatalogView? Catalog, Task<Prepared>? Ahead)> StorePassAsync(long storeId, CatalogView? catalog, Task<Prepared>? ahead,
        CancellationToken ct)
    {
        using var span = Hosting.Telemetry.Source.StartActivity("cartwise.scenarios.pass");
        span?.SetTag("cartwise.store", storeId);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var db = target.CreateContext();
        db.CurrentStoreId = storeId;
        var now = clock.GetUtcNow();
        await EnsureCursorAsync(db, now, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The lock: PostgreSQL holds the cursor row until commit; on SQLite the write takes the database's write lock.
        var session = DbSession.From(db);
        long last;
        if (db.Kind == DatabaseKind.Postgres)
            last = (await Sql.QueryAsync(session, $"SELECT \"LastEventId\" FROM \"ScenarioCursors\" WHERE {StoreSql.Filter()} FOR UPDATE", [storeId], r => r.GetInt64(0), ct)).Single();
        else
        {
            await db.ScenarioCursors.Where(c => c.StoreId == storeId).ExecuteUpdateAsync(u => u.SetProperty(c => c.UpdatedAt, now), ct);
            last = await db.ScenarioCursors.Where(c => c.StoreId == storeId).Select(c => c.LastEventId).SingleAsync(ct);
        }
        var scenarios = await db.Scenarios.AsNoTracking().Where(s => s.State == ScenarioStates.Active).OrderBy(s => s.Id).ToListAsync(ct);
        var batch = ahead is null ? null : await ahead;
        if (batch is not null && (batch.After != last || !SameScenarios(batch.Scenarios, scenarios)))
        {
            // Another node moved the cursor, or a scenario changed, since the batch was read: its decisions are not
            // this transaction's, and the engines that made them have seen events they will not decide on.
            if (batch.Decisions is not null)
                foreach (var scenario in batch.Scenarios) Forget(scenario.Id);
            batch = null;
        }
        batch ??= await PrepareAsync(db, last, scenarios, catalog, ct);
        var events = batch.Events;
        if (events.Count == 0)
        {
            await tx.CommitAsync(ct);
            return (0, catalog, null);
        }
        catalog = batch.Catalog!;
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == storeId, ct);
        var decisions = batch.Decisions;
        if (decisions is null)
        {
            var engines = new List<(Scenario, ScenarioEngine)>();
            foreach (var scenario in scenarios) engines.Add((scenario, await EngineAsync(db, scenario, store, catalog, last, now, ct)));
            decisions = Decide(engines, batch, now);
        }
        var newLast = events[^1].Id;
        var next = events.Count == _batchSize ? ReadAheadAsync(storeId, newLast, scenarios, catalog, ct) : null;
        try
        {
            var written = await WriteAsync(db, store, decisions, batch.Facts, now, ct);
            await db.ScenarioCursors.Where(c => c.StoreId == storeId).ExecuteUpdateAsync(u => u.SetProperty(c => c.LastEventId, newLast).SetProperty(c => c.UpdatedAt, now), ct);
            await tx.CommitAsync(ct);
            if (batch.Decisions is not null) Interlocked.Increment(ref _decidedAhead);
            if (written > 0) LogDecisions(log, written, storeId, events.Count);
            foreach (var kind in decisions.GroupBy(d => d.Decision.Kind))
                Hosting.Telemetry.Decisions.Add(kind.Count(), Hosting.Telemetry.Tag("kind", kind.Key));
            Hosting.Telemetry.ScenarioPassDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            span?.SetTag("cartwise.events", events.Count);
            span?.SetTag("cartwise.decisions", written);
        }
        catch when (next is not null)
        {
            // The batch read ahead stops using the engines before the caller forgets them.
            await StoppedAsync(next);
            throw;
        }
        return (events.Count, catalog, next);
    }

    /// <summary>What the engine needs of a customer, and the address a scheduled message goes to.</summary>
    internal sealed record Facts(CustomerFacts Customer, string? Email);

    /// <param name="orders">Count each customer's orders (only when an audience filters by it).</param>
    /// <param name="segments">Look up each customer's current RFM segment (only when an audience filters by it).</param>
    internal static async Task<Dictionary<long, Facts>> FactsAsync(CartwiseDb db, List<long> customers, bool orders, CancellationToken ct, bool segments = false)
    {
        var result = new Dictionary<long, Facts>();
        foreach (var chunk in customers.Chunk(1000))
        {
            var counts = orders
                ? await db.Orders.AsNoTracking().Where(o => o.CustomerId != null && chunk.Contains(o.CustomerId.Value)).GroupBy(o => o.CustomerId!.Value)
                    .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct)
                : [];
            var segment = segments
                ? await db.CustomerSegments.AsNoTracking().Where(x => chunk.Contains(x.CustomerId)).ToDictionaryAsync(x => x.CustomerId, x => x.Segment, ct)
                : [];
            // Plain SQL: a batch asks for hundreds of profiles, and EF's materialisation was most of the time.
            await Sql.QueryInAsync(DbSession.From(db),
                $"SELECT \"Id\", \"EmailConsent\", \"ErasedAt\" IS NULL, \"Email\", \"Language\", \"Country\" FROM \"Customers\" WHERE {StoreSql.Filter()} AND \"Id\" IN ({{in}})",
                [db.CurrentStoreId], chunk, r =>
                {
                    var id = r.GetInt64(0);
                    var reachable = !r.IsDBNull(1) && r.GetBoolean(1) && r.GetBoolean(2);
                    result[id] = new Facts(new CustomerFacts(reachable, Sql.Text(r, 4), Sql.Text(r, 5), counts.GetValueOrDefault(id), segment.GetValueOrDefault(id)), Sql.Text(r, 3));
                    return 0;
                }, ct);
        }
        return result;
    }

    /// <summary>The engine of a scenario, rebuilt when the scenario changed or another node read events this one has not seen.</summary>
    private async Task<ScenarioEngine> EngineAsync(CartwiseDb db, Scenario scenario, Store store, CatalogView catalog, long last, DateTimeOffset now, CancellationToken ct)
    {
        var winners = await WinnersAsync(db, scenario, ct);
        var winnersKey = WinnersKey(winners);
        if (_engines.TryGetValue(scenario.Id, out var live) && live.Serves(scenario, winnersKey) && live.LastEventId <= last)
        {
            if (live.LastEventId < last) await CatchUpAsync(db, scenario, live, catalog, last, now, ct);
            return live.Engine;
        }
        var engine = EngineFor(scenario, catalog.Tree, store, winners, replay: false);
        Interlocked.Increment(ref _rebuilds);
        await LearnAsync(db, engine, scenario.Id, catalog, 0, last, now, everyone: true, ct);
        _engines[scenario.Id] = new LiveEngine(engine, scenario.UpdatedAt, last, winnersKey);
        return engine;
    }

    /// <summary>The winners an engine was built with, as one comparable text.</summary>
    private static string WinnersKey(Dictionary<string, string> winners) =>
        string.Join(',', winners.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => w.Key + "=" + w.Value));

    /// <summary>
    /// What an engine remembers of the events with ids in (<paramref name="after"/>, <paramref name="last"/>]: the actions
    /// of the last 30 days (longer when an AND window or a delay asks), and the sends scheduled as far back as the longest
    /// cap reaches (a 45-day cap holds after a restart as before it) — for every customer on a rebuild, for the customers
    /// of those events on a catch-up.
    /// </summary>
    private static async Task LearnAsync(CartwiseDb db, ScenarioEngine engine, long scenarioId, CatalogView catalog, long after, long last, DateTimeOffset now,
        bool everyone, CancellationToken ct)
    {
        var since = now - (engine.Memory > TimeSpan.FromDays(30) ? engine.Memory : TimeSpan.FromDays(30));
        var capSince = now - (engine.CapHorizon > TimeSpan.FromDays(30) ? engine.CapHorizon : TimeSpan.FromDays(30));
        var recent = await db.Events.AsNoTracking().Where(e => e.Id > after && e.Id <= last && e.OccurredAt >= since && e.CustomerId != null
            && (e.Name == EventNames.ViewItem || e.Name == EventNames.AddToCart || e.Name == EventNames.Purchase)).OrderBy(e => e.Id).ToListAsync(ct);
        var converted = await ConvertAsync(db, catalog, recent, ct);
        foreach (var (e, _) in converted) engine.Remember(e);
        await RememberScheduledAsync(db, engine, scenarioId, capSince, everyone ? null : converted.Select(c => c.Event.Customer).Distinct().ToList(), ct);
    }

    /// <summary>
    /// The sends the scenario scheduled since <paramref name="capSince"/> (for all customers, or these), for the caps the
    /// engine checks when it decides. Every scheduled send counts, whatever became of it at send time: an engine that
    /// counted only the sends that went out would decide differently depending on whether it ran before or after an
    /// earlier message was skipped (a customer who bought in between), and a live engine cannot know that — so a
    /// restart, another node or a slow pass would change the decisions. The outbox checks the caps again when a message
    /// is due, against the messages sent or being sent.
    /// </summary>
    private static async Task RememberScheduledAsync(CartwiseDb db, ScenarioEngine engine, long scenarioId, DateTimeOffset capSince, IReadOnlyList<long>? customers,
        CancellationToken ct)
    {
        foreach (var chunk in customers is null ? [null] : customers.Chunk(1000).Select(c => (long[]?)c))
            foreach (var d in await db.ScenarioDecisions.AsNoTracking()
                         .Where(d => d.ScenarioId == scenarioId && d.Kind == DecisionKinds.Scheduled && d.DueAt >= capSince && (chunk == null || chunk.Contains(d.CustomerId)))
                         .Select(d => new { d.CustomerId, d.Rule, d.DueAt }).ToListAsync(ct))
                engine.RememberScheduled(d.CustomerId, d.Rule, d.DueAt!.Value);
    }

    /// <summary>
    /// Another node decided on the events between this engine's last pass and the cursor: the engine learns them as that
    /// node's engine did — the events, and the sends it scheduled for their customers — instead of being rebuilt from 30
    /// days of history, which with several nodes taking turns would be every pass.
    /// </summary>
    private async Task CatchUpAsync(CartwiseDb db, Scenario scenario, LiveEngine live, CatalogView catalog, long last, DateTimeOffset now, CancellationToken ct)
    {
        await LearnAsync(db, live.Engine, scenario.Id, catalog, live.LastEventId, last, now, everyone: false, ct);
        _engines[scenario.Id] = live with { LastEventId = last };
        Interlocked.Increment(ref _catchUps);
        Hosting.Telemetry.ScenarioCatchUps.Add(1);
    }

    /// <summary>The catalogue as the engine needs it: each product's category, products by the shop's id, the category tree.</summary>
    public sealed record CatalogView(Dictionary<long, long?> CategoryOf, Dictionary<string, long> ByExternal, Func<long, long, bool> Tree, Dictionary<long, long> Merged);

    /// <summary>The catalogue as it is now (products and categories that came after the last model build included).</summary>
    public static async Task<CatalogView> CatalogAsync(CartwiseDb db, CancellationToken ct)
    {
        var products = await db.Products.AsNoTracking().Select(p => new { p.Id, p.ExternalId, p.CategoryId }).ToListAsync(ct);
        // Merged profiles lead to the survivor: few, so read once.
        var merged = await db.Customers.AsNoTracking().Where(c => c.MergedIntoId != null).ToDictionaryAsync(c => c.Id, c => c.MergedIntoId!.Value, ct);
        return new CatalogView(products.ToDictionary(p => p.Id, p => p.CategoryId), products.ToDictionary(p => p.ExternalId, p => p.Id, StringComparer.Ordinal),
            await TreeAsync(db, ct), merged);
    }

    /// <summary>
    /// Stored events as the engine sees them: views and carts with the products of their items, purchases with the
    /// lines of their order (imported or tracked), each product with its category. Merged profiles lead to the survivor.
    /// </summary>
    public static async Task<List<(ScenarioEvent Event, bool Imported)>> ConvertAsync(CartwiseDb db, CatalogView catalog, List<StoredEvent> events, CancellationToken ct)
    {
        var transactions = events.Where(e => e.Name == EventNames.Purchase && e.TransactionId is not null).Select(e => e.TransactionId!).Distinct().ToList();
        var orders = new Dictionary<string, (long Id, decimal Value, List<long> Products)>(StringComparer.Ordinal);
        // Plain SQL, orders first and then their lines by id range: tens of thousands of lines a batch, where EF's
        // materialisation and per-row strings cost more than the queries.
        var session = DbSession.From(db);
        var heads = await Sql.QueryInAsync(session, $"SELECT \"ExternalId\", \"Id\", \"Value\" FROM \"Orders\" WHERE {StoreSql.Filter()} AND \"ExternalId\" IN ({{in}})",
            [db.CurrentStoreId], transactions, r => (Tx: r.GetString(0), Id: r.GetInt64(1), Value: Sql.Money(r, 2)), ct);
        var byId = new Dictionary<long, List<long>>();
        foreach (var h in heads)
        {
            var list = new List<long>();
            orders[h.Tx] = (h.Id, h.Value, list);
            byId[h.Id] = list;
        }
        if (heads.Count > 0)
        {
            var (min, max) = (heads.Min(h => h.Id), heads.Max(h => h.Id));
            await Sql.ForEachAsync(session, $"SELECT \"OrderId\", \"ProductId\" FROM \"OrderLines\" WHERE {StoreSql.Filter()} AND \"OrderId\" >= @p1 AND \"OrderId\" <= @p2",
                [db.CurrentStoreId, min, max], r =>
            {
                if (byId.TryGetValue(r.GetInt64(0), out var list))
                {
                    var p = r.GetInt64(1);
                    if (!list.Contains(p)) list.Add(p);
                }
            }, ct);
        }
        var merged = catalog.Merged;
        var result = new List<(ScenarioEvent, bool)>(events.Count);
        var items = new List<long>();
        var seen = new HashSet<long>();
        foreach (var e in events)
        {
            var action = TriggerActions.Of(e.Name)!;
            long[] products;
            long? orderId = null;
            decimal? value = e.Value;
            if (action == TriggerActions.Order)
            {
                if (e.TransactionId is { } tx && orders.TryGetValue(tx, out var o))
                {
                    products = [.. o.Products];
                    orderId = o.Id;
                    value ??= o.Value;
                }
                else products = [];
            }
            else
            {
                items.Clear();
                ModelService.AddItemProducts(e.Payload, catalog.ByExternal, items);
                products = items.Distinct().ToArray();
            }
            var categories = CategoriesOf(products, catalog.CategoryOf, seen);
            var customer = merged.GetValueOrDefault(e.CustomerId!.Value, e.CustomerId.Value);
            result.Add((new ScenarioEvent(e.EventId, customer, action, e.OccurredAt, products, categories, value, orderId),
                ImportedEvents.IsImported(e.EventId)));
        }
        return result;
    }

    /// <summary>The distinct categories of products, in the order their products come (products without one add none).</summary>
    private static long[] CategoriesOf(long[] products, Dictionary<long, long?> categoryOf, HashSet<long> seen)
    {
        seen.Clear();
        var categories = new List<long>(products.Length);
        foreach (var p in products)
            if (categoryOf.GetValueOrDefault(p) is { } c && seen.Add(c)) categories.Add(c);
        return [.. categories];
    }

    /// <summary>The store's category tree as it is now, for "is this category within that one".</summary>
    public static async Task<Func<long, long, bool>> TreeAsync(CartwiseDb db, CancellationToken ct)
    {
        var parents = await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.ParentId, ct);
        return (category, ancestor) => RecommendationModel.IsWithin(parents, category, ancestor);
    }

    /// <summary>
    /// Stores decisions and their outbox rows with prepared statements. Both are unique by (scenario, rule, customer,
    /// trigger): a decision made twice (a node whose engine was stale) is dropped by the database, never sent twice.
    /// </summary>
    private static async Task<int> WriteAsync(CartwiseDb db, Store store, List<(Scenario Scenario, Decision Decision)> decisions, Dictionary<long, Facts> facts, DateTimeOffset now, CancellationToken ct)
    {
        if (decisions.Count == 0) return 0;
        var writer = RowWriter.For(db);
        var scheduled = decisions.Where(d => d.Decision.Kind == DecisionKinds.Scheduled).ToList();
        var ids = await new OutboxWriter(writer, store.Id).EnqueueAsync(scheduled.Select(x =>
        {
            var (scenario, d) = x;
            return new OutboxMessage
            {
                StoreId = store.Id, Key = OutboxKey(scenario.Id, d.Rule, d.Customer, d.TriggerKey), MessageId = d.MessageId, CustomerId = d.Customer,
                Email = facts[d.Customer].Email!, ScenarioId = scenario.Id, Rule = d.Rule, TriggerId = d.TriggerKey, OrderId = d.Order,
                ProductIds = d.Products.Count == 0 ? null : string.Join(',', d.Products.Take(20).Select(p => p.ToString(CultureInfo.InvariantCulture))),
                DueAt = d.DueAt!.Value,
            };
        }).ToList(), now, ct);
        var outboxOf = new Dictionary<Decision, long>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < scheduled.Count; i++) if (ids[i] != 0) outboxOf[scheduled[i].Decision] = ids[i];
        await writer.InsertAsync("ScenarioDecisions", ["StoreId", "ScenarioId", "Rule", "CustomerId", "TriggerKey", "Kind", "Reason", "At", "DueAt", "DecidedAt", "MessageId", "OutboxId", "Variant"],
            decisions.Select(x =>
        {
            var (scenario, d) = x;
            return new object?[]
            {
                store.Id, scenario.Id, d.Rule, d.Customer, d.TriggerKey, d.Kind, d.Reason, d.At, d.DueAt, now, d.MessageId,
                outboxOf.TryGetValue(d, out var o) ? o : null, d.Variant,
            };
        }).ToList(), ct, "ON CONFLICT DO NOTHING");
        return decisions.Count;
    }

    /// <summary>The idempotency key of a scenario's message: store (by the row), recipient, scenario, rule, trigger.</summary>
    public static string OutboxKey(long scenario, string rule, long customer, string trigger) =>
        string.Create(CultureInfo.InvariantCulture, $"s{scenario}:{rule}:c{customer}:{trigger}");

    /// <summary>Forgets a scenario's engine (after an edit), so the next pass rebuilds it.</summary>
    public void Forget(long scenarioId) => _engines.TryRemove(scenarioId, out _);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scenarios: {Decisions} decisions for store {Store} from {Events} events")]
    private static partial void LogDecisions(ILogger logger, int decisions, long store, int events);
}

/// <summary>The scenario engine's settings (section <c>Scenarios</c>).</summary>
public sealed class ScenarioOptions
{
    /// <summary>Events that happened longer than this before they are processed are history: they never trigger a send.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)] public double HistoryHorizonHours { get; set; } = 24;

    /// <summary>
    /// Events decided on in one transaction. While a full batch is written, the next one is read and decided on ahead
    /// of its transaction.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)] public int BatchSize { get; set; } = 2000;
}

/// <summary>Runs scenario passes every second.</summary>
internal sealed class ScenarioWorker(ScenarioService scenarios, TimeProvider clock, ILogger<ScenarioWorker> log)
    : PollingWorker(clock, TimeSpan.FromSeconds(1), log)
{
    internal override Task PassAsync(CancellationToken ct) => scenarios.PassAsync(ct);
}
