using System.Diagnostics;
using Cartwise.Core.Messages;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Benchmarks;

/// <summary>
/// Renders and delivers the demo's post-purchase message (PURCHASED, RECOMMENDED and COUPON blocks, dynamic codes) to
/// real demo customers through the real outbox into an SMTP server, with three baselines of the same run: the
/// renderer alone on a prepared context, the composer (database loads + rendering), and raw MailKit sends of one
/// ready message over one connection (the SMTP server's ceiling).
/// Usage: <c>load-messages --smtp smtp://127.0.0.1:2525 [--count 3000] [--db postgres://…]</c> (a fresh SQLite file
/// without <c>--db</c>; the database given must be empty).
/// </summary>
public static class MessagesLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Get(args, name) ?? fallback;
        var smtp = Arg("--smtp", "smtp://127.0.0.1:2525");
        var count = int.Parse(Arg("--count", "3000"), System.Globalization.CultureInfo.InvariantCulture);
        var dir = BenchArgs.TempDirectory("cartwise-bench-messages-");
        var target = DatabaseTarget.Parse(BenchArgs.Get(args, "--db") ?? Path.Combine(dir, "m.db"));
        var app = CartwiseServer.Build(new ServeSettings(target, "http://127.0.0.1:0", Demo: true, Schedulers: false, Smtp: smtp));
        await CartwiseServer.PrepareAsync(app, CancellationToken.None);
        await app.StartAsync();
        var services = app.Services;
        var composer = services.GetRequiredService<MessageComposer>();
        var outbox = services.GetRequiredService<OutboxService>();
        var urls = services.GetRequiredService<PublicUrls>();

        await using var db = target.CreateContext();
        var store = await db.Stores.SingleAsync(s => s.Slug == "demo");
        db.CurrentStoreId = store.Id;
        // Online Retail knows customers by number only: give them addresses, and consent.
        await db.Customers.Where(c => c.Email == null).ExecuteUpdateAsync(u => u.SetProperty(c => c.Email, c => "c" + c.Id + "@example.com"));
        await db.Customers.ExecuteUpdateAsync(u => u.SetProperty(c => c.EmailConsent, true));
        // Enough codes for every message of both rounds.
        var pool = await db.CouponPools.FirstAsync();
        var codes = Core.Coupons.CouponGenerator.Generate(new Core.Coupons.CouponPattern("B-##########"), 2 * count, new HashSet<string>());
        db.CouponCodes.AddRange(codes.Select(c => new Coupons.CouponCode { StoreId = store.Id, PoolId = pool.Id, Code = c }));
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        var message = (await composer.LoadAsync(db, (await db.Messages.FirstAsync()).Id, default))!;
        var orders = await db.Orders.Where(o => o.CustomerId != null).OrderBy(o => o.Id).Select(o => new { o.Id, CustomerId = o.CustomerId!.Value })
            .Join(db.Customers, o => o.CustomerId, c => c.Id, (o, c) => new { o.Id, o.CustomerId, c.Email }).Take(count).ToListAsync();
        Console.WriteLine($"{orders.Count:N0} orders of {orders.Select(o => o.CustomerId).Distinct().Count():N0} demo customers; SMTP {smtp}; {target.Describe()}");
        var links = MessageLinks.Untracked("http://x/u");

        // 1. The composer: customer, order lines, purchase history and recommendations loaded, then rendered.
        var sw = Stopwatch.StartNew();
        var sample = Math.Min(orders.Count, 1000);
        RenderedMessage? last = null;
        for (var i = 0; i < sample; i++)
            (last, _) = await composer.RenderAsync(db, store, message, new ComposeInput(orders[i].CustomerId, orders[i].Email!, null, orders[i].Id, [],
                new CouponModel("B-1234567890", DateTimeOffset.UnixEpoch.AddYears(57)), links), default);
        var composeRate = sample / sw.Elapsed.TotalSeconds;

        // 2. The renderer alone, on a context prepared once (what Liquid and the HTML writer cost).
        var model = await services.GetRequiredService<Recommendations.ModelService>().GetAsync(store.Id, default);
        var items = model.Products.Values.Take(6).Select(p => new ItemModel(p.Id, p.Name ?? "", p.Link, p.ImageLink, p.Price, "GBP", 2)).ToList();
        var context = new RenderContext(new RenderCustomer("Alex", "Sample", "a@example.com", "en"), new RenderStore(store.Name, "1 Demo Street", "GBP", store.TimeZone, null),
            new RenderOrder("581587", 249.45m, "GBP", DateTimeOffset.UnixEpoch), null, items, items, new CouponModel("B-1234567890", DateTimeOffset.UnixEpoch.AddYears(57)),
            _ => items.Take(3).ToList(), urls.For(LinkSigner.NewSecret(), 1), DateTimeOffset.UnixEpoch.AddYears(56));
        var variant = message.Variants[0];
        composer.Renderer.Render(variant, context);
        sw.Restart();
        var renders = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(3))
        {
            composer.Renderer.Render(variant, context);
            renders++;
        }
        var renderRate = renders / sw.Elapsed.TotalSeconds;

        // 3. The SMTP ceiling: one ready message sent again and again over one MailKit connection.
        var mime = MessageComposer.Mime(last!, message.Sender, store, "ceiling@example.com", null, "<ceiling@bench>", "http://x/u", false, DateTimeOffset.UnixEpoch);
        await using (var raw = new SmtpMailTransport(SmtpSettings.Parse(smtp, out _)!))
        {
            await raw.SendAsync(mime, default);
            sw.Restart();
            for (var i = 0; i < sample; i++) await raw.SendAsync(mime, default);
        }
        var ceiling = sample / sw.Elapsed.TotalSeconds;

        // 4. End to end, twice: the first round in a process that has sent nothing yet (its code still being compiled),
        // the second the same orders again as new rows, in the warm process a server that has been sending runs.
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        async Task<(double Rate, double CpuMs)> RoundAsync(string key)
        {
            db.Outbox.AddRange(orders.Select(o => new OutboxMessage { StoreId = store.Id, Key = $"{key}:{o.Id}", MessageId = message.Message.Id, CustomerId = o.CustomerId,
                Email = o.Email!, OrderId = o.Id, DueAt = now, CreatedAt = now }));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            var sent = 0;
            int n;
            while ((n = await outbox.PassAsync(default)) > 0) sent += n;
            var rate = sent / sw.Elapsed.TotalSeconds;
            return (rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Math.Max(1, sent));
        }
        var (e2e, cpuMs) = await RoundAsync("bench");
        var (warm, warmCpuMs) = await RoundAsync("warm");
        var delivered = await db.Outbox.CountAsync(o => o.Status == OutboxStatus.Sent && !o.IsTest);

        Console.WriteLine($"renderer alone          {renderRate,10:N0} messages/s");
        Console.WriteLine($"composer (DB + render)  {composeRate,10:N0} messages/s");
        Console.WriteLine($"raw MailKit, one mail   {ceiling,10:N0} messages/s  (SMTP ceiling, baseline)");
        Console.WriteLine($"outbox end to end       {e2e,10:N0} messages/s  = {e2e / ceiling:P0} of the ceiling, first round ({cpuMs:F2} ms of this process's CPU a message)");
        Console.WriteLine($"outbox, warm process    {warm,10:N0} messages/s  = {warm / ceiling:P0} of the ceiling ({warmCpuMs:F2} ms CPU a message; {delivered:N0} sent in both, {last!.Html.Length / 1024.0:F1} KB HTML each)");
        await app.StopAsync();
        return 0;
    }
}
