using Cartwise.Core.Recommendations;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Recommendations;

/// <summary>
/// Every 5 minutes (on the injected clock): rebuilds the models of stores whose last build is older than a day and
/// that have orders, loads models another node or the CLI built, and refreshes the catalogue of loaded models.
/// </summary>
internal sealed class ModelWorker(ModelService models, DatabaseTarget target, TimeProvider clock, ILogger<ModelWorker> log)
    : Hosting.PollingWorker(clock, TimeSpan.FromMinutes(5), log)
{
    private static readonly TimeSpan RebuildAfter = TimeSpan.FromHours(24);

    internal override async Task PassAsync(CancellationToken ct)
    {
        List<long> stores;
        await using (var db = target.CreateContext()) stores = await db.Stores.Select(s => s.Id).ToListAsync(ct);
        foreach (var storeId in stores)
        {
            await using var db = target.CreateContext();
            db.CurrentStoreId = storeId;
            var last = await db.MiningRuns.Where(r => r.Status == RunStatus.Succeeded).OrderByDescending(r => r.Id).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(ct);
            if ((last is null || Clock.GetUtcNow() - last > RebuildAfter) && await db.Orders.AnyAsync(ct))
                await models.BuildAsync(storeId, new ModelOptions(), null, ct);
            else if (last is not null) await models.SyncAsync(storeId, ct);
        }
    }
}
