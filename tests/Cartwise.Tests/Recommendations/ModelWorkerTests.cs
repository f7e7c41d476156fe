using Cartwise.Recommendations;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cartwise.Tests.Recommendations;

public sealed class ModelWorkerTests
{
    [Fact]
    public async Task Worker_BuildsAStoreWithOrders_AndRebuildsADayLater()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var shop = await app.CreateStoreAsync("shop");
        var empty = await app.CreateStoreAsync("empty");
        using var tracking = app.Tracking(shop);
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"purchase","customer_id":"c1","transaction_id":"T1","items":[{"item_id":"a","price":1},{"item_id":"b","price":2}]}""");
        var worker = new ModelWorker(app.App.Services.GetRequiredService<ModelService>(), app.Database, app.Clock, NullLogger<ModelWorker>.Instance);
        async Task<int> Runs(Cartwise.Stores.CreatedStore s)
        {
            await using var db = app.Db(s);
            return await db.MiningRuns.CountAsync(r => r.Status == "succeeded");
        }

        await worker.PassAsync(CancellationToken.None);
        await worker.PassAsync(CancellationToken.None);
        Assert.Equal((1, 0), (await Runs(shop), await Runs(empty)));   // built once; a store without orders is left alone

        app.Clock.Advance(TimeSpan.FromHours(25));
        await worker.PassAsync(CancellationToken.None);
        Assert.Equal(2, await Runs(shop));
    }
}
