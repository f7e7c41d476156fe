using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Tracking;

/// <summary>Several `serve` nodes on one PostgreSQL database, as behind a load balancer.</summary>
public sealed class TwoNodeTests
{
    [Fact]
    public async Task TwoNodes_ReceivingTheSameEvents_StoreEachOnce_AndBuildOneProfilePerPerson()
    {
        await using var first = await TestApp.StartAsync(Engine.Postgres);
        await using var second = await TestApp.StartNodeAsync(first.Database);
        var store = await first.CreateStoreAsync("shop");
        using var a = first.Tracking(store);
        using var b = second.Tracking(store);

        // Every event goes to both nodes at once (a client retrying on another node), with overlapping people and products.
        var sends = Enumerable.Range(0, 150).SelectMany(i =>
        {
            var body = $$"""{"event_id":"n{{i}}","name":"add_to_cart","email":"p{{i % 20}}@example.com","anonymous_id":"ck{{i % 20}}","items":[{"item_id":"sku{{i % 9}}","item_category":"Home > Kitchen"}]}""";
            return new[] { a.PostJsonAsync("/api/v1/track", body), b.PostJsonAsync("/api/v1/track", body) };
        });
        var responses = await Task.WhenAll(sends);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await using var db = first.Db(store);
        Assert.Equal(150, await db.Events.CountAsync());
        Assert.Equal(20, await db.Customers.CountAsync(c => c.MergedIntoId == null));
        Assert.Equal(9, await db.Products.CountAsync());
        Assert.Equal(40, await db.CustomerIdentities.CountAsync());
        Assert.Equal(2, await db.Categories.CountAsync());
    }
}
