using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class RecommendationPagesTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    /// <summary>Eight orders: five baskets of a mug and its saucer, three of tea alone.</summary>
    private async Task OrdersAsync()
    {
        using var tracking = browser.App.Tracking(browser.Store);
        for (var i = 0; i < 8; i++)
        {
            var items = i < 5
                ? """[{"item_id":"MUG","item_name":"Blue mug","price":9,"quantity":1},{"item_id":"SAUCER","item_name":"Blue saucer","price":5,"quantity":1}]"""
                : """[{"item_id":"TEA","item_name":"Green tea","price":4,"quantity":1}]""";
            var r = await tracking.PostJsonAsync("/api/v1/track",
                $$"""{"event_id":"rec-{{i}}","name":"purchase","email":"buyer{{i}}@shop.example","transaction_id":"R-{{i}}","currency":"EUR","items":{{items}}}""");
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }
    }

    [Fact]
    public async Task RebuildButton_MinesTheOrders_RulesTableAndExplorer_ShowTheRulesFigures()
    {
        await OrdersAsync();
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await AdminBrowser.FollowSectionAsync(page, "Rules");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rebuild the model now" }).ClickAsync();

        await Assertions.Expect(page.GetByText("The new model is in use.")).ToBeVisibleAsync();
        Assert.Contains("8", await page.Locator(".facts").First.InnerTextAsync(), StringComparison.Ordinal);
        var rule = await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Blue mug (MUG)" }).Filter(new() { HasText = "Blue saucer" }).First.InnerTextAsync();
        // Support 5 of 8 baskets; every mug basket has the saucer (confidence 1); lift 1 / (5/8) = 1.6.
        Assert.Contains("5 (62.50%)", rule, StringComparison.Ordinal);
        Assert.Contains("100.0%", rule, StringComparison.Ordinal);
        Assert.Contains("1.60", rule, StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);

        await AdminBrowser.FollowSectionAsync(page, "Recommendations");
        await page.GetByLabel("Find a product by name or item id").FillAsync("blue");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add Blue mug (MUG)" }).ClickAsync();

        var together = await page.Locator("section.card", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Bought together" }) }).InnerTextAsync();
        Assert.Contains("Blue saucer", together, StringComparison.Ordinal);
        Assert.Contains("support 5 · confidence 100.0% · lift 1.60", together, StringComparison.Ordinal);
        Assert.Contains("Blue saucer", await page.Locator("section.card", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "For the cart (rules)" }) }).InnerTextAsync(), StringComparison.Ordinal);
        Assert.StartsWith("Customers' blend: built-in", await page.Locator("#blend").InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task RulesFilter_ByAnUnknownItem_SaysSoNextToTheField()
    {
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page);

        await page.GotoAsync("/recommendations/rules?item=NOPE");

        Assert.Equal("No product 'NOPE'.", await page.Locator("#item-problem").InnerTextAsync());
    }
}
