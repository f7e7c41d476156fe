using System.Diagnostics;
using Cartwise.Messages;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Messages;

/// <summary>The never-twice promise against a real process kill (SIGKILL) in the middle of a batch and a real SMTP server.</summary>
public sealed class OutboxCrashTests
{
    private const int Rows = 400;

    [Fact]
    public async Task KillingTheSendingProcessMidBatch_ThenRestarting_DeliversEveryMessageOnce_OrFlagsTheOneInFlight()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(Engine.Sqlite);
        await using (var setup = await TestApp.StartNodeAsync(database.Target))
        {
            var store = await setup.CreateStoreAsync("shop");
            using var admin = setup.Admin(store);
            var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
            var buyer = await MessageSetup.BuyerAsync(setup, store, "buyer@example.com", "T-0");
            await using var db = setup.Db(store);
            // 50 messages a second: the batch takes about 8 s, so the kill lands in the middle of it.
            await db.Stores.Where(s => s.Id == store.StoreId).ExecuteUpdateAsync(u => u.SetProperty(s => s.SendRate, 50));
            var now = DateTimeOffset.UnixEpoch; // due long ago, whatever the real clock says
            for (var i = 0; i < Rows; i++)
                db.Outbox.Add(new OutboxMessage { StoreId = store.StoreId, Key = $"k{i}", MessageId = message, CustomerId = buyer, Email = $"r{i}@example.com", DueAt = now, CreatedAt = now });
            await db.SaveChangesAsync();
        }
        var work = Directory.CreateTempSubdirectory("cartwise-crash-").FullName;
        var env = new Dictionary<string, string> { ["Outbox__LeaseSeconds"] = "2", ["Outbox__PollSeconds"] = "0.2" };
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.Target.ConnectionString).DataSource;
        string[] args = ["serve", "--db", file, "--urls", "http://127.0.0.1:0", "--smtp", smtp.Url];

        using (var first = Process.Start(CartwiseProcess.StartInfo(work, args, env))!)
        {
            await WaitAsync(() => smtp.Messages().Count >= 100, "the first process to send 100 messages", first);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var beforeRestart = smtp.Messages().Count;
        Assert.InRange(beforeRestart, 100, Rows - 50);

        using (var second = Process.Start(CartwiseProcess.StartInfo(work, args, env))!)
        {
            await WaitAsync(async () =>
            {
                await using var db = database.Target.CreateContext();
                return await db.Outbox.IgnoreQueryFilters().CountAsync(o => o.Status == OutboxStatus.Sent) == Rows;
            }, "every row to be sent after the restart", second);
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        await using var check = database.Target.CreateContext();
        var rows = await check.Outbox.IgnoreQueryFilters().ToListAsync();
        var received = smtp.Messages().GroupBy(m => m.MessageId ?? "").ToDictionary(g => g.Key, g => g.Count());
        var uncertain = 0;
        foreach (var row in rows)
        {
            var id = MessageComposer.MessageIdFor(new Cartwise.Stores.Store { Id = row.StoreId, Slug = "shop", Name = "", TrackingKeyHash = "", AdminKeyHash = "" }, row.Id);
            var count = received.GetValueOrDefault(id);
            if (row.Uncertain)
            {
                uncertain++;
                Assert.InRange(count, 1, 2);
            }
            else Assert.True(count == 1, $"row {row.Id} arrived {count} times");
        }
        // At most the messages in flight at the kill (one per SMTP connection) can be uncertain.
        Assert.InRange(uncertain, 0, new OutboxOptions().Connections);
        Assert.Equal(Rows, received.Count);
    }

    private static Task WaitAsync(Func<bool> condition, string what, Process process) => WaitAsync(() => Task.FromResult(condition()), what, process);

    /// <summary>Polls an outside process's progress (real time: the processes run on the real clock), failing after a minute.</summary>
    private static async Task WaitAsync(Func<Task<bool>> condition, string what, Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (process.HasExited) Assert.Fail($"the process exited while waiting for {what}: {await process.StandardError.ReadToEndAsync()}");
            if (deadline.Elapsed > TimeSpan.FromMinutes(1)) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
