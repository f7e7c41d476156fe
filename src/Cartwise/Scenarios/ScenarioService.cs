using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Recommendations;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Messages;
using Cartwise.Recommendations;
using Cartwise.Stores;
using Cartwise.Tracking;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>
/// Feeds tracked events to the active scenarios of each store and stores what they decide: decision rows, and an
/// outbox row for each scheduled message (due after the delay and outside quiet hours). A store's events are read
/// past a cursor whose row is locked for the pass (<c>FOR UPDATE</c> on PostgreSQL, SQLite's single writer), so two
/// nodes never process the same events; decisions and outbox rows are unique by (scenario, rule, customer, trigger)
/// besides. Imported history (<c>import:…</c> events) never triggers sends. Engines live in memory between passes and
/// are rebuilt from recent events and decisions when another node moved the cursor or a scenario changed.
/// </summary>
public sealed partial class ScenarioService(DatabaseTarget target, TimeProvider clock, ILogger<ScenarioService> log)
{
    public static readonly JsonSerializerOptions Json = MessageComposer.Json;
    private const int BatchSize = 2000;

    private sealed record LiveEngine(ScenarioEngine Engine, DateTimeOffset Updated, long LastEventId);

    private readonly ConcurrentDictionary<long, LiveEngine> _engines = new();

    public static ScenarioDefinition Definition(Scenario s) => JsonSerializer.Deserialize<ScenarioDefinition>(s.Definition, Json) ?? new ScenarioDefinition();

    public static ScenarioEngine EngineFor(Scenario s, Func<long, long, bool> tree, Store store) =>
        new(s.Id, s.Kind, Definition(s), tree, Zone(store.TimeZone));

    public static TimeZoneInfo Zone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>One pass over every store with an active scenario. Returns the events read.</summary>
    public async Task<int> PassAsync(CancellationToken ct)
    {
        List<long> stores;
        await using (var db = target.CreateContext())
            stores = await db.Scenarios.IgnoreQueryFilters().Where(s => s.State == ScenarioStates.Active).Select(s => s.StoreId).Distinct().ToListAsync(ct);
        var read = 0;
        foreach (var storeId in stores)
            while (true)
            {
                var n = await StorePassAsync(storeId, ct);
                read += n;
                if (n < BatchSize) break;
            }
        return read;
    }

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

    private async Task<int> StorePassAsync(long storeId, CancellationToken ct)
    {
        await using var db = target.CreateContext();
        db.CurrentStoreId = storeId;
        var now = clock.GetUtcNow();
        await EnsureCursorAsync(db, now, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The lock: PostgreSQL holds the cursor row until commit; on SQLite the write takes the database's write lock.
        var session = DbSession.From(db);
        long last;
        if (db.Kind == DatabaseKind.Postgres)
            last = (await Sql.QueryAsync(session, "SELECT \"LastEventId\" FROM \"ScenarioCursors\" WHERE \"StoreId\" = @p0 FOR UPDATE", [storeId], r => r.GetInt64(0), ct)).Single();
        else
        {
            await db.ScenarioCursors.Where(c => c.StoreId == storeId).ExecuteUpdateAsync(u => u.SetProperty(c => c.UpdatedAt, now), ct);
            last = await db.ScenarioCursors.Where(c => c.StoreId == storeId).Select(c => c.LastEventId).SingleAsync(ct);
        }
        var events = await db.Events.AsNoTracking().Where(e => e.Id > last).OrderBy(e => e.Id).Take(BatchSize).ToListAsync(ct);
        if (events.Count == 0)
        {
            await tx.CommitAsync(ct);
            return 0;
        }
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == storeId, ct);
        var scenarios = await db.Scenarios.AsNoTracking().Where(s => s.State == ScenarioStates.Active).ToListAsync(ct);
        var tree = await TreeAsync(db, ct);
        var converted = await ConvertAsync(db, events.Where(e => e.CustomerId is not null && TriggerActions.Of(e.Name) is not null).ToList(), ct);
        var customers = converted.Select(c => c.Event.Customer).Distinct().ToList();
        var facts = await FactsAsync(db, customers, ct);

        var decisions = new List<(Scenario Scenario, Decision Decision)>();
        foreach (var scenario in scenarios)
        {
            var engine = await EngineAsync(db, scenario, store, tree, last, now, ct);
            foreach (var (e, imported) in converted)
            {
                if (imported)
                {
                    engine.Remember(e);
                    continue;
                }
                var f = facts.GetValueOrDefault(e.Customer);
                foreach (var d in engine.Observe(e, f?.Customer ?? new CustomerFacts(false)))
                    decisions.Add((scenario, f?.Email is null && d.Kind == DecisionKinds.Scheduled ? d with { Kind = DecisionKinds.Skipped, Reason = "no email address", DueAt = null } : d));
            }
        }
        var written = await WriteAsync(db, store, decisions, facts, now, ct);
        var newLast = events[^1].Id;
        await db.ScenarioCursors.Where(c => c.StoreId == storeId).ExecuteUpdateAsync(u => u.SetProperty(c => c.LastEventId, newLast).SetProperty(c => c.UpdatedAt, now), ct);
        await tx.CommitAsync(ct);
        foreach (var scenario in scenarios)
            if (_engines.TryGetValue(scenario.Id, out var live)) _engines[scenario.Id] = live with { LastEventId = newLast };
        if (written > 0) LogDecisions(log, written, storeId, events.Count);
        return events.Count;
    }

