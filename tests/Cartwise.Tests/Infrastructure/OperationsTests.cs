using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Cartwise.Hosting;
using Cartwise.Messages;
using Cartwise.Scenarios;
using Cartwise.Tests.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Infrastructure;

/// <summary>What an operator watches: <c>/metrics</c> after real traffic, and <c>/readyz</c> with its reasons.</summary>
public sealed partial class OperationsTests
{
    private const string MetricsKey = "test-metrics-key";

    private static Task<TestApp> StartAsync(Engine engine, string? smtp = null) => TestApp.StartAsync(engine, smtp, services =>
    {
        services.AddSingleton(new MetricsAccess(MetricsKey, null));
        services.Configure<ReadinessOptions>(o => o.MaxLagSeconds = 600);
    });

    private static async Task<string> ScrapeAsync(TestApp app)
    {
        using var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        var r = await http.GetAsync(Operations.MetricsPath);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the series named <paramref name="series"/> whose labels include every one of <paramref name="labels"/> (one value, or a histogram's counts over its other labels).</summary>
    private static double Value(string scrape, string series, params string[] labels)
    {
        var values = SeriesLine().Matches(scrape)
            .Where(m => m.Groups["name"].Value == series && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Select(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(values.Count > 0, $"no series {series} with {string.Join(", ", labels)} in:\n{scrape}");
        return values.Sum();
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[-+.eE0-9]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex SeriesLine();

    [Theory, ClassData(typeof(Engines))]
    public async Task Metrics_AfterTraffic_CountEventsByOutcomeAndReason_SendsByResult_AndTheOutboxQueueByStore(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        var before = await ScrapeAsync(app);
        double Before(string series, params string[] labels) => SeriesLine().Matches(before).Any(m => m.Groups["name"].Value == series
            && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal))) ? Value(before, series, labels) : 0;

        var batch = await tracking.PostJsonAsync("/api/v1/track", """
            {"events":[{"event_id":"e1","name":"view_item","anonymous_id":"a","items":[{"item_id":"p1"}]},
                       {"event_id":"e2","name":"view_item","anonymous_id":"a","items":[{"item_id":"p2"}]},
                       {"event_id":"e3","name":"view_item"}]}
            """);
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"e1","name":"view_item","anonymous_id":"a","items":[{"item_id":"p1"}]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tracking.PostJsonAsync("/api/v1/track", """{"name":""")).StatusCode);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var ola = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1");
        await MessageSetup.EnqueueAsync(app, store, message, ola, "post:1:T-1");
        Assert.Equal(1, await app.PassAsync());
        var later = await MessageSetup.EnqueueAsync(app, store, message, ola, "post:2:T-1");
        await using (var db = app.Db(store))
            await db.Outbox.Where(o => o.Id == later.Id).ExecuteUpdateAsync(u => u.SetProperty(o => o.DueAt, app.Clock.GetUtcNow().AddHours(1)));

        using (var anonymous = app.Anonymous())
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Operations.MetricsPath)).StatusCode);
        using (var wrong = app.Admin(store))
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(Operations.MetricsPath)).StatusCode); // a store's key sees no other store's figures
        var after = await ScrapeAsync(app);

        // Other tests of this process record too: each figure grew by at least what this test did.
        Assert.True(Value(after, "cartwise_events_stored_total") - Before("cartwise_events_stored_total") >= 3); // e1, e2 and the purchase
        Assert.True(Value(after, "cartwise_events_duplicate_total") - Before("cartwise_events_duplicate_total") >= 1);
        Assert.True(Value(after, "cartwise_events_rejected_total", "reason=\"invalid_event\"") - Before("cartwise_events_rejected_total", "reason=\"invalid_event\"") >= 1);
        Assert.True(Value(after, "cartwise_events_rejected_total", "reason=\"malformed_json\"") - Before("cartwise_events_rejected_total", "reason=\"malformed_json\"") >= 1);
        Assert.True(Value(after, "cartwise_outbox_results_total", "result=\"sent\"") - Before("cartwise_outbox_results_total", "result=\"sent\"") >= 1);
        Assert.True(Value(after, "cartwise_tracking_duration_seconds_count") - Before("cartwise_tracking_duration_seconds_count") >= 4);
        Assert.True(Value(after, "cartwise_writer_flush_duration_seconds_count") >= 3);
        // The gauges' figures, as read from the database (a process's gauges are scraped in the next test).
        app.Clock.Advance(OperatorStatus.MaxAge);
        var status = await app.App.Services.GetRequiredService<OperatorStatus>().CurrentAsync();
        Assert.Equal(1, status.OutboxDepth[store.StoreId]);
        Assert.Equal(TimeSpan.Zero, status.OutboxDueAge[store.StoreId]); // due in an hour: not late yet
        app.Clock.Advance(TimeSpan.FromHours(2));
        status = await app.App.Services.GetRequiredService<OperatorStatus>().CurrentAsync();
        Assert.Equal(TimeSpan.FromHours(1) + OperatorStatus.MaxAge, status.OutboxDueAge[store.StoreId]);
    }

    [Fact]
    public async Task Metrics_OfARunningServer_OnItsOwnListener_ShowItsWorkersAndLagByStore_AndTheMainListenerAsksForTheKey()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-metrics-").FullName;
        var created = await CartwiseProcess.RunAsync(dir, "store", "create", "shop", "--json");
        Assert.Equal(0, created.ExitCode);
        var keys = System.Text.Json.JsonDocument.Parse(created.StdOut).RootElement;
        var (port, metricsPort) = (TestApp.FreePort(), TestApp.FreePort());
        var env = new Dictionary<string, string> { ["CARTWISE_METRICS_URL"] = $"http://127.0.0.1:{metricsPort}", ["CARTWISE_METRICS_KEY"] = MetricsKey };
        using var server = System.Diagnostics.Process.Start(CartwiseProcess.StartInfo(dir, ["serve", "--urls", $"http://127.0.0.1:{port}"], env))!;
        try
        {
            while (await server.StandardOutput.ReadLineAsync() is { } line && !line.Contains("Cartwise on", StringComparison.Ordinal)) { }
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.GetProperty("adminKey").GetString());
            using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
            var message = await MessageSetup.MessageAsync(api, MessageSetup.Message(await MessageSetup.SenderAsync(api)));
            var scenario = await api.PostJsonAsync("/api/v1/scenarios", PostPurchase(message));
            Assert.Equal(HttpStatusCode.Created, scenario.StatusCode);
            Assert.True((await api.PostAsync($"/api/v1/scenarios/{(await scenario.JsonAsync()).GetProperty("id").GetInt64()}/activate", null)).IsSuccessStatusCode);
            using var tracking = new HttpClient { BaseAddress = api.BaseAddress };
            tracking.DefaultRequestHeaders.Add(KeyAuth.TrackingHeader, keys.GetProperty("trackingKey").GetString());
            var purchase = await tracking.PostJsonAsync("/api/v1/track", """
                {"event_id":"T-1","name":"purchase","email":"ola@example.com","consent":true,"transaction_id":"T-1","currency":"EUR","value":40,
                 "items":[{"item_id":"SKU-1","item_name":"Coffee maker","price":40,"quantity":1}]}
                """);
            Assert.Equal(HttpStatusCode.Accepted, purchase.StatusCode);

            // A new store asks for double opt-in: the purchase queues the confirmation, which the outbox worker sends
            // (to the file outbox), and the scenario worker skips the unconfirmed address; each on its own schedule.
            var scrape = "";
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (!(scrape.Contains("cartwise_outbox_results_total{", StringComparison.Ordinal) && scrape.Contains("cartwise_scenarios_decisions_total{", StringComparison.Ordinal))
                && await every.WaitForNextTickAsync(patience.Token))
                scrape = await scraper.GetStringAsync(Operations.MetricsPath, patience.Token);
            Assert.Equal(1, Value(scrape, "cartwise_outbox_results_total", "result=\"sent\""));
            Assert.InRange(Value(scrape, "cartwise_scenarios_lag_seconds", "store_id=\"1\""), 0, 30); // read while the pass ran, or after it
            Assert.Equal(1, Value(scrape, "cartwise_scenarios_decisions_total", "kind=\"skipped\""));
            Assert.Equal(1, Value(scrape, "cartwise_events_stored_total"));
            // ASP.NET Core's own request metrics: per host, so only a process of its own shows them reliably.
            Assert.Equal(1, Value(scrape, "http_server_request_duration_seconds_count", "http_route=\"/api/v1/track\""));
            Assert.Equal(0, Value(scrape, "cartwise_writer_queue"));
            Assert.True(Value(scrape, "cartwise_scenarios_pass_duration_seconds_count") >= 1);
            Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/api/v1/store")).StatusCode); // the metrics listener serves nothing else
            using var anonymous = new HttpClient { BaseAddress = api.BaseAddress };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Operations.MetricsPath)).StatusCode);
            anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
            Assert.Contains("cartwise_scenarios_lag_seconds", await anonymous.GetStringAsync(Operations.MetricsPath), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static string PostPurchase(long message) => $$$"""
        {"name":"After purchase","kind":"post_purchase","languages":["en"],
         "customize":{"tiers":[{"id":"all","from":0,"to":null,"messageId":{{{message}}}}],"delay":"1d","holdout":0}}
        """;

    [Fact]
    public async Task Metrics_WithoutAKeyOrListener_AreNotServed()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        using var http = app.Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Operations.MetricsPath)).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Readyz_SaysWhatHolds_AndIsNotReadyWhileAStoresScenariosLagPastTheLimit_WithTheReason(Engine engine)
    {
        await using var app = await StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        using var http = app.Anonymous();
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = (await ready.JsonAsync()).GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("ok").GetBoolean());
        foreach (var name in (string[])["database", "migrations", "workers", "scenario_lag"]) Assert.True(checks[name], name);

        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var scenario = await admin.PostJsonAsync("/api/v1/scenarios", PostPurchase(message));
        Assert.Equal(HttpStatusCode.Created, scenario.StatusCode);
        var id = (await scenario.JsonAsync()).GetProperty("id").GetInt64();
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null)).IsSuccessStatusCode);
        await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T-1");
        app.Clock.Advance(TimeSpan.FromMinutes(20)); // the scenario workers did not run: the purchase waits 1,200 s

        var behind = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, behind.StatusCode);
        var lag = (await behind.JsonAsync()).GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "scenario_lag");
        Assert.False(lag.GetProperty("ok").GetBoolean());
        Assert.Equal($"store {store.StoreId} is 1200 s behind (limit 600 s)", lag.GetProperty("detail").GetString());

        await app.App.Services.GetRequiredService<ScenarioService>().PassAsync(CancellationToken.None);
        app.Clock.Advance(OperatorStatus.MaxAge);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        await using var db = app.Db(store);
        Assert.Equal(1, await db.Outbox.CountAsync(o => o.Status == OutboxStatus.Pending)); // the pass decided on the purchase
    }
}
