using Cartwise.Tests.Infrastructure;
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

        await page.GetByRole(AriaRole.Link, new() { Name = "Customers" }).ClickAsync();
        await page.GetByLabel("Search by email, phone or shop id").FillAsync("customer-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        Assert.Empty(await AdminBrowser.AccessibilityProblemsAsync(page));
        await page.GetByRole(AriaRole.Link, new() { Name = "customer-12347@demo.example" }).ClickAsync();

        Assert.Equal("customer-12347@demo.example", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("2 × Blue mug", await page.GetByRole(AriaRole.Table).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(await AdminBrowser.AccessibilityProblemsAsync(page));
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
}