    private sealed record Facts(CustomerFacts Customer, string? Email);

    private static async Task<Dictionary<long, Facts>> FactsAsync(CartwiseDb db, List<long> customers, CancellationToken ct)
    {
        var result = new Dictionary<long, Facts>();
        foreach (var chunk in customers.Chunk(1000))
        {
            var rows = await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Id))
                .Select(c => new { c.Id, c.EmailConsent, c.Email, c.Language, c.Country, c.ErasedAt, Orders = db.Orders.Count(o => o.CustomerId == c.Id) }).ToListAsync(ct);
            foreach (var c in rows)
                result[c.Id] = new Facts(new CustomerFacts(c.EmailConsent == true && c.ErasedAt == null, c.Language, c.Country, c.Orders), c.Email);
        }
        return result;
    }

    /// <summary>The engine of a scenario, rebuilt when the scenario changed or another node read events this one has not seen.</summary>
    private async Task<ScenarioEngine> EngineAsync(CartwiseDb db, Scenario scenario, Store store, Func<long, long, bool> tree, long last, DateTimeOffset now, CancellationToken ct)
    {
        if (_engines.TryGetValue(scenario.Id, out var live) && live.Updated == scenario.UpdatedAt && live.LastEventId == last) return live.Engine;
        var engine = EngineFor(scenario, tree, store);
        // What the engine remembers: the last 30 days of actions, and the sends scheduled in them (for caps).
        var since = now.AddDays(-30);
        var recent = await db.Events.AsNoTracking().Where(e => e.Id <= last && e.OccurredAt >= since && e.CustomerId != null
            && (e.Name == "view_item" || e.Name == "add_to_cart" || e.Name == "purchase")).OrderBy(e => e.Id).ToListAsync(ct);
        foreach (var (e, _) in await ConvertAsync(db, recent, ct)) engine.Remember(e);
        foreach (var d in await db.ScenarioDecisions.AsNoTracking().Where(d => d.ScenarioId == scenario.Id && d.Kind == DecisionKinds.Scheduled && d.DueAt >= since)
                     .Select(d => new { d.CustomerId, d.Rule, d.DueAt }).ToListAsync(ct))
            engine.RememberScheduled(d.CustomerId, d.Rule, d.DueAt!.Value);
        _engines[scenario.Id] = new LiveEngine(engine, scenario.UpdatedAt, last);
        return engine;
    }

    /// <summary>
    /// Stored events as the engine sees them: views and carts with the products of their items, purchases with the
    /// lines of their order (imported or tracked), each product with its category, read from the catalogue as it is
    /// now (products and categories that came after the last model build included). Merged profiles lead to the survivor.
    /// </summary>
    public static async Task<List<(ScenarioEvent Event, bool Imported)>> ConvertAsync(CartwiseDb db, List<StoredEvent> events, CancellationToken ct)
    {
        var transactions = events.Where(e => e.Name == "purchase" && e.TransactionId is not null).Select(e => e.TransactionId!).Distinct().ToList();
        var orders = new Dictionary<string, (long Id, decimal Value, List<long> Products)>(StringComparer.Ordinal);
        foreach (var chunk in transactions.Chunk(1000))
        {
            var rows = await (from o in db.Orders.AsNoTracking()
                              where chunk.Contains(o.ExternalId)
                              join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId into lines
                              from l in lines.DefaultIfEmpty()
                              select new { o.Id, o.ExternalId, o.Value, ProductId = (long?)l.ProductId }).ToListAsync(ct);
            foreach (var g in rows.GroupBy(r => r.ExternalId))
                orders[g.Key] = (g.First().Id, g.First().Value, g.Where(r => r.ProductId is not null).Select(r => r.ProductId!.Value).Distinct().ToList());
        }
        // Item ids of views and carts, then every product's category.
        var itemIds = events.Where(e => e.Name != "purchase").ToDictionary(e => e.Id, e => ItemIds(e.Payload));
        var externals = itemIds.Values.SelectMany(x => x).Distinct().ToList();
        var byExternal = new Dictionary<string, (long Id, long? Category)>(StringComparer.Ordinal);
        foreach (var chunk in externals.Chunk(1000))
            foreach (var p in await db.Products.AsNoTracking().Where(p => chunk.Contains(p.ExternalId)).Select(p => new { p.Id, p.ExternalId, p.CategoryId }).ToListAsync(ct))
                byExternal[p.ExternalId] = (p.Id, p.CategoryId);
        var ordered = orders.Values.SelectMany(o => o.Products).Distinct().ToList();
        var categoryOf = byExternal.Values.ToDictionary(p => p.Id, p => p.Category);
        foreach (var chunk in ordered.Where(p => !categoryOf.ContainsKey(p)).Chunk(1000))
            foreach (var p in await db.Products.AsNoTracking().Where(p => chunk.Contains(p.Id)).Select(p => new { p.Id, p.CategoryId }).ToListAsync(ct))
                categoryOf[p.Id] = p.CategoryId;

        var merged = await MergedAsync(db, events.Select(e => e.CustomerId!.Value).Distinct().ToList(), ct);
        var result = new List<(ScenarioEvent, bool)>(events.Count);
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
            else products = itemIds[e.Id].Select(x => byExternal.TryGetValue(x, out var p) ? p.Id : 0).Where(p => p != 0).Distinct().ToArray();
            var categories = products.Select(p => categoryOf.GetValueOrDefault(p)).OfType<long>().Distinct().ToArray();
            var customer = merged.GetValueOrDefault(e.CustomerId!.Value, e.CustomerId.Value);
            result.Add((new ScenarioEvent(e.EventId, customer, action, e.OccurredAt, products, categories, value, orderId),
                e.EventId.StartsWith("import:", StringComparison.Ordinal)));
        }
        return result;
    }

    private static List<string> ItemIds(string payload)
    {
        var ids = new List<string>();
        if (payload.Length <= 2) return ids;
        using var doc = JsonDocument.Parse(payload);
        if (!doc.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return ids;
        foreach (var item in items.EnumerateArray())
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("item_id", out var id))
                ids.Add(id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText());
        return ids;
    }

    /// <summary>The store's category tree as it is now, for "is this category within that one".</summary>
    public static async Task<Func<long, long, bool>> TreeAsync(CartwiseDb db, CancellationToken ct)
    {
        var parents = await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.ParentId, ct);
        return (category, ancestor) =>
        {
            for (long? c = category; c is { } id; c = parents.GetValueOrDefault(id))
                if (id == ancestor) return true;
            return false;
        };
    }

    private static async Task<Dictionary<long, long>> MergedAsync(CartwiseDb db, List<long> customers, CancellationToken ct)
    {
        var map = new Dictionary<long, long>();
        foreach (var chunk in customers.Chunk(1000))
            foreach (var c in await db.Customers.AsNoTracking().Where(c => chunk.Contains(c.Id) && c.MergedIntoId != null).Select(c => new { c.Id, c.MergedIntoId }).ToListAsync(ct))
                map[c.Id] = c.MergedIntoId!.Value;
        return map;
    }

    private static async Task<int> WriteAsync(CartwiseDb db, Store store, List<(Scenario Scenario, Decision Decision)> decisions, Dictionary<long, Facts> facts, DateTimeOffset now, CancellationToken ct)
    {
        if (decisions.Count == 0) return 0;
        // A replay after a crash between commit and cursor is impossible (one transaction), but a decision made by a
        // node whose engine was stale is caught here: the key exists, the decision is dropped.
        var scenarioIds = decisions.Select(d => d.Scenario.Id).Distinct().ToList();
        var keys = decisions.Select(d => d.Decision.TriggerKey).Distinct().ToList();
        var existing = new HashSet<(long, string, long, string)>();
        foreach (var chunk in keys.Chunk(1000))
            foreach (var x in await db.ScenarioDecisions.AsNoTracking().Where(d => scenarioIds.Contains(d.ScenarioId) && chunk.Contains(d.TriggerKey))
                         .Select(d => new { d.ScenarioId, d.Rule, d.CustomerId, d.TriggerKey }).ToListAsync(ct))
                existing.Add((x.ScenarioId, x.Rule, x.CustomerId, x.TriggerKey));
        var rows = new List<(ScenarioDecision Row, OutboxMessage? Outbox)>();
        foreach (var (scenario, d) in decisions)
        {
            if (!existing.Add((scenario.Id, d.Rule, d.Customer, d.TriggerKey))) continue;
            var row = new ScenarioDecision
            {
                StoreId = store.Id, ScenarioId = scenario.Id, Rule = d.Rule, CustomerId = d.Customer, TriggerKey = d.TriggerKey, Kind = d.Kind,
                Reason = d.Reason, At = d.At, DueAt = d.DueAt, DecidedAt = now, MessageId = d.MessageId,
            };
            OutboxMessage? outbox = null;
            if (d.Kind == DecisionKinds.Scheduled)
                outbox = new OutboxMessage
                {
                    StoreId = store.Id, Key = OutboxKey(scenario.Id, d.Rule, d.Customer, d.TriggerKey), MessageId = d.MessageId, CustomerId = d.Customer,
                    Email = facts[d.Customer].Email!, ScenarioId = scenario.Id, Rule = d.Rule, TriggerId = d.TriggerKey, OrderId = d.Order,
                    ProductIds = d.Products.Count == 0 ? null : string.Join(',', d.Products.Take(20).Select(p => p.ToString(CultureInfo.InvariantCulture))),
                    DueAt = d.DueAt!.Value, CreatedAt = now,
                };
            rows.Add((row, outbox));
        }
        db.Outbox.AddRange(rows.Where(r => r.Outbox is not null).Select(r => r.Outbox!));
        await db.SaveChangesAsync(ct);
        foreach (var (row, outbox) in rows) row.OutboxId = outbox?.Id;
        db.ScenarioDecisions.AddRange(rows.Select(r => r.Row));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return rows.Count;
    }

    /// <summary>The idempotency key of a scenario's message: store (by the row), recipient, scenario, rule, trigger.</summary>
    public static string OutboxKey(long scenario, string rule, long customer, string trigger) =>
        string.Create(CultureInfo.InvariantCulture, $"s{scenario}:{rule}:c{customer}:{trigger}");

    /// <summary>Forgets a scenario's engine (after an edit), so the next pass rebuilds it.</summary>
    public void Forget(long scenarioId) => _engines.TryRemove(scenarioId, out _);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scenarios: {Decisions} decisions for store {Store} from {Events} events")]
    private static partial void LogDecisions(ILogger logger, int decisions, long store, int events);
}

/// <summary>Runs scenario passes every second.</summary>
internal sealed class ScenarioWorker(ScenarioService scenarios, TimeProvider clock, ILogger<ScenarioWorker> log)
    : PollingWorker(clock, TimeSpan.FromSeconds(1), log)
{
    internal override Task PassAsync(CancellationToken ct) => scenarios.PassAsync(ct);
}
