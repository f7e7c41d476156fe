using System.Net;
using Cartwise.Core.Scenarios;
using Cartwise.Messages;
using Cartwise.Scenarios;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Scenarios;

public sealed class ScenarioTests
{
    private static Task<int> ScenarioPassAsync(TestApp app) => app.App.Services.GetRequiredService<ScenarioService>().PassAsync(CancellationToken.None);

    /// <summary>A tracked event of a customer with consent: a view, add to cart or purchase of one item in "Furniture &gt; {category}".</summary>
    private static async Task TrackAsync(TestApp app, CreatedStore store, string name, string id, string email, string item, string category,
        decimal price = 40, string? language = "en", DateTimeOffset? at = null, string? tx = null)
    {
        using var tracking = app.Tracking(store);
        var when = (at ?? app.Clock.GetUtcNow()).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var json = $$"""
            {"event_id":"{{id}}","name":"{{name}}","email":"{{email}}","consent":true,"language":"{{language}}","timestamp":"{{when}}",
             {{(tx is null ? "" : $"\"transaction_id\":\"{tx}\",\"currency\":\"EUR\",\"value\":{price.ToString(System.Globalization.CultureInfo.InvariantCulture)},")}}
             "items":[{"item_id":"{{item}}","item_name":"Item {{item}}","item_category":"Furniture","item_category2":"{{category}}","price":{{price.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"quantity":1}]}
            """;
        var r = await tracking.PostJsonAsync("/api/v1/track", json);
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
    }

    private static async Task<long> CategoryAsync(TestApp app, CreatedStore store, string path)
    {
        await using var db = app.Db(store);
        return await db.Categories.Where(c => c.Path == path).Select(c => c.Id).SingleAsync();
    }

    /// <summary>
    /// The tables scenario three cap tests share: the post-purchase test message, the category "Furniture > Tables"
    /// (made by a seed customer's view) and an active cross-sell scenario whose one rule sends the message an hour
    /// after a view of a table, at most once per <paramref name="cap"/>. <see cref="TablesScenario.Json"/> gives the
    /// scenario with another cap, for an edit.
    /// </summary>
    private static async Task<TablesScenario> TablesScenarioAsync(TestApp app, CreatedStore store, HttpClient admin, string cap)
    {
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        await TrackAsync(app, store, "view_item", "seed", "seed@example.com", "T-1", "Tables");
        var tables = new TablesScenario(await CategoryAsync(app, store, "Furniture > Tables"), message, 0);
        return tables with { Id = await ScenarioAsync(admin, tables.Json(cap)) };
    }

    private sealed record TablesScenario(long Tables, long Message, long Id)
    {
        public string Json(string cap) => $$$"""
            {"name":"Tables","kind":"cross_sell","customize":{"holdout":0,"rules":[
              {"id":"tables","trigger":"view","categories":[{{{Tables}}}],"cap":"{{{cap}}}","delay":"1h","messageId":{{{Message}}}}]}}
            """;
    }

