using System.Diagnostics;
using Cartwise.Catalog;
using Cartwise.Data;
using Cartwise.Orders.Import;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

/// <summary>
/// The demo store: slug <c>demo</c>, fixed documented keys, filled once with a slice of the UCI Online Retail data
/// (a UK gift shop, 2010–2011) and a product feed built from it (see <c>scripts/make-demo-data.py</c>).
/// </summary>
public static class DemoStore
{
    public const string Slug = "demo";

    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "Demo");

    public static async Task<long> EnsureAsync(CartwiseDb db, DatabaseTarget target, Recommendations.ModelService models, TimeProvider clock, TextWriter output, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == Slug, ct);
        if (store is null)
        {
            await StoreService.CreateAsync(db, Slug, "Cartwise demo gift shop", "GBP", "GB", "Europe/London", clock.GetUtcNow(), ct,
                StoreKeys.DemoTrackingKey, StoreKeys.DemoAdminKey);
            store = await db.Stores.AsNoTracking().SingleAsync(s => s.Slug == Slug, ct);
        }
        db.CurrentStoreId = store.Id;
        await output.WriteLineAsync($"Demo store '{Slug}' (id {store.Id}): tracking key {StoreKeys.DemoTrackingKey}, admin key {StoreKeys.DemoAdminKey}");
        // Filled once: a demo store with orders is left as the user made it.
        if (await db.Orders.AnyAsync(ct)) return store.Id;

        var sw = Stopwatch.StartNew();
        var feed = Path.Combine(DataDirectory, "demo-feed.xml.gz");
        await using (var file = File.OpenRead(feed))
        await using (var xml = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress))
        {
            var run = await new FeedImporter(target.CreateContext, store, clock).ImportAsync(xml, "demo-feed.xml", new FeedImportOptions(FeedFormat.Xml), ct);
            await output.WriteLineAsync($"  catalogue: {run.Created:N0} products from the demo feed");
        }
        var orders = Path.Combine(DataDirectory, "online-retail-sample.csv.gz");
        var result = await new OrderImporter(target, store, clock).ImportAsync(() =>
        {
            var file = File.OpenRead(orders);
            return (new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress), () => file.Position, file.Length);
        }, new OrderImportOptions("online-retail"), ct);
        await output.WriteLineAsync($"  history: {result.OrdersCreated:N0} orders, {result.Lines:N0} lines, {result.CustomersCreated:N0} customers " +
            $"(UCI Online Retail sample, CC BY 4.0) in {sw.Elapsed.TotalSeconds:F1} s");
        var (_, stats, _) = await models.BuildAsync(store.Id, new Core.Recommendations.ModelOptions(), null, ct);
        await output.WriteLineAsync($"  model: {stats.Rules:N0} product rules, {stats.CategoryRules:N0} category rules from {stats.Baskets:N0} baskets");
        return store.Id;
    }
}
