using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Cartwise.Catalog;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Orders.Import;
using Cartwise.Scenarios;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Benchmarks;

/// <summary>
/// The full UCI Online Retail history replayed through the live scenario path: an active cross-selling scenario with
/// 5 rules and a post-purchase scenario with 4 tiers read every purchase past the cursor, decide, and store decision
/// and outbox rows, on SQLite. The history is imported (as import events, which never trigger), then re-labelled as
/// tracked purchases so the live engine takes them. Baseline of the same run: reading the same events alone.
/// Usage: <c>load-scenarios --data online_retail.csv.gz --feed demo-feed.xml.gz</c>
/// </summary>
public static class ScenariosLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Get(args, name) ?? fallback;
        var data = Path.GetFullPath(Arg("--data", "online_retail.csv.gz"));
        var feed = Path.GetFullPath(Arg("--feed", "demo-feed.xml.gz"));
        var dir = BenchArgs.TempDirectory("cartwise-bench-scenarios-");
        var target = DatabaseTarget.Parse(Path.Combine(dir, "s.db"));
        // The history is years old: every event of it counts as live here, not as history.
        var app = CartwiseServer.Build(new ServeSettings(target, "http://127.0.0.1:0", Demo: false, Schedulers: false),
            services => services.Configure<ScenarioOptions>(o => o.HistoryHorizonHours = 1_000_000));
        await CartwiseServer.PrepareAsync(app, CancellationToken.None);
        var clock = TimeProvider.System;
        await using var db = target.CreateContext();
        var created = await StoreService.CreateAsync(db, "bench", null, "GBP", "GB", "Europe/London", clock.GetUtcNow(), default);
        var store = await db.Stores.SingleAsync(s => s.Id == created.StoreId);
        db.CurrentStoreId = store.Id;
        await using (var f = File.OpenRead(feed))
        await using (var xml = new GZipStream(f, CompressionMode.Decompress))
            await new FeedImporter(target.CreateContext, store, clock).ImportAsync(xml, "feed", new FeedImportOptions(FeedFormat.Xml), default);
        await new OrderImporter(target, store, clock).ImportAsync(() =>
        {
            var file = File.OpenRead(data);
            return (new GZipStream(file, CompressionMode.Decompress), () => file.Position, file.Length);
        }, new OrderImportOptions("online-retail"), default);
        // Every customer reachable, and the history as tracked purchases.
        await db.Customers.ExecuteUpdateAsync(u => u.SetProperty(c => c.Email, c => "c" + c.Id + "@example.com").SetProperty(c => c.EmailConsent, true));
        await db.Database.ExecuteSqlRawAsync("UPDATE \"Events\" SET \"EventId\" = 'bench:' || substr(\"EventId\", 8) WHERE \"EventId\" LIKE 'import:%'");

        var now = clock.GetUtcNow();
        var message = new Messages.Message { StoreId = store.Id, Name = "m", DefaultLanguage = "en", Variants = "[]", CreatedAt = now, UpdatedAt = now };
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        var categories = await db.Categories.Where(c => c.Level == 2).OrderBy(c => c.Id).Select(c => c.Id).Take(10).ToListAsync();
        var rules = Enumerable.Range(0, 5).Select(i => new CrossSellRule($"r{i}", "order", [categories[i]], message.Id,
            Logic: i == 4 ? "and" : "or", Window: "30d", RecommendCategories: [categories[i + 5]], Cap: "7d", Delay: "1d")).ToList();
        OrderTier[] tiers = [new("0-200", 0, 200, message.Id), new("200-500", 200, 500, message.Id), new("500-1000", 500, 1000, message.Id), new("1000+", 1000, null, message.Id)];
        foreach (var (kind, definition) in new[] { (ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: rules, Cap: "3d")), (ScenarioKinds.PostPurchase, new ScenarioDefinition(Tiers: tiers, Delay: "1d", Cap: "7d")) })
            db.Scenarios.Add(new Scenario { StoreId = store.Id, Name = kind, Kind = kind, State = ScenarioStates.Active, Definition = JsonSerializer.Serialize(definition, ScenarioService.Json), CreatedAt = now, UpdatedAt = now });
        db.ScenarioCursors.Add(new ScenarioCursor { StoreId = store.Id, LastEventId = 0, UpdatedAt = now });
        await db.SaveChangesAsync();
        var events = await db.Events.CountAsync();

        // Baseline: the same events read in the same batches, nothing else.
        var sw = Stopwatch.StartNew();
        long last = 0;
        while (true)
        {
            await using var read = target.CreateContext();
            read.CurrentStoreId = store.Id;
            var batch = await read.Events.AsNoTracking().Where(e => e.Id > last).OrderBy(e => e.Id).Take(2000).ToListAsync();
            if (batch.Count == 0) break;
            last = batch[^1].Id;
        }
        var readRate = events / sw.Elapsed.TotalSeconds;

        var service = app.Services.GetRequiredService<ScenarioService>();
        var memory = GC.GetTotalMemory(true);
        sw.Restart();
        var processed = await service.PassAsync(default);
        var rate = processed / sw.Elapsed.TotalSeconds;
        var decisions = await db.ScenarioDecisions.CountAsync();
        var outbox = await db.Outbox.CountAsync();
        var byKind = await db.ScenarioDecisions.GroupBy(d => d.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        Console.WriteLine($"{events:N0} events ({await db.Events.CountAsync(e => e.Name == "purchase"):N0} purchases) of {await db.Customers.CountAsync():N0} customers");
        Console.WriteLine($"read alone        {readRate,10:N0} events/s  (baseline)");
        Console.WriteLine($"scenario engine   {rate,10:N0} events/s  = {rate / readRate:P0} of reading; {decisions:N0} decisions and {outbox:N0} outbox rows stored in {sw.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"decisions: {string.Join(", ", byKind.Select(k => $"{k.Key} {k.Count:N0}"))}; managed heap after {(GC.GetTotalMemory(false) - memory) / 1048576.0:F0} MB more");
        return 0;
    }
}
