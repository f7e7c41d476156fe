using System.Net;
using Cartwise.Recommendations;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Recommendations;

/// <summary>A customer's purchase history as recommendations and messages read it, on both engines.</summary>
public sealed class PurchaseHistoryTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task History_ProductsInOrderFirstBought_LastPurchase_OrdersHoldingEach_RefundedLinesLeftOut_OtherStoresUnseen(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "EUR");
        var other = await app.CreateStoreAsync("other", "EUR");
        var start = app.Clock.GetUtcNow();
        using (var tracking = app.Tracking(store))
        {
            // Beans twice in the first order (two lines), with a grinder; then beans again, and a kettle refunded in full.
            await BuyAsync(tracking, "ann", "T1", start.AddDays(-20), ("grinder", 1), ("beans", 1), ("beans", 2));
            await BuyAsync(tracking, "ann", "T2", start.AddDays(-5), ("beans", 1), ("kettle", 1));
            await BuyAsync(tracking, "bob", "T3", start.AddDays(-1), ("mug", 1));
            Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track",
                """{"event_id":"r1","name":"refund","customer_id":"ann","transaction_id":"T2","items":[{"item_id":"kettle","quantity":1}]}""")).StatusCode);
        }
        using (var tracking = app.Tracking(other))
            await BuyAsync(tracking, "ann", "X1", start.AddDays(-2), ("vase", 1));

        await using var db = app.Db(store);
        var ids = await db.Customers.ToDictionaryAsync(c => c.ExternalId!, c => c.Id);
        var products = await db.Products.ToDictionaryAsync(p => p.Id, p => p.ExternalId);
        long otherAnn;
        await using (var otherDb = app.Db(other))
            otherAnn = await otherDb.Customers.Select(c => c.Id).SingleAsync();
        var nobody = ids.Values.Max() + otherAnn + 1;

        var histories = await PurchaseHistory.LoadManyAsync(db, [ids["ann"], ids["bob"], otherAnn, nobody, ids["ann"]], default);
        var single = await PurchaseHistory.LoadAsync(db, ids["ann"], default);

        var ann = histories[ids["ann"]];
        Assert.Equal(["beans", "grinder"], ann.Products.Select(p => products[p]).Order());
        Assert.Equal(ann.Products, single.Products);
        var beans = products.Single(p => p.Value == "beans").Key;
        var grinder = products.Single(p => p.Value == "grinder").Key;
        Assert.Equal(start.AddDays(-5), ann.LastAt[beans]);
        Assert.Equal(start.AddDays(-20), ann.LastAt[grinder]);
        Assert.Equal(2, ann.Orders[beans]);   // two orders, three lines
        Assert.Equal(1, ann.Orders[grinder]);
        Assert.Equal(single.Orders, ann.Orders);
        Assert.Equal(["mug"], histories[ids["bob"]].Products.Select(p => products[p]));
        // The other store's Ann and an id nobody has: no purchases, not an error.
        Assert.Empty(histories[otherAnn].Products);
        Assert.Empty(histories[nobody].Products);
        Assert.Equal(4, histories.Count);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task History_ProductsBoughtFirstComeFirst(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "EUR");
        var start = app.Clock.GetUtcNow();
        using (var tracking = app.Tracking(store))
        {
            await BuyAsync(tracking, "ann", "T1", start.AddDays(-3), ("cups", 1));
            await BuyAsync(tracking, "ann", "T2", start.AddDays(-9), ("saucers", 1), ("cups", 1));
            await BuyAsync(tracking, "ann", "T3", start.AddDays(-1), ("spoons", 1));
        }
        await using var db = app.Db(store);
        var products = await db.Products.ToDictionaryAsync(p => p.Id, p => p.ExternalId);
        var ann = await db.Customers.Select(c => c.Id).SingleAsync();

        var history = await PurchaseHistory.LoadAsync(db, ann, default);

        // Cups and saucers were first bought together nine days ago (ties go by product id), spoons after them.
        long Id(string name) => products.Single(p => p.Value == name).Key;
        var firstTwo = Id("cups") < Id("saucers") ? new List<string> { "cups", "saucers" } : ["saucers", "cups"];
        Assert.Equal([.. firstTwo, "spoons"], history.Products.Select(p => products[p]));
        Assert.Equal(start.AddDays(-3), history.LastAt[Id("cups")]);
    }

    private static async Task BuyAsync(HttpClient tracking, string customer, string tx, DateTimeOffset at, params (string Item, int Quantity)[] lines)
    {
        var items = string.Join(",", lines.Select(l => $$"""{"item_id":"{{l.Item}}","item_name":"{{l.Item}}","price":8,"quantity":{{l.Quantity}}}"""));
        var when = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var r = await tracking.PostJsonAsync("/api/v1/track", $$"""
            {"event_id":"{{tx}}","name":"purchase","customer_id":"{{customer}}","transaction_id":"{{tx}}","currency":"EUR","timestamp":"{{when}}","items":[{{items}}]}
            """);
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
    }
}
