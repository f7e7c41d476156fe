using System.Net;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;

namespace Cartwise.Tests.Admin;

/// <summary>Every page once on PostgreSQL, with data on it: real asynchronous I/O, where SQLite answers at once.</summary>
public sealed class PostgresPagesTests
{
    [Fact]
    public async Task EveryPage_Renders_WithoutAnError()
    {
        // Started here, not as a class fixture: without a PostgreSQL server the test is skipped, not failed.
        await using var browser = new PostgresAdminBrowser();
        await browser.InitializeAsync();
        using var admin = browser.App.Admin(browser.Store);
        var customer = await MessageSetup.BuyerAsync(browser.App, browser.Store, "pg@shop.example", "PG-1");
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var sent = await (await admin.PostJsonAsync($"/api/v1/messages/{message}/test-send", """{"to":["pg@shop.example"]}""")).JsonAsync();
        var row = sent.GetProperty("items")[0].GetProperty("outboxId").GetInt64();
        using var feed = new ByteArrayContent(await File.ReadAllBytesAsync(Fixtures.Path("feed-rss.xml")));
        var run = (await (await admin.PostAsync("/api/v1/feeds/upload?format=xml", feed)).JsonAsync()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/models/rebuild", null)).StatusCode);
        // A widget's impression and click, so that the widgets page reads events on PostgreSQL too.
        using (var tracking = browser.App.Tracking(browser.Store))
            Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", """
                {"events":[{"event_id":"pg-w1","name":"view_item_list","anonymous_id":"pg-visitor","item_list_id":"cartwise_cart","item_list_name":"cart","items":[{"item_id":"SKU-1"}]},
                           {"event_id":"pg-w2","name":"select_item","anonymous_id":"pg-visitor","item_list_id":"cartwise_cart","item_list_name":"cart","items":[{"item_id":"SKU-1"}]}]}
                """)).StatusCode);
        var scenario = await admin.PostJsonAsync("/api/v1/scenarios",
            $$$"""{"name":"PG post-purchase","kind":"post_purchase","customize":{"tiers":[{"id":"all","from":0,"to":null,"messageId":{{{message}}}}],"delay":"1d"}}""");
        Assert.Equal(HttpStatusCode.Created, scenario.StatusCode);
        var scenarioId = (await scenario.JsonAsync()).GetProperty("id").GetInt64();
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);

        foreach (var path in new[] { "/", "/catalog", $"/catalog/runs/{run}", "/customers", $"/customers/{customer}", $"/customers/{customer}/erase",
                     "/recommendations?cart=SKU-1", "/recommendations/rules", "/recommendations/widgets", "/outbox", $"/outbox/{row}", "/settings",
                     "/scenarios", "/messages" }
                     // The design step and the designer preview this message, whose product pictures are on hosts a test machine cannot reach.
                     .Concat(Cartwise.Scenarios.ScenarioWizard.Steps.Where(s => s.Slug != "design").Select(s => Cartwise.Scenarios.ScenarioWizard.Url(scenarioId, s.Slug))))
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
        }
        await page.GotoAsync("/recommendations/widgets");
        Assert.Contains("100.0", await page.Locator("table.widgets tbody tr").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(problems);
    }
}
