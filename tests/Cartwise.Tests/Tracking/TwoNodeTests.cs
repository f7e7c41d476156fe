using System.Net;
using Cartwise.Data;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tracking;
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

    [Fact]
    public async Task EventInsertsOfOneStore_CommitInIdOrder_SoTheScenarioCursorNeverPassesAnUncommittedEvent()
    {
        await using var app = await TestApp.StartAsync(Engine.Postgres);
        var store = await app.CreateStoreAsync("shop");
        var other = await app.CreateStoreAsync("other");
        static StoredEvent Event(string id) => new() { EventId = id, Name = "view_item", OccurredAt = TestApp.Start, Payload = "{}" };

        // Node A's commit draws its event ids and has not committed yet.
        await using var a = await app.Database.OpenSessionAsync(CancellationToken.None);
        var txA = await a.BeginAsync(CancellationToken.None);
        await new StoredEvents(RowWriter.For(txA), store.StoreId).AppendAsync([Event("a1")], TestApp.Start, CancellationToken.None);

        // Node B's commit of the same store waits for it; another store's does not.
        var b = Task.Run(async () =>
        {
            await using var session = await app.Database.OpenSessionAsync(CancellationToken.None);
            var tx = await session.BeginAsync(CancellationToken.None);
            await new StoredEvents(RowWriter.For(tx), store.StoreId).AppendAsync([Event("b1")], TestApp.Start, CancellationToken.None);
            await tx.Transaction!.CommitAsync();
        });
        await using (var session = await app.Database.OpenSessionAsync(CancellationToken.None))
        {
            var tx = await session.BeginAsync(CancellationToken.None);
            await new StoredEvents(RowWriter.For(tx), other.StoreId).AppendAsync([Event("o1")], TestApp.Start, CancellationToken.None);
            await tx.Transaction!.CommitAsync();
        }
        await using (var probe = await app.Database.OpenSessionAsync(CancellationToken.None))
            while (!b.IsCompleted && (await Sql.QueryAsync(probe, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", [], r => r.GetInt64(0), CancellationToken.None))[0] == 0)
                await Task.Yield(); // until B waits for the lock (or, wrongly, commits)
        Assert.False(b.IsCompleted, "B committed while A held lower ids uncommitted");
        await using (var db = app.Db(store))
            Assert.Equal(0, await db.Events.CountAsync()); // what a scenario pass sees now: neither, so its cursor stays

        await txA.Transaction!.CommitAsync();
        await b;
        await using (var db = app.Db(store))
        {
            var ids = await db.Events.OrderBy(e => e.Id).Select(e => e.EventId).ToListAsync();
            Assert.Equal(["a1", "b1"], ids); // committed in the order of their ids
        }
    }
}
