using Cartwise.Core.Recommendations;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Recommendations;

/// <summary>
/// Every 5 minutes (on the injected clock): rebuilds the models of stores whose last build is older than a day and
/// that have orders, loads models another node or the CLI built, and refreshes the catalogue of loaded models.
/// </summary>
internal sealed partial class ModelWorker(ModelService models, DatabaseTarget target, TimeProvider clock, ILogger<ModelWorker> log) : BackgroundService
{
    private static readonly TimeSpan RebuildAfter = TimeSpan.FromHours(24);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(5), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task PassAsync(CancellationToken ct)
    {
        List<long> stores;
        await using (var db = target.CreateContext()) stores = await db.Stores.Select(s => s.Id).ToListAsync(ct);
        foreach (var storeId in stores)
        {
            await using var db = target.CreateContext();
            db.CurrentStoreId = storeId;
            var last = await db.MiningRuns.Where(r => r.Status == "succeeded").OrderByDescending(r => r.Id).Select(r => (DateTimeOffset?)r.StartedAt).FirstOrDefaultAsync(ct);
            if ((last is null || clock.GetUtcNow() - last > RebuildAfter) && await db.Orders.AnyAsync(ct))
                await models.BuildAsync(storeId, new ModelOptions(), null, ct);
            else if (last is not null)
            {
                await models.LoadLatestAsync(storeId, ct);
                await models.RefreshCatalogueAsync(storeId, ct);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model pass failed")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
