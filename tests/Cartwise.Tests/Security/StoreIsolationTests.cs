using Cartwise.Catalog;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Orders.Import;
using Cartwise.Scenarios;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tracking;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Cartwise.Tests.Security;

/// <summary>
/// Every raw-SQL path (feed import, order import with refunds, event import, tracking with merges, refunds and
/// consent confirmations, the scenario engine's reads) run for two stores that hold the same product ids, order ids,
/// emails and customer ids, interleaved: each store must end exactly as if it were alone, and no row may point at
/// another store's row.
/// </summary>
public sealed class StoreIsolationTests
{
    private static TrackedEvent Event(Store store, string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var parsed = EventParser.ParseEvent(doc.RootElement, 0, "", new ParseContext(TestApp.Start, store.DefaultCountry, null));
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")));
        return parsed.Event! with { Verified = false };
    }

    private static async Task TrackAsync(DatabaseTarget target, Store store, DateTimeOffset now, params string[] events)
    {
        await using var connection = await target.OpenSessionAsync(CancellationToken.None);
        var session = await connection.BeginAsync(CancellationToken.None);
        await using var tx = session.Transaction!;
        await new EventIngestor(session, store, now).WriteAsync(events.Select(e => Event(store, e)).ToList(), CancellationToken.None);
        await tx.CommitAsync();
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Two_stores_with_overlapping_ids_never_see_each_other(Engine engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        var target = database.Target;
        var clock = new FakeTimeProvider(TestApp.Start);
        var stores = new List<Store>();
        await using (var db = target.CreateContext())
        {
            await db.MigrateAsync(CancellationToken.None);
            foreach (var slug in (string[])["north", "south"])
                await StoreService.CreateAsync(db, slug, null, "GBP", "GB", "Europe/London", TestApp.Start, CancellationToken.None);
            await db.Stores.ExecuteUpdateAsync(u => u.SetProperty(s => s.DoubleOptIn, true).SetProperty(s => s.EventsUpdateProducts, true));
            stores.AddRange(await db.Stores.AsNoTracking().OrderBy(s => s.Id).ToListAsync());
        }

        // Step by step, alternating stores, so their rows interleave and their ids overlap in every range.
        foreach (var s in stores)
            await new FeedImporter(target.CreateContext, s, clock).ImportAsync(File.OpenRead(Fixtures.Path("feed-rss.xml")), "feed-rss.xml",
                new FeedImportOptions(Full: false), CancellationToken.None);
        foreach (var s in stores)
            await new OrderImporter(target, s, clock).ImportAsync(() => (File.OpenRead(Fixtures.Path("online-retail-mini.csv")), () => 0, null),
                new OrderImportOptions("online-retail"), CancellationToken.None);
        foreach (var s in stores)
        {
            using var reader = new StreamReader(Fixtures.Path("events.jsonl"));
            await new EventImporter(target, s, clock).ImportAsync(reader, new Cartwise.Importing.ImportSource("events.jsonl"), CancellationToken.None);
        }
        var now = TestApp.Start.AddHours(1);
        foreach (var s in stores)
            await TrackAsync(target, s, now,
                """{"event_id":"t1","name":"view_item","anonymous_id":"b1","items":[{"item_id":"SKU-1"},{"item_id":"NEW-1","item_name":"Tea towel","item_category":"Kitchen > Textiles","price":4}]}""",
                """{"event_id":"t2","name":"page_view","anonymous_id":"b1","email":"zoe@example.com","consent":true}""",
                """{"event_id":"t3","name":"purchase","customer_id":"17850","anonymous_id":"b2","transaction_id":"T-9","value":12,"currency":"GBP","items":[{"item_id":"NEW-1","price":4,"quantity":3}]}""");
        foreach (var s in stores)
            await TrackAsync(target, s, now.AddMinutes(5),
                """{"event_id":"t4","name":"refund","customer_id":"17850","transaction_id":"T-9","items":[{"item_id":"NEW-1","quantity":1}]}""",
                """{"event_id":"t5","name":"refund","customer_id":"17850","transaction_id":"536365","items":[{"item_id":"85123A","quantity":2}]}""");
        foreach (var s in stores)
        {
            await using var connection = await target.OpenSessionAsync(CancellationToken.None);
            var session = await connection.BeginAsync(CancellationToken.None);
            await using var tx = session.Transaction!;
            // Verified (the admin key's word): zoe, who was browser b1, is customer 17850, who was browser b2: two known profiles join.
            var merge = Event(s, """{"event_id":"t6","name":"page_view","anonymous_id":"b2","email":"zoe@example.com","customer_id":"17850"}""") with { Verified = true };
            await new EventIngestor(session, s, now.AddMinutes(9)).WriteAsync([merge], CancellationToken.None);
            await tx.CommitAsync();
        }

        // Each store alone: the same figures, and the scenario engine's reads see only its own orders and products.
        var figures = new List<string>();
        foreach (var s in stores)
        {
            await using var db = target.CreateContext();
            db.CurrentStoreId = s.Id;
            var catalog = await ScenarioService.CatalogAsync(db, CancellationToken.None);
            var purchases = await db.Events.AsNoTracking().Where(e => e.Name == EventNames.Purchase && e.CustomerId != null).OrderBy(e => e.Id).ToListAsync();
            var converted = await ScenarioService.ConvertAsync(db, catalog, purchases, CancellationToken.None);
            var own = await db.Products.Select(p => p.Id).ToListAsync();
            Assert.All(converted.SelectMany(c => c.Event.Products), p => Assert.Contains(p, own));
            figures.Add(string.Join(" | ",
                $"products {await db.Products.CountAsync()} categories {await db.Categories.CountAsync()}",
                $"customers {await db.Customers.CountAsync()} merged {await db.Customers.CountAsync(c => c.MergedIntoId != null)} identities {await db.CustomerIdentities.CountAsync()}",
                $"orders {await db.Orders.CountAsync()} value {await db.Orders.SumAsync(o => o.Value)} refunded {await db.Orders.SumAsync(o => o.RefundedValue)}",
                $"lines {await db.OrderLines.CountAsync()} refunded units {await db.OrderLines.SumAsync(l => l.RefundedQuantity)}",
                $"events {await db.Events.CountAsync()} outbox {await db.Outbox.CountAsync()} conflicts {await db.IdentityConflicts.CountAsync()}",
                $"scenario products {converted.Sum(c => c.Event.Products.Count)}"));
        }
        Assert.Equal(figures[0], figures[1]);
        // The steps above did something in each path: a merge, refunds of tracked and imported orders, a confirmation.
        Assert.Contains("merged 1", figures[0]);
        Assert.Contains("outbox 1", figures[0]);
        Assert.DoesNotContain("refunded units 0", figures[0]);

        // No row points at another store's row.
        await using (var db = target.CreateContext())
        {
            (string Name, string Sql)[] links =
            [
                ("order line → order", """SELECT COUNT(*) FROM "OrderLines" l JOIN "Orders" o ON o."Id" = l."OrderId" WHERE o."StoreId" <> l."StoreId" """),
                ("order line → product", """SELECT COUNT(*) FROM "OrderLines" l JOIN "Products" p ON p."Id" = l."ProductId" WHERE p."StoreId" <> l."StoreId" """),
                ("order → customer", """SELECT COUNT(*) FROM "Orders" o JOIN "Customers" c ON c."Id" = o."CustomerId" WHERE c."StoreId" <> o."StoreId" """),
                ("event → customer", """SELECT COUNT(*) FROM "Events" e JOIN "Customers" c ON c."Id" = e."CustomerId" WHERE c."StoreId" <> e."StoreId" """),
                ("identity → customer", """SELECT COUNT(*) FROM "CustomerIdentities" i JOIN "Customers" c ON c."Id" = i."CustomerId" WHERE c."StoreId" <> i."StoreId" """),
                ("merged → survivor", """SELECT COUNT(*) FROM "Customers" m JOIN "Customers" c ON c."Id" = m."MergedIntoId" WHERE c."StoreId" <> m."StoreId" """),
                ("product → category", """SELECT COUNT(*) FROM "Products" p JOIN "Categories" c ON c."Id" = p."CategoryId" WHERE c."StoreId" <> p."StoreId" """),
                ("category → parent", """SELECT COUNT(*) FROM "Categories" k JOIN "Categories" c ON c."Id" = k."ParentId" WHERE c."StoreId" <> k."StoreId" """),
                ("outbox → customer", """SELECT COUNT(*) FROM "Outbox" x JOIN "Customers" c ON c."Id" = x."CustomerId" WHERE c."StoreId" <> x."StoreId" """),
                ("conflict → customer", """SELECT COUNT(*) FROM "IdentityConflicts" x JOIN "Customers" c ON c."Id" = x."CustomerId" WHERE c."StoreId" <> x."StoreId" """),
            ];
            var session = DbSession.From(db);
            foreach (var (name, sql) in links)
                Assert.True((await Sql.QueryAsync(session, sql, [], r => Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None)).Single() == 0,
                    $"{name} crosses stores");
        }
    }
}
