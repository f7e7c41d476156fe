using System.Globalization;
using System.Net;
using System.Text;
using Cartwise.Scenarios;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Scenarios;

/// <summary>An A/B test of a tier's message, live: the split, the variant on each decision, the report of each, the winner only beyond chance.</summary>
public sealed class AbTestTests
{
    private static async Task PurchasesAsync(TestApp app, CreatedStore store, int from, int count, string prefix)
    {
        using var tracking = app.Tracking(store);
        var when = app.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        foreach (var chunk in Enumerable.Range(from, count).Chunk(1000))
        {
            var body = new StringBuilder("{\"events\":[");
            body.AppendJoin(',', chunk.Select(i => $$"""
                {"event_id":"{{prefix}}{{i}}","name":"purchase","email":"c{{i}}@shop.example","consent":true,"language":"en","timestamp":"{{when}}",
                 "transaction_id":"{{prefix}}{{i}}","currency":"EUR","value":40,"items":[{"item_id":"SKU-1","item_name":"Kettle","price":40,"quantity":1}]}
                """));
            body.Append("]}");
            var r = await tracking.PostJsonAsync("/api/v1/track", body.ToString());
            Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Opens the first <paramref name="count"/> mails of a subject by their tracking pixel, as a mail client would.</summary>
    private static async Task OpenAsync(TestApp app, IEnumerable<MimeKit.MimeMessage> mails, string subject, int skip, int count)
    {
        using var anonymous = app.Anonymous();
        foreach (var chunk in mails.Where(m => m.Subject == subject).Skip(skip).Take(count).Chunk(50))
            await Task.WhenAll(chunk.Select(async m => Assert.True((await anonymous.GetAsync(MessageSetup.Link(m, "/t/o/"))).IsSuccessStatusCode)));
    }

    [Fact]
    public async Task TwoSubjects_Split2000Customers5050_RecordTheVariant_ReportEach_NoWinnerWhileTheIntervalIncludesZero_ThenTheWinnerGetsEverySend()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var sender = await MessageSetup.SenderAsync(admin);
        var a = await MessageSetup.MessageAsync(admin, $$"""
            {"name":"Thanks A","defaultLanguage":"en","senderId":{{sender}},"variants":[{"language":"en","subject":"Thanks for your order","blocks":[{"type":"text","text":"Thanks"},{"type":"footer"}]}]}
            """);
        var b = await MessageSetup.MessageAsync(admin, $$"""
            {"name":"Thanks B","defaultLanguage":"en","senderId":{{sender}},"variants":[{"language":"en","subject":"A little thank-you inside","blocks":[{"type":"text","text":"Thanks"},{"type":"footer"}]}]}
            """);
        var created = await admin.PostJsonAsync("/api/v1/scenarios", $$$"""
            {"name":"After purchase","kind":"post_purchase","languages":["en"],
             "customize":{"tiers":[{"id":"all","from":0,"to":null,"messageId":{{{a}}}}],"holdout":0,
               "tests":[{"rule":"all","metric":"open_rate","minRecipients":500,"wait":"1d",
                         "variants":[{"id":"A","messageId":{{{a}}},"share":0.5},{"id":"B","messageId":{{{b}}},"share":0.5}]}]}}
            """);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.JsonAsync()).GetProperty("id").GetInt64();
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null)).IsSuccessStatusCode);
        var scenarios = app.App.Services.GetRequiredService<ScenarioService>();
        var tests = app.App.Services.GetRequiredService<AbTestService>();

        await PurchasesAsync(app, store, 1, 2000, "o");
        while (await scenarios.PassAsync(CancellationToken.None) > 0) { }

        await using (var db = app.Db(store))
        {
            var decisions = await db.ScenarioDecisions.Where(d => d.ScenarioId == id).ToListAsync();
            Assert.Equal(2000, decisions.Count);
            Assert.All(decisions, d => Assert.Equal(d.Variant == "A" ? a : b, d.MessageId));
            var shareB = decisions.Count(d => d.Variant == "B") / 2000.0;
            Assert.InRange(shareB, 0.47, 0.53);
        }
        var first = (await admin.GetJsonAsync($"/api/v1/scenarios/{id}/decisions?limit=1")).GetProperty("items")[0];
        Assert.True(first.GetProperty("variant").GetString() is "A" or "B");

        while (await app.PassAsync() > 0) { }
        var mails = smtp.Messages();
        Assert.Equal(2000, mails.Count);
        // About a fifth of each variant opens: 20% against 21%, a difference chance explains.
        await OpenAsync(app, mails, "Thanks for your order", 0, 200);
        await OpenAsync(app, mails, "A little thank-you inside", 0, 205);

        // Sends younger than the test's wait do not count yet.
        var early = (await admin.GetJsonAsync($"/api/v1/scenarios/{id}/tests")).GetProperty("items")[0];
        Assert.StartsWith("waiting: variant", early.GetProperty("status").GetString());
        Assert.Equal(0, await tests.DecideAsync(CancellationToken.None));

        app.Clock.Advance(TimeSpan.FromDays(1));
        var report = (await admin.GetJsonAsync($"/api/v1/scenarios/{id}/tests")).GetProperty("items")[0];
        var variants = report.GetProperty("variants");
        Assert.Equal(2000, variants[0].GetProperty("report").GetProperty("sent").GetInt32() + variants[1].GetProperty("report").GetProperty("sent").GetInt32());
        Assert.Equal(200, variants[0].GetProperty("report").GetProperty("opened").GetInt32());
        Assert.Equal(205, variants[1].GetProperty("report").GetProperty("opened").GetInt32());
        Assert.True(report.GetProperty("low").GetDouble() < 0 && report.GetProperty("high").GetDouble() > 0);
        Assert.Contains("includes zero", report.GetProperty("status").GetString());
        Assert.Equal(0, await tests.DecideAsync(CancellationToken.None));

        // B pulls ahead (35% opens against 20%): the interval leaves zero and B wins.
        await OpenAsync(app, mails, "A little thank-you inside", 205, 150);
        Assert.Equal(1, await tests.DecideAsync(CancellationToken.None));
        report = (await admin.GetJsonAsync($"/api/v1/scenarios/{id}/tests")).GetProperty("items")[0];
        Assert.Equal("B", report.GetProperty("winner").GetString());
        Assert.True(report.GetProperty("low").GetDouble() > 0);
        Assert.StartsWith("B won on", report.GetProperty("status").GetString());

        // Every later send is B's.
        await PurchasesAsync(app, store, 3001, 100, "new");
        while (await scenarios.PassAsync(CancellationToken.None) > 0) { }
        await using (var db = app.Db(store))
        {
            var later = await db.ScenarioDecisions.Where(d => d.ScenarioId == id && d.TriggerKey.StartsWith("new")).ToListAsync();
            Assert.Equal(100, later.Count);
            Assert.All(later, d => Assert.Equal(("B", b), (d.Variant, d.MessageId)));
        }
    }
}
