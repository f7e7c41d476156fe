using System.Text.Json;
using Cartwise.Core.Tracking;
using Cartwise.Catalog;
using Cartwise.Core.Evaluation;
using Cartwise.Core.Recommendations;
using Cartwise.Data;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Recommendations;

/// <summary>
/// Builds, stores and loads recommendation models, and holds each store's current one. A build reads the store's
/// orders and views, mines them, stores the run, and swaps the new model in with one reference write: a request sees
/// the old model or the new one, never half of one. Thread-safe.
/// </summary>
public sealed class ModelService(DatabaseTarget target, TimeProvider clock)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, RecommendationModel> _current = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, SemaphoreSlim> _locks = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, long> _loadedRun = new();

    /// <summary>The store's current model: loaded from its last run, or built now when it has none.</summary>
    public async Task<RecommendationModel> GetAsync(long storeId, CancellationToken ct)
    {
        if (_current.TryGetValue(storeId, out var model)) return model;
        var gate = _locks.GetOrAdd(storeId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_current.TryGetValue(storeId, out model)) return model;
            return await LoadLatestAsync(storeId, ct) ?? (await BuildAsync(storeId, new ModelOptions(), null, ct)).Model;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stores whose model this node holds in memory.</summary>
    public IReadOnlyCollection<long> LoadedStores => (IReadOnlyCollection<long>)_current.Keys;

    /// <summary>Loads the newest succeeded run if it is not the one in memory (built by another node or the CLI).</summary>
    public async Task<RecommendationModel?> LoadLatestAsync(long storeId, CancellationToken ct)
    {
        await using var db = Open(storeId);
        var latest = await db.MiningRuns.AsNoTracking().Where(r => r.Status == RunStatus.Succeeded && r.Model != null)
            .OrderByDescending(r => r.Id).Select(r => new { r.Id }).FirstOrDefaultAsync(ct);
        if (latest is null) return null;
        if (_loadedRun.TryGetValue(storeId, out var loaded) && loaded == latest.Id && _current.TryGetValue(storeId, out var same)) return same;
        var bytes = await db.MiningRuns.AsNoTracking().Where(r => r.Id == latest.Id).Select(r => r.Model!).SingleAsync(ct);
        var (products, parents, names) = await CatalogueAsync(db, ct);
        var model = ModelBlob.FromBytes(bytes).ToModel(storeId, products, parents, names, await TunedBlendAsync(db, storeId, ct));
        _current[storeId] = model;
        _loadedRun[storeId] = latest.Id;
        return model;
    }

    /// <summary>
    /// Loads a newer run if there is one (which reads the catalogue too), else re-reads the catalogue into the current
    /// model: prices and availability change between builds.
    /// </summary>
    public async Task SyncAsync(long storeId, CancellationToken ct)
    {
        var before = _loadedRun.GetValueOrDefault(storeId);
        await LoadLatestAsync(storeId, ct);
        if (_loadedRun.GetValueOrDefault(storeId) == before) await RefreshCatalogueAsync(storeId, ct);
    }

    /// <summary>Reloads the catalogue into the current model (prices and availability change between builds).</summary>
    private async Task RefreshCatalogueAsync(long storeId, CancellationToken ct)
    {
        if (!_current.TryGetValue(storeId, out var model)) return;
        await using var db = Open(storeId);
        var (products, parents, names) = await CatalogueAsync(db, ct);
        _current[storeId] = ModelBlob.From(model).ToModel(storeId, products, parents, names, await TunedBlendAsync(db, storeId, ct));
    }

    /// <summary>Builds a model from the store's orders (since <paramref name="since"/>, or all) and views, stores the run, swaps it in.</summary>
    public async Task<(RecommendationModel Model, ModelStats Stats, MiningRun Run)> BuildAsync(long storeId, ModelOptions options, DateTimeOffset? since, CancellationToken ct)
    {
        using var span = Hosting.Telemetry.Source.StartActivity("cartwise.model.build");
        span?.SetTag("cartwise.store", storeId);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var db = Open(storeId);
        var run = new MiningRun { StoreId = storeId, Status = RunStatus.Running, StartedAt = clock.GetUtcNow(), Since = since, MinConfidence = options.MinConfidence };
        db.MiningRuns.Add(run);
        await db.SaveChangesAsync(ct);
        try
        {
            var (products, parents, names) = await CatalogueAsync(db, ct);
            var orders = await BasketsAsync(db, since, ct);
            var sessions = await ViewSessionsAsync(db, products, ct);
            var (model, stats) = Core.Recommendations.ModelBuilder.Build(storeId, clock.GetUtcNow(), products, parents, names, orders, sessions, options,
                await TunedBlendAsync(db, storeId, ct));
            run.Status = RunStatus.Succeeded;
            run.FinishedAt = clock.GetUtcNow();
            run.Baskets = stats.Baskets;
            run.Items = stats.Items;
            run.MinSupportCount = stats.MinSupportCount;
            run.ItemsetsBySize = JsonSerializer.Serialize(stats.ItemsetsBySize);
            run.Rules = stats.Rules;
            run.CategoryRules = stats.CategoryRules;
            run.Pairs = stats.Pairs;
            run.Model = ModelBlob.From(model).ToBytes();
            await db.SaveChangesAsync(CancellationToken.None);
            _current[storeId] = model;
            _loadedRun[storeId] = run.Id;
            Hosting.Telemetry.ModelBuildDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            return (model, stats, run);
        }
        catch (Exception e)
        {
            run.Status = RunStatus.Failed;
            run.FinishedAt = clock.GetUtcNow();
            run.Error = e.Message;
            await db.SaveChangesAsync(CancellationToken.None);
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    /// <summary>The store's tuned customer blend, if it has one (<see cref="Store.TunedBlend"/>).</summary>
    internal static async Task<TunedBlend?> TunedBlendAsync(CartwiseDb db, long storeId, CancellationToken ct)
    {
        var json = await db.Stores.AsNoTracking().Where(s => s.Id == storeId).Select(s => s.TunedBlend).SingleOrDefaultAsync(ct);
        return json is null ? null : JsonSerializer.Deserialize<TunedBlend>(json, StoredJson.Options);
    }

    /// <summary>
    /// Tunes the store's customer blend on its own history (<see cref="BlendTuning"/>) and keeps it when the history is
    /// enough to choose by; the current model takes it at its next sync or build. Returns what tuning found and the
    /// number of orders read.
    /// </summary>
    internal static async Task<(TuningResult Result, int Orders)> TuneAsync(CartwiseDb db, long storeId, int k, DateTimeOffset now, CancellationToken ct)
    {
        var orders = await BasketsAsync(db, null, ct);
        var (customers, guests) = EvaluationSplit.Histories(orders);
        var split = EvaluationSplit.ByDate(customers, guests, BlendTuning.ValidationDate(orders));
        var (products, parents, _) = await CatalogueAsync(db, ct);
        var result = BlendTuning.Tune(split, products, parents, k, new ModelOptions(), now);
        if (result.Blend is { } blend) await SaveTunedBlendAsync(db, storeId, blend, ct);
        return (result, orders.Count);
    }

    /// <summary>
    /// Keeps <paramref name="blend"/> as the store's customer blend (null: back to the built-in one). Every node's
    /// model takes it at its next sync, with the catalogue.
    /// </summary>
    internal static async Task SaveTunedBlendAsync(CartwiseDb db, long storeId, TunedBlend? blend, CancellationToken ct)
    {
        var json = blend is null ? null : JsonSerializer.Serialize(blend, StoredJson.Options);
        await db.Stores.Where(s => s.Id == storeId).ExecuteUpdateAsync(u => u.SetProperty(s => s.TunedBlend, json), ct);
    }

    private CartwiseDb Open(long storeId)
    {
        var db = target.CreateContext();
        db.CurrentStoreId = storeId;
        return db;
    }

    /// <summary>The store's products as recommendations see them, category parents and category paths.</summary>
    internal static async Task<(Dictionary<long, ProductInfo> Products, Dictionary<long, long?> Parents, Dictionary<long, string> Names)> CatalogueAsync(CartwiseDb db, CancellationToken ct)
    {
        var products = await ProductInfosAsync(db.Products, ct);
        var categories = await db.Categories.AsNoTracking().Select(c => new { c.Id, c.ParentId, c.Path }).ToListAsync(ct);
        return (products, categories.ToDictionary(c => c.Id, c => c.ParentId), categories.ToDictionary(c => c.Id, c => c.Path));
    }

    /// <summary>Products as recommendations and messages show them (the sale price when there is one), by id.</summary>
    internal static async Task<Dictionary<long, ProductInfo>> ProductInfosAsync(IQueryable<Product> products, CancellationToken ct) =>
        (await products.AsNoTracking()
            .Select(p => new { p.Id, p.ExternalId, p.Name, Price = p.SalePrice ?? p.Price, p.Currency, p.Link, p.ImageLink, p.CategoryId, p.Brand, p.ItemGroupId, p.Available, p.CustomLabels })
            .ToListAsync(ct))
        .ToDictionary(p => p.Id, p => new ProductInfo(p.Id, p.ExternalId, p.Name, p.Price, p.Currency, p.Link, p.ImageLink, p.CategoryId, p.Brand, p.ItemGroupId,
            p.Available, ProductInfo.ParseLabels(p.CustomLabels)));

    /// <summary>Each order's distinct products, refunded lines removed, with its customer.</summary>
    internal static async Task<List<OrderBasket>> BasketsAsync(CartwiseDb db, DateTimeOffset? since, CancellationToken ct)
    {
        var orders = db.Orders.AsNoTracking().Where(o => since == null || o.PlacedAt >= since);
        var lines = await (from o in orders
                           join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                           where l.RefundedQuantity < l.Quantity
                           select new { o.Id, o.PlacedAt, o.CustomerId, l.ProductId }).ToListAsync(ct);
        return lines.GroupBy(l => l.Id).Select(g => new OrderBasket(g.First().PlacedAt, g.Select(l => l.ProductId).Distinct().ToArray(), g.First().CustomerId)).ToList();
    }

    /// <summary>The catalogue ids of a stored event's items (those the catalogue knows), added to <paramref name="into"/>.</summary>
    internal static void AddItemProducts(string payload, IReadOnlyDictionary<string, long> byExternal, List<long> into)
    {
        foreach (var id in EventParser.ItemIds(payload))
            if (byExternal.TryGetValue(id, out var pid)) into.Add(pid);
    }

    /// <summary>Products viewed by one visitor with less than 30 minutes between views: a session.</summary>
    private static async Task<List<long[]>> ViewSessionsAsync(CartwiseDb db, IReadOnlyDictionary<long, ProductInfo> products, CancellationToken ct)
    {
        var byExternal = products.Values.ToDictionary(p => p.ExternalId, p => p.Id, StringComparer.Ordinal);
        var views = await db.Events.AsNoTracking().Where(e => e.Name == EventNames.ViewItem && e.CustomerId != null)
            .OrderByDescending(e => e.Id).Take(500_000).Select(e => new { e.CustomerId, e.OccurredAt, e.Payload }).ToListAsync(ct);
        var sessions = new List<long[]>();
        foreach (var visitor in views.GroupBy(v => v.CustomerId))
        {
            var current = new List<long>();
            DateTimeOffset? last = null;
            foreach (var v in visitor.OrderBy(v => v.OccurredAt))
            {
                if (last is { } l && v.OccurredAt - l > TimeSpan.FromMinutes(30) && current.Count > 0)
                {
                    sessions.Add([.. current]);
                    current.Clear();
                }
                last = v.OccurredAt;
                AddItemProducts(v.Payload, byExternal, current);
            }
            if (current.Count > 0) sessions.Add([.. current]);
        }
        return sessions;
    }
}