    private static async Task<long> ScenarioAsync(HttpClient admin, string json, bool activate = true)
    {
        var r = await admin.PostJsonAsync("/api/v1/scenarios", json);
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        var id = (await r.JsonAsync()).GetProperty("id").GetInt64();
        if (activate)
        {
            var a = await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null);
            Assert.True(a.IsSuccessStatusCode, await a.Content.ReadAsStringAsync());
        }
        return id;
    }

    private static string PostPurchase(long message, string delay = "1d", string extra = "") => $$$"""
        {"name":"After purchase","kind":"post_purchase","languages":["en"],
         "customize":{"tiers":[{"id":"low","from":0,"to":200,"messageId":{{{message}}}},{"id":"high","from":200,"to":null,"messageId":{{{message}}}}],
                      "delay":"{{{delay}}}","holdout":0{{{extra}}}}}
        """;

    [Fact]
    public async Task Summary_ActivationNeedsAValidScenario_TheErrorsSayWhatIsMissing_StatesMoveAsDescribed()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var noSender = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)).Replace("\"senderId\":1", "\"senderId\":null", StringComparison.Ordinal));
        var id = await ScenarioAsync(admin, PostPurchase(noSender).Replace("\"languages\":[\"en\"]", "\"languages\":[\"en\",\"de\"]", StringComparison.Ordinal), activate: false);

        var activate = await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null);

        Assert.Equal(HttpStatusCode.BadRequest, activate.StatusCode);
        var errors = (await activate.JsonAsync()).GetProperty("errors").GetProperty("design.low").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("no 'de' variant", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("no sender", StringComparison.Ordinal));
        var sender = await MessageSetup.SenderAsync(admin);
        var fixedJson = PostPurchase(noSender).Replace("\"languages\":[\"en\"]", $"\"languages\":[\"en\",\"pl\"],\"senderId\":{sender}", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/scenarios/{id}", new StringContent(fixedJson, System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal("active", (await (await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null)).JsonAsync()).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsync($"/api/v1/scenarios/{id}", new StringContent(fixedJson, System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/v1/scenarios/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/v1/messages/{noSender}")).StatusCode); // a scenario sends it
        Assert.Equal("paused", (await (await admin.PostAsync($"/api/v1/scenarios/{id}/pause", null)).JsonAsync()).GetProperty("state").GetString());
        var copy = await (await admin.PostAsync($"/api/v1/scenarios/{id}/duplicate", null)).JsonAsync();
        Assert.Equal("draft", copy.GetProperty("state").GetString());
        Assert.Equal("Copy of After purchase", copy.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/scenarios/{copy.GetProperty("id").GetInt64()}")).StatusCode);
        var overlapping = await admin.PostJsonAsync("/api/v1/scenarios", PostPurchase(noSender).Replace("\"from\":200", "\"from\":150", StringComparison.Ordinal));
        Assert.Contains("overlaps", (await overlapping.JsonAsync()).GetProperty("errors").GetProperty("customize.tiers[1].from")[0].GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Seed001_PostPurchase_TierByOrderValue_DelayAfterPurchase_LanguageFallback_ScenarioSender_SentOnce(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        // Seed 001, step 3: the scenario's own sender, chosen from the predefined ones, wins over the message's.
        var newsletter = (await (await admin.PostJsonAsync("/api/v1/senders", """{"name":"Shop team","fromAddress":"team@shop.example","replyTo":null}""")).JsonAsync()).GetProperty("id").GetInt64();
        await ScenarioAsync(admin, PostPurchase(message).Replace("\"languages\":[\"en\"]", $"\"languages\":[\"en\"],\"senderId\":{newsletter}", StringComparison.Ordinal));
        await TrackAsync(app, store, "purchase", "p1", "hans@example.com", "SKU-1", "Tables", price: 200, language: "de", tx: "T-1");

        await ScenarioPassAsync(app);
        Assert.Equal(0, await app.PassAsync()); // a day early

        await using (var db = app.Db(store))
        {
            var d = await db.ScenarioDecisions.SingleAsync();
            Assert.Equal(("high", "scheduled"), (d.Rule, d.Kind));
            Assert.Equal(app.Clock.GetUtcNow().AddDays(1), d.DueAt);
        }
        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await app.PassAsync());
        await ScenarioPassAsync(app);
        Assert.Equal(0, await app.PassAsync());
        var mail = Assert.Single(smtp.Messages());
        Assert.StartsWith("Thanks", mail.Subject, StringComparison.Ordinal); // no German variant: the default, English
        Assert.Equal("team@shop.example", mail.From.Mailboxes.Single().Address);
        Assert.Contains("Item SKU-1", mail.TextBody);
    }

    [Fact]
    public async Task ImportedHistory_AndEventsThatHappenedDaysAgo_NeverTriggerSends()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        await ScenarioAsync(admin, PostPurchase(message));
        var work = Directory.CreateTempSubdirectory().FullName;
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;
        var import = await CartwiseProcess.RunAsync(work, "--db", file, "import", "orders", Path.Combine(AppContext.BaseDirectory, "Fixtures", "online-retail-mini.csv"),
            "--store", "shop", "--format", "online-retail");
        Assert.True(import.ExitCode == 0, import.StdErr);

        // An event that happened days before it arrives (a late upload of old data) is history too.
        await TrackAsync(app, store, "purchase", "old-1", "ola@example.com", "SKU-1", "Tables", at: app.Clock.GetUtcNow().AddDays(-3), tx: "T-OLD");

        Assert.True(await ScenarioPassAsync(app) > 0);

        await using var db = app.Db(store);
        Assert.True(await db.Events.CountAsync(e => e.EventId.StartsWith("import:")) > 0);
        Assert.Equal(0, await db.ScenarioDecisions.CountAsync());
        Assert.Equal(0, await db.Outbox.CountAsync());
    }

    [Fact]
    public async Task Seed000_CrossSell_RecommendsFromTheRuleCategories_DelayThenRecheckSkipsWhenTheCustomerBoughtInBetween_AndTheDecisionSaysWhy()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        // The categories come from tracked events.
        await TrackAsync(app, store, "view_item", "seed1", "seed@example.com", "T-1", "Tables");
        await TrackAsync(app, store, "view_item", "seed2", "seed@example.com", "C-1", "Chairs");
        var tables = await CategoryAsync(app, store, "Furniture > Tables");
        var chairs = await CategoryAsync(app, store, "Furniture > Chairs");
        await ScenarioAsync(admin, $$$"""
            {"name":"Chairs for tables","kind":"cross_sell","customize":{"holdout":0,"rules":[
              {"id":"tables","trigger":"cart","categories":[{{{tables}}}],"recommendCategories":[{{{chairs}}}],"delay":"1d","cap":"1d","messageId":{{{message}}}}]}}
            """);
        await TrackAsync(app, store, "add_to_cart", "c1", "ola@example.com", "T-1", "Tables");
        await TrackAsync(app, store, "add_to_cart", "c2", "eva@example.com", "T-1", "Tables");
        await ScenarioPassAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(3));
        await TrackAsync(app, store, "purchase", "p1", "ola@example.com", "C-1", "Chairs", tx: "T-9");
        await ScenarioPassAsync(app);
        app.Clock.Advance(TimeSpan.FromDays(1));

        await app.PassAsync();

        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("eva@example.com", mail.To.Mailboxes.Single().Address);
        // Seed 000: the rule's "recommend from" categories fill the RECOMMENDED block: a chair, not another table.
        Assert.Contains("Item C-1", mail.TextBody);
        Assert.DoesNotContain("Item T-1", mail.TextBody);
        await using var db = app.Db(store);
        var ola = await db.Customers.Where(c => c.Email == "ola@example.com").Select(c => c.Id).SingleAsync();
        var why = await admin.GetJsonAsync($"/api/v1/scenarios/decisions?customerId={ola}");
        var decision = why.GetProperty("items")[0];
        Assert.Equal("scheduled", decision.GetProperty("kind").GetString());
        Assert.Equal("skipped", decision.GetProperty("sendStatus").GetString());
        Assert.Equal("already bought in the recommended categories", decision.GetProperty("sendReason").GetString());
    }

    [Fact]
    public async Task SegmentAudience_IsCheckedAtDecision_AndAgainAtSendTime_AfterTheCustomerMoved()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        // Ola bought three times for 300 last week, Eva once for 40 a month ago: of the two, Ola scores 3-3-3 (Loyal),
        // Eva 1-1-1 (Hibernating).
        for (var i = 0; i < 3; i++)
            await TrackAsync(app, store, "purchase", $"o{i}", "ola@example.com", "T-1", "Tables", price: 300, at: app.Clock.GetUtcNow().AddDays(-7 + i), tx: $"O-{i}");
        await TrackAsync(app, store, "purchase", "e0", "eva@example.com", "T-1", "Tables", price: 40, at: app.Clock.GetUtcNow().AddDays(-30), tx: "E-0");
        await ScenarioPassAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/analytics/rfm/recompute", null)).StatusCode);
        var tables = await CategoryAsync(app, store, "Furniture > Tables");
        var bad = await admin.PostJsonAsync("/api/v1/scenarios", $$$"""
            {"name":"Loyal only","kind":"cross_sell","customize":{"holdout":0,"audience":{"segments":["loyal","vip"]},"rules":[
              {"id":"tables","trigger":"view","categories":[{{{tables}}}],"delay":"1d","messageId":{{{message}}}}]}}
            """);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("customize.audience.segments[1]", await bad.Content.ReadAsStringAsync());
        await ScenarioAsync(admin, $$$"""
            {"name":"Loyal only","kind":"cross_sell","customize":{"holdout":0,"audience":{"segments":["loyal"]},"rules":[
              {"id":"tables","trigger":"view","categories":[{{{tables}}}],"delay":"1d","messageId":{{{message}}}}]}}
            """);

        await TrackAsync(app, store, "view_item", "v1", "ola@example.com", "T-1", "Tables");
        await TrackAsync(app, store, "view_item", "v2", "eva@example.com", "T-1", "Tables");
        await ScenarioPassAsync(app);

        await using var db = app.Db(store);
        var (ola, eva) = (await db.Customers.Where(c => c.Email == "ola@example.com").Select(c => c.Id).SingleAsync(),
            await db.Customers.Where(c => c.Email == "eva@example.com").Select(c => c.Id).SingleAsync());
        Assert.Equal("scheduled", (await admin.GetJsonAsync($"/api/v1/scenarios/decisions?customerId={ola}")).GetProperty("items")[0].GetProperty("kind").GetString());
        Assert.Equal("audience: segment hibernating not in loyal",
            (await admin.GetJsonAsync($"/api/v1/scenarios/decisions?customerId={eva}")).GetProperty("items")[0].GetProperty("reason").GetString());

        // Before Ola's message is due, Eva buys five times for 500: the scores swap, and Ola is no longer Loyal.
        for (var i = 0; i < 5; i++)
            await TrackAsync(app, store, "purchase", $"e{i + 1}", "eva@example.com", "T-1", "Tables", price: 500, tx: $"E-{i + 1}");
        await ScenarioPassAsync(app);
        await admin.PostAsync("/api/v1/analytics/rfm/recompute", null);
        app.Clock.Advance(TimeSpan.FromDays(1));
        await app.PassAsync();

        Assert.Empty(smtp.Messages());
        var decision = (await admin.GetJsonAsync($"/api/v1/scenarios/decisions?customerId={ola}")).GetProperty("items")[0];
        Assert.Equal("skipped", decision.GetProperty("sendStatus").GetString());
        Assert.StartsWith("audience: segment ", decision.GetProperty("sendReason").GetString());
        Assert.EndsWith("not in loyal", decision.GetProperty("sendReason").GetString());
    }

    [Fact]
    public async Task ASendSkippedAtSendTime_StillHoldsTheCapWhenTheEngineDecides_OnTheLiveNodeAndOnARestartedOne()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var id = (await TablesScenarioAsync(app, store, admin, "1d")).Id;
        // Ola and Eva view tables and buy within the hour: their messages are skipped when due.
        foreach (var who in new[] { "ola", "eva" })
        {
            await TrackAsync(app, store, "view_item", who + "-v1", who + "@example.com", "T-1", "Tables");
            await TrackAsync(app, store, "purchase", who + "-p1", who + "@example.com", "T-1", "Tables", tx: who + "-T1", at: app.Clock.GetUtcNow().AddMinutes(10));
        }
        await ScenarioPassAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.PassAsync();
        Assert.Empty(smtp.Messages());

        // They view tables again: Eva's view decided by the live node, Ola's by a node started since (its engine rebuilt).
        await using var restarted = await TestApp.StartNodeAsync(app.Database, smtp.Url);
        restarted.Clock.Advance(app.Clock.GetUtcNow() - restarted.Clock.GetUtcNow());
        await TrackAsync(restarted, store, "view_item", "ola-v2", "ola@example.com", "T-1", "Tables", at: app.Clock.GetUtcNow());
        await ScenarioPassAsync(restarted);
        await TrackAsync(app, store, "view_item", "eva-v2", "eva@example.com", "T-1", "Tables");
        await ScenarioPassAsync(app);

        await using var db = app.Db(store);
        var again = await db.ScenarioDecisions.Where(d => d.ScenarioId == id && d.TriggerKey.EndsWith("-v2")).OrderBy(d => d.TriggerKey).ToListAsync();
        Assert.Equal(["eva-v2", "ola-v2"], again.Select(d => d.TriggerKey));
        Assert.All(again, d => Assert.Equal((DecisionKinds.Skipped, true), (d.Kind, d.Reason!.StartsWith("rule cap", StringComparison.Ordinal))));
        Assert.All(await db.Outbox.Where(o => o.ScenarioId == id).ToListAsync(), o => Assert.Equal((OutboxStatus.Skipped, "bought since the trigger"), (o.Status, o.LastError)));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task TwoNodesTakingTurns_EachEngineLearnsWhatTheOtherDecided_WithoutARebuild(Engine engine)
    {
        await using var a = await TestApp.StartAsync(engine);
        await using var b = await TestApp.StartNodeAsync(a.Database);
        var store = await a.CreateStoreAsync("shop");
        using var admin = a.Admin(store);
        var id = (await TablesScenarioAsync(a, store, admin, "1d")).Id;
        var (onA, onB) = (a.App.Services.GetRequiredService<ScenarioService>(), b.App.Services.GetRequiredService<ScenarioService>());

        // Node A builds its engine; node B then decides on Ola's first view; node A on her second, an hour later.
        await TrackAsync(a, store, "view_item", "c0", "ola@example.com", "C-1", "Chairs");
        await onA.PassAsync(CancellationToken.None);
        await TrackAsync(b, store, "view_item", "v1", "ola@example.com", "T-1", "Tables");
        await onB.PassAsync(CancellationToken.None);
        a.Clock.Advance(TimeSpan.FromHours(1));
        await TrackAsync(a, store, "view_item", "v2", "ola@example.com", "T-1", "Tables");
        await onA.PassAsync(CancellationToken.None);

        await using var db = a.Db(store);
        var decisions = await db.ScenarioDecisions.Where(d => d.ScenarioId == id).OrderBy(d => d.Id).ToListAsync();
        Assert.Equal(["v1", "v2"], decisions.Select(d => d.TriggerKey));
        Assert.Equal(DecisionKinds.Scheduled, decisions[0].Kind);
        Assert.Equal(DecisionKinds.Skipped, decisions[1].Kind); // B's send, learnt by A
        Assert.StartsWith("rule cap", decisions[1].Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), (onA.Rebuilds, onA.CatchUps)); // A read only what B had decided on
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task SmallBatches_DecidedAheadWhileTheOneBeforeIsWritten_OnTwoNodesAtOnce_KeepEveryCapAndDecideEachEventOnce(Engine engine)
    {
        // Batches of 3 events: while one is written the next is read and decided on ahead, by engines that must carry
        // each customer's cap from batch to batch, and from node to node when the other one moved the cursor.
        static void Small(IServiceCollection services) => services.Configure<ScenarioOptions>(o => o.BatchSize = 3);
        await using var a = await TestApp.StartAsync(engine, configure: Small);
        await using var b = await TestApp.StartNodeAsync(a.Database, configure: Small);
        var store = await a.CreateStoreAsync("shop");
        using var admin = a.Admin(store);
        var id = (await TablesScenarioAsync(a, store, admin, "1d")).Id;
        var (onA, onB) = (a.App.Services.GetRequiredService<ScenarioService>(), b.App.Services.GetRequiredService<ScenarioService>());
        await onA.PassAsync(CancellationToken.None); // past the seed view
        string[] customers = ["ola", "eva", "jan", "max"];

        // Five rounds of a view of a table by each customer, an hour apart: the first round on one node alone, then
        // both nodes passing at once.
        for (var round = 0; round < 5; round++)
        {
            for (var c = 0; c < customers.Length; c++)
                await TrackAsync(a, store, "view_item", $"{customers[c]}-{round}", $"{customers[c]}@example.com", "T-1", "Tables");
            await TrackAsync(a, store, "view_item", $"chairs-{round}", "ola@example.com", "C-1", "Chairs");
            if (round == 0) await onA.PassAsync(CancellationToken.None);
            else await Task.WhenAll(onA.PassAsync(CancellationToken.None), onB.PassAsync(CancellationToken.None), onA.PassAsync(CancellationToken.None));
            a.Clock.Advance(TimeSpan.FromHours(1));
            b.Clock.Advance(TimeSpan.FromHours(1));
        }

        await using var db = a.Db(store);
        var decisions = await db.ScenarioDecisions.Where(d => d.ScenarioId == id).ToListAsync();
        Assert.Equal(customers.Length * 5, decisions.Count); // one per view of a table, whichever node took it
        foreach (var customer in customers)
        {
            var own = decisions.Where(d => d.TriggerKey.StartsWith(customer + "-", StringComparison.Ordinal)).OrderBy(d => d.At).ToList();
            Assert.Equal([$"{customer}-0", $"{customer}-1", $"{customer}-2", $"{customer}-3", $"{customer}-4"], own.Select(d => d.TriggerKey));
            Assert.Equal(DecisionKinds.Scheduled, own[0].Kind);
            Assert.All(own.Skip(1), d => Assert.Equal((DecisionKinds.Skipped, true), (d.Kind, d.Reason!.StartsWith("rule cap", StringComparison.Ordinal))));
        }
        Assert.Equal(customers.Length, await db.Outbox.CountAsync(o => o.ScenarioId == id));
        Assert.True(onA.DecidedAhead + onB.DecidedAhead > 0, "no batch was decided ahead");
    }

    [Fact]
    public async Task Caps_CountMessagesSent_A45DayRuleCapHoldsAcrossARestart_AndACapTightenedAfterTheDecisionHoldsAtSendTime()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var tables = await TablesScenarioAsync(app, store, admin, "45d");
        var id = tables.Id;
        await TrackAsync(app, store, "view_item", "v1", "ola@example.com", "T-1", "Tables");
        await ScenarioPassAsync(app);
        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.PassAsync();
        Assert.Single(smtp.Messages());

        // 35 days later a node starts (its engine rebuilt from the database): the 45-day cap still holds.
        await using var restarted = await TestApp.StartNodeAsync(app.Database, smtp.Url);
        restarted.Clock.Advance(app.Clock.GetUtcNow() - restarted.Clock.GetUtcNow() + TimeSpan.FromDays(35));
        await TrackAsync(restarted, store, "view_item", "v2", "ola@example.com", "T-1", "Tables");
        await ScenarioPassAsync(restarted);
        await using (var db = restarted.Db(store))
        {
            var second = await db.ScenarioDecisions.SingleAsync(d => d.ScenarioId == id && d.TriggerKey == "v2");
            Assert.Equal(Core.Scenarios.DecisionKinds.Skipped, second.Kind);
            Assert.StartsWith("rule cap", second.Reason);
        }

        // Two views decided without a cap, then the cap set to a day before they are due: one message goes out.
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/pause", null)).IsSuccessStatusCode);
        Assert.True((await admin.PutAsync($"/api/v1/scenarios/{id}", new StringContent(tables.Json("0"), System.Text.Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null)).IsSuccessStatusCode);
        await TrackAsync(restarted, store, "view_item", "v3", "eva@example.com", "T-1", "Tables");
        restarted.Clock.Advance(TimeSpan.FromMinutes(1));
        await TrackAsync(restarted, store, "view_item", "v4", "eva@example.com", "T-1", "Tables");
        await ScenarioPassAsync(restarted);
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/pause", null)).IsSuccessStatusCode);
        Assert.True((await admin.PutAsync($"/api/v1/scenarios/{id}", new StringContent(tables.Json("1d"), System.Text.Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null)).IsSuccessStatusCode);
        restarted.Clock.Advance(TimeSpan.FromHours(2));
        await restarted.PassAsync();
        Assert.Single(smtp.Messages(), m => m.To.ToString().Contains("eva@example.com", StringComparison.Ordinal));
        await using (var db = restarted.Db(store))
        {
            var rows = await db.Outbox.Where(o => o.ScenarioId == id && o.Email == "eva@example.com").OrderBy(o => o.Id).ToListAsync();
            Assert.Equal([OutboxStatus.Sent, OutboxStatus.Skipped], rows.Select(r => r.Status));
            Assert.Equal("rule cap: another message of rule 'tables' was sent inside the cap", rows[1].LastError);
        }
    }

    [Fact]
    public async Task QuietHours_MoveTheSendToTheMorningInTheStoreTimeZone()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop"); // Europe/Warsaw
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        await ScenarioAsync(admin, PostPurchase(message, delay: "0", extra: ""","quietHours":{"from":22,"to":8}"""));
        // 22:30 UTC = 23:30 in Warsaw (winter time).
        var late = new DateTimeOffset(2026, 3, 2, 22, 30, 0, TimeSpan.Zero);
        app.Clock.Advance(late - app.Clock.GetUtcNow());
        await TrackAsync(app, store, "purchase", "p1", "ola@example.com", "SKU-1", "Tables", tx: "T-1");

        await ScenarioPassAsync(app);

        await using var db = app.Db(store);
        var row = await db.Outbox.SingleAsync();
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 7, 0, 0, TimeSpan.Zero), row.DueAt); // 08:00 in Warsaw
        Assert.Equal("moved out of quiet hours", (await db.ScenarioDecisions.SingleAsync()).Reason);
    }

    [Fact]
    public async Task TwoServerNodesOnPostgres_ProcessTheSameEventStream_WithoutADuplicateDecisionOrSend()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var first = await TestApp.StartAsync(Engine.Postgres, smtp.Url);
        await using var second = await TestApp.StartNodeAsync(first.Database, smtp.Url);
        var store = await first.CreateStoreAsync("shop");
        using var admin = first.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        await ScenarioAsync(admin, PostPurchase(message, delay: "0"));
        for (var i = 0; i < 60; i++)
            await TrackAsync(i % 2 == 0 ? first : second, store, "purchase", $"p{i}", $"c{i}@example.com", "SKU-1", "Tables", price: 10 * i, tx: $"T-{i}");

        await Task.WhenAll(ScenarioPassAsync(first), ScenarioPassAsync(second), ScenarioPassAsync(first), ScenarioPassAsync(second));
        async Task Drain(TestApp node)
        {
            while (await node.PassAsync() > 0) { }
        }
        await Task.WhenAll(Drain(first), Drain(second));

        await using var db = first.Db(store);
        Assert.Equal(60, await db.ScenarioDecisions.CountAsync());
        Assert.Equal(60, await db.Outbox.CountAsync(o => o.Status == OutboxStatus.Sent));
        Assert.Equal(60, smtp.Messages().Count);
        Assert.Equal(60, smtp.Messages().Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        var report = await admin.GetJsonAsync($"/api/v1/scenarios/{await db.Scenarios.Select(s => s.Id).SingleAsync()}/report");
        Assert.Equal(60, report.GetProperty("total").GetProperty("sent").GetInt32());
        Assert.Equal(20, report.GetProperty("byRule").GetProperty("low").GetProperty("sent").GetInt32()); // 0, 10 … 190
        Assert.Equal(40, report.GetProperty("byRule").GetProperty("high").GetProperty("sent").GetInt32());
    }

    [Fact]
    public async Task Seed001_Step6_Summary_TestSendsEveryMessageOfTheScenarioInEveryLanguage_MarkedAsATest()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(Engine.Sqlite, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var sender = await MessageSetup.SenderAsync(admin);
        var first = await MessageSetup.MessageAsync(admin, MessageSetup.Message(sender));
        var second = await MessageSetup.MessageAsync(admin, MessageSetup.Message(sender).Replace("\"name\":\"Thanks\"", "\"name\":\"Big thanks\"", StringComparison.Ordinal));
        var json = PostPurchase(first).Replace($"\"id\":\"high\",\"from\":200,\"to\":null,\"messageId\":{first}", $"\"id\":\"high\",\"from\":200,\"to\":null,\"messageId\":{second}", StringComparison.Ordinal);
        var team = (await (await admin.PostJsonAsync("/api/v1/senders", """{"name":"Shop team","fromAddress":"team@shop.example","replyTo":null}""")).JsonAsync()).GetProperty("id").GetInt64();
        var id = await ScenarioAsync(admin, json.Replace("\"languages\":[\"en\"]", $"\"languages\":[\"en\"],\"senderId\":{team}", StringComparison.Ordinal), activate: false);

        var r = await admin.PostJsonAsync($"/api/v1/scenarios/{id}/test-send", """{"to":["marketer@shop.example"]}""");

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(4, (await r.JsonAsync()).GetProperty("items").GetArrayLength()); // 2 messages × (en, pl)
        var mails = smtp.Messages();
        Assert.Equal(4, mails.Count);
        Assert.All(mails, m => Assert.StartsWith("[TEST] ", m.Subject, StringComparison.Ordinal));
        Assert.All(mails, m => Assert.Equal("team@shop.example", m.From.Mailboxes.Single().Address)); // as the scenario sends
        await using var db = app.Db(store);
        Assert.Equal(0, await db.ScenarioDecisions.CountAsync());
    }

    [Fact]
    public async Task Seed001_Step2_Languages_OverviewOfCustomersTheirLanguagesAndTheMostCommon()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        string?[] languages = ["pl", "pl", "en", "pl", "de", null];
        for (var i = 0; i < languages.Length; i++)
            await MessageSetup.BuyerAsync(app, store, $"c{i}@example.com", $"T-{i}", language: languages[i]);
        await MessageSetup.BuyerAsync(app, store, "no@example.com", "T-9", consent: false, language: "fr");

        var o = await admin.GetJsonAsync("/api/v1/scenarios/languages");

        Assert.Equal(6, o.GetProperty("customers").GetInt32());
        Assert.Equal(3, o.GetProperty("languages").GetInt32());
        Assert.Equal("pl", o.GetProperty("mostCommon").GetString());
        Assert.Equal(1, o.GetProperty("withoutLanguage").GetInt32());
    }

    [Fact]
    public async Task SuggestedRules_ComeFromWhatCustomersOrderNext_TimedBeforeTheTypicalPurchase()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var start = app.Clock.GetUtcNow().AddDays(-60);
        // Twelve customers order a table and, 8 to 12 days later, a chair; twelve others only ever order a lamp.
        for (var c = 0; c < 12; c++)
        {
            await TrackAsync(app, store, "purchase", $"t{c}", $"t{c}@example.com", "T-1", "Tables", at: start.AddDays(c), tx: $"T-{c}");
            await TrackAsync(app, store, "purchase", $"c{c}", $"t{c}@example.com", "C-1", "Chairs", at: start.AddDays(c + 8 + c % 5), tx: $"C-{c}");
            await TrackAsync(app, store, "purchase", $"l{c}", $"l{c}@example.com", "L-1", "Lamps", at: start.AddDays(c), tx: $"L-{c}");
        }
        var (tables, chairs, lamps) = (await CategoryAsync(app, store, "Furniture > Tables"), await CategoryAsync(app, store, "Furniture > Chairs"),
            await CategoryAsync(app, store, "Furniture > Lamps"));
        string CrossSell(long from, long to) => $$$"""
            {"name":"Cross","kind":"cross_sell","customize":{"holdout":0,"rules":[
              {"id":"rule1","trigger":"order","categories":[{{{from}}}],"recommendCategories":[{{{to}}}],"delay":"1d","cap":"7d","messageId":0}]}}
            """;
        var lampsScenario = await ScenarioAsync(admin, CrossSell(lamps, tables), activate: false);
        var tablesScenario = await ScenarioAsync(admin, CrossSell(tables, chairs), activate: false);

        var list = await admin.GetJsonAsync($"/api/v1/scenarios/{lampsScenario}/suggested-rules");

        var only = Assert.Single(list.GetProperty("suggestions").EnumerateArray());
        var basis = only.GetProperty("basis");
        Assert.Equal(("Furniture > Tables", "Furniture > Chairs"), (basis.GetProperty("antecedent").GetProperty("name").GetString(), basis.GetProperty("consequent").GetProperty("name").GetString()));
        Assert.Equal(12, basis.GetProperty("support").GetInt32());
        Assert.Equal(1.0, basis.GetProperty("confidence").GetDouble());
        Assert.Equal(2.0, basis.GetProperty("lift").GetDouble()); // half of all customers ordered a chair later
        Assert.Equal(9.5, basis.GetProperty("medianLagDays").GetDouble()); // lags 8, 8, 8, 9, 9, 9 | 10, 10, 11, 11, 12, 12
        var rule = only.GetProperty("rule");
        var (delay, cap) = NextPurchaseTiming.Of(9.5, basis.GetProperty("lagQ1Days").GetDouble(), basis.GetProperty("lagQ3Days").GetDouble());
        Assert.Equal((TriggerActions.Order, tables, chairs, delay, cap), (rule.GetProperty("trigger").GetString(), rule.GetProperty("categories")[0].GetInt64(),
            rule.GetProperty("recommendCategories")[0].GetInt64(), rule.GetProperty("delay").GetString(), rule.GetProperty("cap").GetString()));
        Assert.True(Durations.TryParse(delay, out var d) && d < TimeSpan.FromDays(9.5), delay);
        // Replayed over the last 90 days: every table order triggers it; those who already had their chair are skipped.
        var reach = only.GetProperty("reach");
        Assert.Equal(12, reach.GetProperty("triggered").GetInt32());
        Assert.InRange(reach.GetProperty("sent").GetInt32(), 1, 11);
        Assert.Equal(12, reach.GetProperty("sent").GetInt32() + reach.GetProperty("skipped").GetInt32());
        Assert.Equal(12 - reach.GetProperty("sent").GetInt32(), reach.GetProperty("skippedBy").GetProperty("already bought in the recommended categories").GetInt32());
        // A scenario that has the rule already is not offered it again; other kinds have no suggested rules.
        Assert.Empty((await admin.GetJsonAsync($"/api/v1/scenarios/{tablesScenario}/suggested-rules")).GetProperty("suggestions").EnumerateArray());
        var postPurchase = await ScenarioAsync(admin, PostPurchase(0), activate: false);
        var wrong = await admin.GetAsync($"/api/v1/scenarios/{postPurchase}/suggested-rules");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("cross-selling", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/scenarios/999999/suggested-rules")).StatusCode);
    }

    [Fact]
    public async Task SuggestedTiers_FollowTheOrderValueDistribution_AndCoverEveryValue()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        for (var i = 1; i <= 40; i++)
            await TrackAsync(app, store, "purchase", $"p{i}", $"c{i}@example.com", "SKU-1", "Tables", price: i * 25, tx: $"T-{i}");

        var s = await admin.GetJsonAsync("/api/v1/scenarios/suggested-tiers");

        Assert.Equal(512.5m, s.GetProperty("averageOrderValue").GetDecimal());
        var tiers = s.GetProperty("tiers").EnumerateArray().ToList();
        Assert.Equal(0m, tiers[0].GetProperty("from").GetDecimal());
        for (var i = 1; i < tiers.Count; i++) Assert.Equal(tiers[i - 1].GetProperty("to").GetDecimal(), tiers[i].GetProperty("from").GetDecimal());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, tiers[^1].GetProperty("to").ValueKind);
        Assert.InRange(tiers.Count, 3, 4);
    }
}
