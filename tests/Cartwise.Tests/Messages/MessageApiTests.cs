using System.Net;
using System.Text;
using System.Text.Json;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Messages;

public sealed class MessageApiTests
{
    [Fact]
    public async Task CreateMessage_TemplateError_IsReportedAtSaveWithFieldLineAndColumn_AndNothingIsSaved()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var sender = await MessageSetup.SenderAsync(admin);
        var json = MessageSetup.Message(sender).Replace("Thank you {{ customer.first_name }}", "Thank you\\n{% if customer.first_name %}", StringComparison.Ordinal);

        var r = await admin.PostJsonAsync("/api/v1/messages", json);

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.JsonAsync()).GetProperty("errors");
        var error = errors.GetProperty("variants[0].blocks[0].text")[0].GetString()!;
        Assert.Matches(@"line 2, column \d+", error);
        await using var db = app.Db(store);
        Assert.Equal(0, await db.Messages.CountAsync());
    }

    [Fact]
    public async Task CreateMessage_CouponBlockWithoutCouponSource_OrUnknownPoolOrSender_IsRejected()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var sender = await MessageSetup.SenderAsync(admin);

        var noSource = await admin.PostJsonAsync("/api/v1/messages", MessageSetup.Message(sender, couponBlock: true));
        var badPool = await admin.PostJsonAsync("/api/v1/messages", MessageSetup.Message(sender, """{"mode":"dynamic","poolId":999}""", couponBlock: true));
        var badSender = await admin.PostJsonAsync("/api/v1/messages", MessageSetup.Message(12345));

        Assert.True((await noSource.JsonAsync()).GetProperty("errors").TryGetProperty("coupon.mode", out _));
        Assert.True((await badPool.JsonAsync()).GetProperty("errors").TryGetProperty("coupon.poolId", out _));
        Assert.True((await badSender.JsonAsync()).GetProperty("errors").TryGetProperty("senderId", out _));
    }

    [Fact]
    public async Task Preview_RendersForARealCustomerAndOrder_InTheCustomerLanguage_MissingLanguageFallsBackToDefault_NoOrderTakesTheLatest()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var ola = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1", language: "pl");
        var hans = await MessageSetup.BuyerAsync(app, store, "hans@example.com", "T-2", language: "de", item: "SKU-2");

        var pl = await (await admin.PostJsonAsync($"/api/v1/messages/{message}/preview", $$"""{"customerId":{{ola}},"order":"T-1"}""")).JsonAsync();
        var de = await (await admin.PostJsonAsync($"/api/v1/messages/{message}/preview", $$"""{"customerId":{{hans}},"order":"T-2"}""")).JsonAsync();

        Assert.Equal("pl", pl.GetProperty("language").GetString());
        Assert.Equal("Dziękujemy ola", pl.GetProperty("subject").GetString());
        Assert.Contains("Coffee maker SKU-1", pl.GetProperty("html").GetString());
        Assert.Contains("Coffee maker SKU-1", pl.GetProperty("text").GetString());
        Assert.Equal("en", de.GetProperty("language").GetString());
        Assert.Equal("Thanks hans", de.GetProperty("subject").GetString());
        Assert.Equal("Order T-2", de.GetProperty("preheader").GetString());
        // Without an order: the customer's latest, so PURCHASED shows what they bought.
        var latest = await (await admin.PostJsonAsync($"/api/v1/messages/{message}/preview", $$"""{"customerId":{{hans}}}""")).JsonAsync();
        Assert.Equal("Order T-2", latest.GetProperty("preheader").GetString());
        Assert.Contains("Coffee maker SKU-2", latest.GetProperty("html").GetString());
        var unknown = await admin.PostJsonAsync($"/api/v1/messages/{message}/preview", """{"order":"NOPE"}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task ReorderReminder_RecommendsWhatTheTriggeringOrderHeld()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var sender = await MessageSetup.SenderAsync(admin);
        var message = await MessageSetup.MessageAsync(admin, $$"""
            {"name":"Time to re-order","defaultLanguage":"en","senderId":{{sender}},"coupon":{"mode":"none"},
             "variants":[{"language":"en","subject":"Running low?","preheader":null,"blocks":[
               {"type":"recommended","title":"Order again","strategy":"buy_again","limit":2},{"type":"footer"}]}]}
            """);
        var ola = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1", item: "BEANS");
        app.Clock.Advance(TimeSpan.FromDays(21));

        var preview = await (await admin.PostJsonAsync($"/api/v1/messages/{message}/preview", $$"""{"customerId":{{ola}},"order":"T-1"}""")).JsonAsync();

        Assert.Contains("Coffee maker BEANS", preview.GetProperty("text").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task TestSend_EveryVariantArrivesAtARealSmtpServer_WithOneClickUnsubscribe_BothParts_AndStaysOutOfReports(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin), """{"mode":"static","code":"HELLO10","validDays":7}""", couponBlock: true));
        await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1");

        var r = await admin.PostJsonAsync($"/api/v1/messages/{message}/test-send", """{"to":["marketer@shop.example"]}""");

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var results = (await r.JsonAsync()).GetProperty("items");
        Assert.Equal(2, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), x => Assert.Equal("sent", x.GetProperty("status").GetString()));
        var mails = smtp.Messages();
        Assert.Equal(2, mails.Count);
        Assert.Equal(["[TEST] Dziękujemy Alex", "[TEST] Thanks Alex"], mails.Select(m => m.Subject).Order(StringComparer.Ordinal));
        foreach (var m in mails)
        {
            Assert.Equal("hello@shop.example", m.From.Mailboxes.Single().Address);
            Assert.Equal("care@shop.example", m.ReplyTo.Mailboxes.Single().Address);
            Assert.Matches("^<http://127.0.0.1:\\d+/u/\\d+\\.[A-Za-z0-9_-]+>$", m.Headers["List-Unsubscribe"]);
            Assert.Equal("List-Unsubscribe=One-Click", m.Headers["List-Unsubscribe-Post"]);
            Assert.Contains("HELLO10", m.TextBody);
            Assert.Contains("HELLO10", m.HtmlBody);
            Assert.Contains("Coffee maker SKU-1", m.TextBody);
        }
        var report = await admin.GetJsonAsync($"/api/v1/messages/{message}/report");
        Assert.Equal(0, report.GetProperty("sent").GetInt32());
        var list = await admin.GetJsonAsync("/api/v1/messages");
        Assert.Equal(message, list.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal(["en", "pl"], list.GetProperty("items")[0].GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task StoreSmtpSettings_OverrideTheDefaultFileOutbox_AndThePasswordIsNeverShown()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite); // the default transport: the file outbox
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        Assert.StartsWith("file outbox", (await admin.GetJsonAsync("/api/v1/store/mail")).GetProperty("transport").GetString(), StringComparison.Ordinal);

        var secret = await admin.PutAsync("/api/v1/store/mail", new StringContent("""{"smtp":"smtp://mailer:s3cret@mail.example:587?tls=starttls","sendRate":10}""", Encoding.UTF8, "application/json"));
        var bad = await admin.PutAsync("/api/v1/store/mail", new StringContent("""{"smtp":"http://nope","sendRate":10}""", Encoding.UTF8, "application/json"));
        var own = await admin.PutAsync("/api/v1/store/mail", new StringContent($$"""{"smtp":"{{smtp.Url}}?tls=none","sendRate":0}""", Encoding.UTF8, "application/json"));
        var sent = await admin.PostJsonAsync($"/api/v1/messages/{message}/test-send", """{"to":["me@shop.example"],"language":"en"}""");

        var secretBody = await secret.Content.ReadAsStringAsync();
        Assert.Contains("smtp://mailer:***@mail.example:587?tls=starttls", secretBody, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", secretBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("sent", (await sent.JsonAsync()).GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Single(smtp.Messages());
    }

    [Fact]
    public async Task CouponPool_ImportCsvChoosingTheColumn_GeneratesUniqueCodes_WarnsWhenLow()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"Spring","lowWarning":10}""")).JsonAsync()).GetProperty("id").GetInt64();
        var csv = "id,discount,voucher\n1,10%,SPRING-A\n2,10%,SPRING-B\n3,10%,SPRING-A\n4,10%,\n5,10%,SPRING C\n";

        var imported = await admin.PostAsync($"/api/v1/coupon-pools/{pool}/import?column=voucher", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var wrongColumn = await admin.PostAsync($"/api/v1/coupon-pools/{pool}/import?column=code", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var generated = await admin.PostJsonAsync($"/api/v1/coupon-pools/{pool}/generate", """{"count":20,"pattern":"SPRING-######"}""");
        var weak = await admin.PostJsonAsync($"/api/v1/coupon-pools/{pool}/generate", """{"count":5000,"pattern":"S-####"}""");

        var body = await imported.JsonAsync();
        Assert.Equal(2, body.GetProperty("added").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        Assert.Equal([5, 6], body.GetProperty("rejected").EnumerateArray().Select(x => x.GetProperty("line").GetInt32()));
        Assert.True(body.GetProperty("pool").GetProperty("low").GetBoolean());
        Assert.Contains("2 free codes", body.GetProperty("pool").GetProperty("warning").GetString());
        Assert.Contains("voucher", (await wrongColumn.JsonAsync()).GetProperty("errors").GetProperty("column")[0].GetString());
        Assert.Equal(22, (await generated.JsonAsync()).GetProperty("pool").GetProperty("free").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        await using var db = app.Db(store);
        var codes = await db.CouponCodes.Select(c => c.Code).ToListAsync();
        Assert.Equal(22, codes.Distinct().Count());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task CouponPool_ImportOfManyChunks_AddsEveryCode_TheSameFileAgainAddsNothing_AndAnImportCutShortResumes(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"Big"}""")).JsonAsync()).GetProperty("id").GetInt64();
        var count = 12_345; // several commits: the first holds 5,000 codes
        var all = Enumerable.Range(0, count).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BIG-{i:D6}")).ToList();
        async Task<JsonElement> ImportAsync(IEnumerable<string> codes)
        {
            var r = await admin.PostAsync($"/api/v1/coupon-pools/{pool}/import?header=false", new StringContent(string.Join('\n', codes), Encoding.UTF8, "text/csv"));
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            return await r.JsonAsync();
        }

        // The first chunk's worth arrived before the import was cut off; the whole file then comes again.
        var cut = await ImportAsync(all.Take(5_010));
        var whole = await ImportAsync(all);
        var again = await ImportAsync(all);

        Assert.Equal(5_010, cut.GetProperty("added").GetInt32());
        Assert.Equal(count - 5_010, whole.GetProperty("added").GetInt32());
        Assert.Equal(5_010, whole.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, again.GetProperty("added").GetInt32());
        Assert.Equal(count, again.GetProperty("duplicates").GetInt32());
        Assert.Equal(count, again.GetProperty("pool").GetProperty("free").GetInt32());
        await using var db = app.Db(store);
        Assert.Equal(all, await db.CouponCodes.Where(c => c.PoolId == pool).OrderBy(c => c.Code).Select(c => c.Code).ToListAsync());
    }
}
