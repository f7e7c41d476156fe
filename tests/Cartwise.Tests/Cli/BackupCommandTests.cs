using System.Collections.Concurrent;
using System.Net;
using Cartwise.Data;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Cli;

/// <summary><c>cartwise backup</c> while a server takes tracking traffic, and <c>cartwise restore</c> of what it wrote.</summary>
public sealed class BackupCommandTests
{
    private static readonly string[] Tables = ["Stores", "Events", "Customers", "CustomerIdentities", "Orders", "OrderLines", "Products", "Categories"];

    private static async Task<Dictionary<string, long>> CountsAsync(DatabaseTarget target)
    {
        await using var session = await target.OpenSessionAsync(CancellationToken.None);
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables)
            counts[table] = (await Sql.QueryAsync(session, $"SELECT COUNT(*) FROM \"{table}\"", [], r => r.GetInt64(0), CancellationToken.None)).Single();
        return counts;
    }

    private static async Task<List<string>> EventIdsAsync(DatabaseTarget target)
    {
        await using var db = target.CreateContext();
        return await db.Events.IgnoreQueryFilters().OrderBy(e => e.EventId).Select(e => e.EventId).ToListAsync();
    }

    private static async Task<CartwiseProcess.Output> CliAsync(string dir, DatabaseTarget target, params string[] args) =>
        await CartwiseProcess.RunAsync(dir, [.. args, "--db", target.ConnectionString]);

    [Theory, ClassData(typeof(Engines))]
    public async Task Backup_UnderTrackingLoad_HoldsEveryEventAcknowledgedBeforeItBegan_AndARestoreOfAQuietDatabaseIsIdentical(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var dir = Directory.CreateTempSubdirectory("cartwise-backup-").FullName;
        var acknowledged = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        using var progress = new SemaphoreSlim(0);
        var load = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var id = $"e{n}";
                var r = await tracking.PostJsonAsync("/api/v1/track",
                    $$"""{"event_id":"{{id}}","name":"purchase","anonymous_id":"v{{n % 50}}","transaction_id":"T{{n}}","currency":"EUR","value":10,"items":[{"item_id":"p{{n % 30}}","price":10,"quantity":1}]}""");
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
                acknowledged.Enqueue(id);
                progress.Release();
            }
        });
        async Task UntilAsync(int count)
        {
            while (acknowledged.Count < count && !load.IsCompleted) await progress.WaitAsync(TimeSpan.FromSeconds(1));
        }
        await UntilAsync(100);

        var before = acknowledged.ToHashSet();
        var file = Path.Combine(dir, "under-load.backup");
        var backup = await CliAsync(dir, app.Database, "backup", file);
        var during = acknowledged.Count;
        await UntilAsync(during + 50); // the server kept taking events
        await stop.CancelAsync();
        await load;

        Assert.True(backup.ExitCode == 0, backup.StdErr);
        Assert.Contains("Backed up", backup.StdOut, StringComparison.Ordinal);
        Assert.NotEqual(0, (await CliAsync(dir, app.Database, "backup", file)).ExitCode); // never over an existing file
        await using var restored = await TestDatabase.CreateAsync(engine);
        var restore = await CliAsync(dir, restored.Target, "restore", file);
        Assert.True(restore.ExitCode == 0, restore.StdErr);
        var ids = (await EventIdsAsync(restored.Target)).ToHashSet();
        Assert.Empty(before.Except(ids));
        Assert.True(ids.Count < acknowledged.Count, "the backup is of one moment, not of what came after");

        // A quiet database: the restore holds the same rows, table by table.
        var quiet = Path.Combine(dir, "quiet.backup");
        Assert.Equal(0, (await CliAsync(dir, app.Database, "backup", quiet)).ExitCode);
        await using var copy = await TestDatabase.CreateAsync(engine);
        Assert.Equal(0, (await CliAsync(dir, copy.Target, "restore", quiet)).ExitCode);
        Assert.Equal(await CountsAsync(app.Database), await CountsAsync(copy.Target));
        Assert.Equal(await EventIdsAsync(app.Database), await EventIdsAsync(copy.Target));
        Assert.Equal(acknowledged.Count, (await EventIdsAsync(copy.Target)).Count);
    }

    [Fact]
    public async Task Restore_OfAFileThatIsNotABackup_SaysSo_AndChangesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-backup-").FullName;
        var junk = Path.Combine(dir, "junk.backup");
        await File.WriteAllTextAsync(junk, "not a database");
        Assert.Equal(0, (await CartwiseProcess.RunAsync(dir, "store", "create", "shop")).ExitCode);

        var restore = await CartwiseProcess.RunAsync(dir, "restore", junk);

        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains("not a Cartwise backup", restore.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, (await CartwiseProcess.RunAsync(dir, "store", "create", "other")).ExitCode); // the database still works
        Assert.Contains("shop", (await CartwiseProcess.RunAsync(dir, "store", "list")).StdOut, StringComparison.Ordinal);
    }
}
