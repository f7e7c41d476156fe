using System.Net;
using Cartwise.Scenarios;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class CustomerPagesTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task Search_ByTheStartOfAnAddress_OpensTheCustomer_WithTheirOrders()
    {
        using var tracking = browser.App.Tracking(browser.Store);
        Assert.True((await tracking.PostJsonAsync("/api/v1/track",
            """{"event_id":"cp-1","name":"purchase","email":"customer-12347@demo.example","transaction_id":"T-900","currency":"EUR","items":[{"item_id":"mug","item_name":"Blue mug","price":9.5,"quantity":2}]}""")).IsSuccessStatusCode);
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);

        await AdminBrowser.FollowSectionAsync(page, "Customers");
        await page.GetByLabel("Search by email, phone or shop id").FillAsync("customer-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "customer-12347@demo.example" }).ClickAsync();

        Assert.Equal("customer-12347@demo.example", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("2 × Blue mug", await page.GetByRole(AriaRole.Table).InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(390, 800);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 390"), "the customer page scrolls sideways at 390 px");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task AnotherStoresCustomer_ByUrl_Is404()
    {
        using var tracking = browser.App.Tracking(browser.OtherStore);
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"cp-2","name":"view_item","email":"secret@other.example","items":[{"item_id":"x"}]}""");
        long id;
        await using (var db = browser.App.Db(browser.OtherStore)) id = db.Customers.Single(c => c.Email == "secret@other.example").Id;
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page);

        var response = await page.GotoAsync($"/customers/{id}");

        Assert.Equal(404, response!.Status);
        Assert.DoesNotContain("secret@other.example", await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_ShowsTheTrackedEvent_AndTheScenarioDecisionWithItsReason()
    {
        using var admin = browser.App.Admin(browser.Store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var created = await admin.PostJsonAsync("/api/v1/scenarios", $$$"""
            {"name":"Thank-you note","kind":"post_purchase","languages":["en"],
             "customize":{"tiers":[{"id":"all","from":0,"to":null,"messageId":{{{message}}}}],"delay":"1d","holdout":0}}
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var scenario = (await created.JsonAsync()).GetProperty("id").GetInt64();
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{scenario}/activate", null)).IsSuccessStatusCode);
        var customer = await MessageSetup.BuyerAsync(browser.App, browser.Store, "no-consent@shop.example", "TL-1", consent: false);
        await browser.App.App.Services.GetRequiredService<ScenarioService>().PassAsync(CancellationToken.None);
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);

        await page.GotoAsync($"/customers/{customer}");

        var timeline = await page.Locator("ol.timeline").InnerTextAsync();
        Assert.Contains("purchase", timeline, StringComparison.Ordinal);
        Assert.Contains("1 × Coffee maker SKU-1", timeline, StringComparison.Ordinal);
        Assert.Contains("Thank-you note · all", timeline, StringComparison.Ordinal);
        Assert.Contains("skipped · no email consent", timeline, StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Export_DownloadsTheCustomersData_Erase_AsksWithTheirName_ThenRemovesThem()
    {
        var customer = await MessageSetup.BuyerAsync(browser.App, browser.Store, "forget-me@shop.example", "ER-1");
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await page.GotoAsync($"/customers/{customer}");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export (JSON)" }).ClickAsync());
        var json = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("\"email\": \"forget-me@shop.example\"", json, StringComparison.Ordinal);
        Assert.Contains("ER-1", json, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Link, new() { Name = "Erase…" }).ClickAsync();
        Assert.Equal("Erase forget-me@shop.example?", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase forget-me@shop.example" }).ClickAsync();

        await AdminBrowser.ArrivedAtAsync(page, @"/customers\?erased=");
        Assert.Contains($"Customer {customer} was erased.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync($"/customers/{customer}");
        Assert.DoesNotContain("forget-me@shop.example", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Empty(problems);
    }
}
