using System.Net;
using Cartwise.Messages;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Messages;

public sealed class OutboxTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Outbox_SendsADueRowOnce_TheSameKeyIsQueuedOnce_ANewPassSendsNothingMore(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var ola = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1", language: "pl");
        var row = await MessageSetup.EnqueueAsync(app, store, message, ola, "post:1:T-1");
        await using (var db = app.Db(store))
            Assert.False(await OutboxWriter.EnqueueAsync(db, new OutboxMessage { StoreId = store.StoreId, Key = "post:1:T-1", MessageId = message, Email = "x@example.com" }, app.Clock.GetUtcNow(), default));

        Assert.Equal(1, await app.PassAsync());
        Assert.Equal(0, await app.PassAsync());

        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("Dziękujemy ola", mail.Subject);
        Assert.Equal("ola@example.com", mail.To.Mailboxes.Single().Address);
        var sent = await MessageSetup.RowAsync(app, store, row.Id);
        Assert.Equal(OutboxStatus.Sent, sent.Status);
        var export = await admin.GetJsonAsync($"/api/v1/customers/{ola}/export"); // GDPR export lists the messages too
        Assert.Equal("Dziękujemy ola", export.GetProperty("messages")[0].GetProperty("subject").GetString());
        Assert.Equal("pl", sent.Language);
        Assert.Equal(app.Clock.GetUtcNow(), sent.SentAt);
        Assert.Contains("OK", sent.ProviderResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void Shares_KeepARecipientsRowsInOneShare_InClaimOrder_AndSpreadRecipientsOverTheConnections()
    {
        (long, long?)[] claimed = [(1, 7), (2, 8), (3, 7), (4, null), (5, 9), (6, 8), (7, null)];
        var shares = OutboxService.Shares(claimed, 3);
        Assert.Equal(3, shares.Count);
        var seven = Assert.Single(shares, s => s.Contains(1));
        Assert.True(seven.Contains(3) && seven.IndexOf(1) < seven.IndexOf(3));
        Assert.Single(shares, s => s.Contains(2) && s.Contains(6));
        Assert.Equal(claimed.Length, shares.Sum(s => s.Count));
        Assert.Single(OutboxService.Shares([(1, 7), (2, 7)], 4));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Outbox_ABatchOfRecipients_EachMessageShowsItsOwnOrder_AndRecommendsNothingTheRecipientBought(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        // Five buyers of five products; Ann also bought SKU-A, the bestseller, before the order her message is about.
        string[] names = ["ann", "bob", "cat", "dan", "eve"];
        await MessageSetup.BuyerAsync(app, store, "ann@example.com", "T-ann-0", item: "SKU-A", at: app.Clock.GetUtcNow().AddDays(-3));
        foreach (var other in new[] { "yan", "zed" })
            await MessageSetup.BuyerAsync(app, store, $"{other}@example.com", $"T-{other}", item: "SKU-A", at: app.Clock.GetUtcNow().AddDays(-2));
        var buyers = new List<long>();
        for (var i = 0; i < names.Length; i++)
            buyers.Add(await MessageSetup.BuyerAsync(app, store, $"{names[i]}@example.com", $"T-{names[i]}", item: $"SKU-{(char)('F' + i)}"));
        await app.App.Services.GetRequiredService<Cartwise.Recommendations.ModelService>().BuildAsync(store.StoreId, new Cartwise.Core.Recommendations.ModelOptions(), null, default);
        for (var i = 0; i < buyers.Count; i++) await MessageSetup.EnqueueAsync(app, store, message, buyers[i], $"post:{names[i]}");

        // One pass claims them all and shares them over the connections; each message is composed from data read for the batch.
        Assert.Equal(names.Length, await app.PassAsync());

        var mails = smtp.Messages();
        Assert.Equal(names.Length, mails.Count);
        for (var i = 0; i < names.Length; i++)
        {
            var mail = Assert.Single(mails, m => m.To.Mailboxes.Single().Address == $"{names[i]}@example.com");
            var (purchased, recommended) = Split(mail.TextBody);
            Assert.Contains($"Order T-{names[i]}", mail.HtmlBody, StringComparison.Ordinal);
            Assert.Contains($"Coffee maker SKU-{(char)('F' + i)}", purchased, StringComparison.Ordinal);
            Assert.Equal(1, Count(purchased, "Coffee maker SKU-"));
            // No rules among single-product orders: the bestsellers, SKU-A first, less what the recipient bought.
            Assert.Equal(2, Count(recommended, "Coffee maker SKU-"));
            Assert.DoesNotContain($"SKU-{(char)('F' + i)}", recommended, StringComparison.Ordinal);
            if (names[i] != "ann") Assert.Contains("Coffee maker SKU-A", recommended, StringComparison.Ordinal);
        }
        var (_, forAnn) = Split(Assert.Single(mails, m => m.To.Mailboxes.Single().Address == "ann@example.com").TextBody);
        Assert.DoesNotContain("SKU-A", forAnn, StringComparison.Ordinal);

        static (string Purchased, string Recommended) Split(string? text)
        {
            text ??= "";
            var at = text.IndexOf("You may also like", StringComparison.Ordinal);
            return at < 0 ? (text, "") : (text[..at], text[at..]);
        }
        static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Outbox_RecipientWithoutConsent_OrSuppressed_OrErased_GetsNothing_AndTheReasonIsKept(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var noConsent = await MessageSetup.BuyerAsync(app, store, "no@example.com", "T-1", consent: false);
        var suppressed = await MessageSetup.BuyerAsync(app, store, "gone@example.com", "T-2");
        var erased = await MessageSetup.BuyerAsync(app, store, "erased@example.com", "T-3");
        var rows = new[]
        {
            await MessageSetup.EnqueueAsync(app, store, message, noConsent, "k1"),
            await MessageSetup.EnqueueAsync(app, store, message, suppressed, "k2"),
            await MessageSetup.EnqueueAsync(app, store, message, erased, "k3"),
        };
        await using (var db = app.Db(store))
        {
            await OutboxService.SuppressAsync(db, "GONE@example.com", "bounce", null, app.Clock.GetUtcNow(), default);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/customers/{erased}")).StatusCode);

        await app.PassAsync();

        Assert.Empty(smtp.Messages());
        var reasons = new List<string?>();
        foreach (var r in rows) reasons.Add((await MessageSetup.RowAsync(app, store, r.Id)).LastError);
        Assert.Equal(["no email consent", "suppressed", "erased"], reasons);
        await using (var db = app.Db(store))
            Assert.Equal("erased", await db.Outbox.Where(o => o.CustomerId == erased).Select(o => o.Email).SingleAsync()); // the address left the outbox
    }

    [Fact]
    public async Task Outbox_TemporaryFailure_IsRetriedWithGrowingBackoff_ThenGoesToTheDeadLetters()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var later = await MessageSetup.BuyerAsync(app, store, "later@example.com", "T-1");
        var row = await MessageSetup.EnqueueAsync(app, store, message, later, "k1");

        var waits = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            await app.PassAsync();
            var r = await MessageSetup.RowAsync(app, store, row.Id);
            Assert.Equal(attempt, r.Attempts);
            Assert.Contains("SMTP 451", r.LastError);
            if (attempt == 8)
            {
                Assert.Equal(OutboxStatus.Failed, r.Status);
                break;
            }
            Assert.Equal(OutboxStatus.Pending, r.Status);
            waits.Add(r.DueAt - app.Clock.GetUtcNow());
            // Not due yet: a pass one second before does nothing.
            app.Clock.Advance(r.DueAt - app.Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
            Assert.Equal(0, await app.PassAsync());
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal([30, 60, 120, 240, 480, 960, 1920], waits.Select(w => (int)w.TotalSeconds));
        Assert.Empty(smtp.Messages());
    }

    [Fact]
    public async Task Outbox_PermanentFailure_GoesToTheDeadLettersAtOnce_AndTheAddressIsSuppressedAsBounced()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var reject = await MessageSetup.BuyerAsync(app, store, "reject@example.com", "T-1");
        var row = await MessageSetup.EnqueueAsync(app, store, message, reject, "k1");

        await app.PassAsync();

        var r = await MessageSetup.RowAsync(app, store, row.Id);
        Assert.Equal(OutboxStatus.Failed, r.Status);
        Assert.Equal(1, r.Attempts);
        Assert.Contains("SMTP 550", r.LastError);
        await using var db = app.Db(store);
        Assert.Equal("bounce", (await db.Suppressions.SingleAsync()).Reason);
        Assert.False((await db.Customers.SingleAsync(c => c.Id == reject)).EmailConsent);
        var outbox = await admin.GetJsonAsync("/api/v1/outbox?status=failed");
        Assert.Equal(row.Id, outbox.GetProperty("items")[0].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Outbox_AFailureOfAnUnknownKind_GoesToTheDeadLettersWithItsReason_NotRetriedForever()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        // Credentials for a server that offers no authentication: MailKit refuses before sending anything.
        var put = await admin.PutAsync("/api/v1/store/mail", new StringContent($$"""{"smtp":"smtp://user:pass@127.0.0.1:{{smtp.Port}}?tls=none","sendRate":0}""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var row = await MessageSetup.EnqueueAsync(app, store, message, await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1"), "k1");

        await app.PassAsync();
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await app.PassAsync());

        var r = await MessageSetup.RowAsync(app, store, row.Id);
        Assert.Equal(OutboxStatus.Failed, r.Status);
        Assert.Contains("authentication", r.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(smtp.Messages());
    }

    [Fact]
    public async Task Links_UnsubscribeOneClickAndPage_WorkWithoutLogin_ForgedOrRetargetedLinksDoNothing()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var ola = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1");
        var eva = await MessageSetup.BuyerAsync(app, store, "eva@example.com", "T-2");
        await MessageSetup.EnqueueAsync(app, store, message, ola, "k1");
        await MessageSetup.EnqueueAsync(app, store, message, eva, "k2");
        await app.PassAsync();
        var mails = smtp.Messages();
        var toOla = mails.Single(m => m.To.Mailboxes.Single().Address == "ola@example.com");
        var toEva = mails.Single(m => m.To.Mailboxes.Single().Address == "eva@example.com");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var oneClick = toOla.Headers["List-Unsubscribe"]!.Trim('<', '>');
        var forged = oneClick[..^3] + (oneClick.EndsWith("AAA", StringComparison.Ordinal) ? "BBB" : "AAA");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync(forged, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(oneClick, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]))).StatusCode);
        // A GET (a person, or a mail scanner following links) only shows the button; its POST unsubscribes.
        var page = await anonymous.GetAsync(MessageSetup.Link(toEva, "/u/"));
        Assert.Contains("<button type=\"submit\"", await page.Content.ReadAsStringAsync());
        await using (var before = app.Db(store))
            Assert.True(await before.Customers.Where(c => c.Id == eva).Select(c => c.EmailConsent).SingleAsync());
        var button = await anonymous.PostAsync(MessageSetup.Link(toEva, "/u/"), new FormUrlEncodedContent([]));
        Assert.Contains("You are unsubscribed", await button.Content.ReadAsStringAsync());

        var click = MessageSetup.Link(toEva, "/t/c/");
        var followed = await anonymous.GetAsync(click);
        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        Assert.Equal("https://shop.example/", followed.Headers.Location!.ToString());
        var retargeted = click[..click.IndexOf("?u=", StringComparison.Ordinal)] + "?u=" + Uri.EscapeDataString("https://evil.example/");
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync(retargeted)).StatusCode);
        var pixel = await anonymous.GetAsync(MessageSetup.Link(toEva, "/t/o/"));
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType!.MediaType);

        await using var db = app.Db(store);
        Assert.All(await db.Customers.Where(c => c.Id == ola || c.Id == eva).ToListAsync(), c => Assert.False(c.EmailConsent));
        Assert.Equal(["eva@example.com", "ola@example.com"], await db.Suppressions.OrderBy(s => s.Email).Select(s => s.Email).ToListAsync());
        var kinds = await db.MessageActivities.OrderBy(a => a.Id).Select(a => a.Kind).ToListAsync();
        Assert.Equal(["unsubscribe", "unsubscribe", "click", "open"], kinds);
        // Nothing more goes to them, even for a new trigger.
        await MessageSetup.EnqueueAsync(app, store, message, ola, "k3");
        await app.PassAsync();
        Assert.Equal(2, smtp.Messages().Count);
    }

    [Fact]
    public async Task Report_OrderAfterAClickInsideTheWindow_IsCreditedOnce_CouponRedemptionIsCounted()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"Back","lowWarning":1}""")).JsonAsync()).GetProperty("id").GetInt64();
        await admin.PostJsonAsync($"/api/v1/coupon-pools/{pool}/generate", """{"count":10,"pattern":"BACK-######"}""");
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin), $$"""{"mode":"dynamic","poolId":{{pool}},"validDays":14}""", couponBlock: true));
        var ola = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1");
        var eva = await MessageSetup.BuyerAsync(app, store, "eva@example.com", "T-2");
        await MessageSetup.EnqueueAsync(app, store, message, ola, "k1");
        await MessageSetup.EnqueueAsync(app, store, message, eva, "k2");
        await app.PassAsync();
        var toOla = smtp.Messages().Single(m => m.To.Mailboxes.Single().Address == "ola@example.com");
        var toEva = smtp.Messages().Single(m => m.To.Mailboxes.Single().Address == "eva@example.com");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        app.Clock.Advance(TimeSpan.FromHours(2));
        await anonymous.GetAsync(MessageSetup.Link(toOla, "/t/c/"));
        await anonymous.GetAsync(MessageSetup.Link(toEva, "/t/o/"));
        await using (var db = app.Db(store))
        {
            var olaCode = await db.Outbox.Where(o => o.CustomerId == ola).Select(o => o.CouponCode).SingleAsync();
            Assert.Contains(olaCode!, toOla.TextBody);
            app.Clock.Advance(TimeSpan.FromDays(3));
            await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-3", coupon: olaCode, item: "SKU-9");
        }
        app.Clock.Advance(TimeSpan.FromDays(1)); // Eva's open was 4 days ago: outside the 1-day open window
        await MessageSetup.BuyerAsync(app, store, "eva@example.com", "T-4", item: "SKU-9");

        var report = await admin.GetJsonAsync($"/api/v1/messages/{message}/report");

        Assert.Equal(2, report.GetProperty("sent").GetInt32());
        Assert.Equal(2, report.GetProperty("opened").GetInt32());
        Assert.Equal(1, report.GetProperty("clicked").GetInt32());
        Assert.Equal(1, report.GetProperty("orders").GetInt32());
        Assert.Equal(40m, report.GetProperty("revenue").GetDecimal());
        Assert.Equal(2, report.GetProperty("couponsSent").GetInt32());
        Assert.Equal(1, report.GetProperty("couponsRedeemed").GetInt32());
        Assert.Equal(0.5, report.GetProperty("couponResponseRate").GetDouble()); // seed 003: the bounce-back's response rate
        Assert.Equal(0.5, report.GetProperty("clickRate").GetDouble());
    }

    [Fact]
    public async Task DynamicCoupons_EachRecipientGetsTheirOwnCode_AnEmptyPoolFailsTheSendWithAClearReason()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"Tiny"}""")).JsonAsync()).GetProperty("id").GetInt64();
        await admin.PostAsync($"/api/v1/coupon-pools/{pool}/import?header=false", new StringContent("C-1\nC-2\n", System.Text.Encoding.UTF8, "text/csv"));
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin), $$"""{"mode":"dynamic","poolId":{{pool}}}""", couponBlock: true));
        var rows = new List<OutboxMessage>();
        for (var i = 0; i < 3; i++)
            rows.Add(await MessageSetup.EnqueueAsync(app, store, message, await MessageSetup.BuyerAsync(app, store, $"c{i}@example.com", $"T-{i}"), $"k{i}"));

        await app.PassAsync();
        await app.PassAsync();

        var final = new List<OutboxMessage>();
        foreach (var r in rows) final.Add(await MessageSetup.RowAsync(app, store, r.Id));
        // Rows go out over several connections at once: which two get the codes is not fixed, that they differ is.
        Assert.Equal(["C-1", "C-2"], final.Where(r => r.CouponCode is not null).Select(r => r.CouponCode!).Order(StringComparer.Ordinal));
        var failed = Assert.Single(final, r => r.CouponCode is null);
        Assert.Equal(OutboxStatus.Failed, failed.Status);
        Assert.Equal("coupon pool 'Tiny' has no free code left", failed.LastError);
        Assert.Equal(2, smtp.Messages().Count);
        var pools = await admin.GetJsonAsync("/api/v1/coupon-pools");
        Assert.Contains("is empty", pools.GetProperty("items")[0].GetProperty("warning").GetString());
    }

    [Fact]
    public async Task TwoNodesOnPostgres_ShareOneOutbox_NoRowAndNoCouponIsTakenTwice()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var first = await TestApp.StartAsync(Engine.Postgres, smtp.Url);
        await using var second = await TestApp.StartNodeAsync(first.Database, smtp.Url);
        var store = await first.CreateStoreAsync("shop");
        using var admin = first.Admin(store);
        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"Big"}""")).JsonAsync()).GetProperty("id").GetInt64();
        await admin.PostJsonAsync($"/api/v1/coupon-pools/{pool}/generate", """{"count":500,"pattern":"N-########"}""");
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin), $$"""{"mode":"dynamic","poolId":{{pool}}}""", couponBlock: true));
        var buyer = await MessageSetup.BuyerAsync(first, store, "buyer@example.com", "T-0");
        await using (var db = first.Db(store))
        {
            for (var i = 0; i < 200; i++)
                db.Outbox.Add(new OutboxMessage { StoreId = store.StoreId, Key = $"k{i}", MessageId = message, CustomerId = buyer, Email = $"r{i}@example.com",
                    DueAt = first.Clock.GetUtcNow(), CreatedAt = first.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        // Each node runs passes until nothing is left, both at once.
        async Task Drain(TestApp node)
        {
            while (await node.PassAsync() > 0) { }
        }
        await Task.WhenAll(Drain(first), Drain(second), Drain(first), Drain(second));

        var mails = smtp.Messages();
        Assert.Equal(200, mails.Count);
        Assert.Equal(200, mails.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        await using var check = first.Db(store);
        Assert.Equal(200, await check.Outbox.CountAsync(o => o.Status == OutboxStatus.Sent && !o.Uncertain));
        var codes = await check.Outbox.Select(o => o.CouponCode).ToListAsync();
        Assert.Equal(200, codes.Distinct().Count());
        Assert.Equal(200, await check.CouponCodes.CountAsync(c => c.OutboxId != null));
    }
}
