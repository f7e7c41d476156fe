using Cartwise.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Data;

/// <summary>
/// Keeps SQLite's query planner informed: without table statistics it prefers any index that starts with StoreId
/// (the filter every query carries) over a far more selective one, and reads a whole store's orders to show one
/// customer (1 s instead of milliseconds on the full Online Retail history). Runs ANALYZE, sampled, at start and every
/// hour. PostgreSQL's autovacuum keeps its own statistics.
/// </summary>
internal sealed class StatisticsWorker(DatabaseTarget target, TimeProvider clock, ILogger<StatisticsWorker> log)
    : PollingWorker(clock, TimeSpan.FromHours(1), log)
{
    internal override async Task PassAsync(CancellationToken ct)
    {
        if (target.Kind != DatabaseKind.Sqlite) return;
        await using var db = target.CreateContext();
        await RefreshAsync(db, ct);
    }

    /// <summary>Samples about a thousand rows an index, so it costs milliseconds on any size of database.</summary>
    public static async Task RefreshAsync(CartwiseDb db, CancellationToken ct)
    {
        if (db.Kind == DatabaseKind.Sqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit = 1000; ANALYZE;", ct);
    }
}
