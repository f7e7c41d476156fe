using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class NextRulesPageTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task BoughtNext_ShowsTheSequenceWithItsLag_AndNamesABadWindow()
    {
        using var tracking = browser.App.Tracking(browser.Store);
        var now = browser.App.Clock.GetUtcNow();
        // Six customers buy a mug, then tea a week later; two more buy only a mug.
        for (var c = 0; c < 8; c++)
        {
            var events = new List<string>
            {
                $$"""{"event_id":"m{{c}}","name":"purchase","customer_id":"n{{c}}","transaction_id":"M-{{c}}","currency":"EUR","timestamp":"{{now.AddDays(-20):O}}","items":[{"item_id":"MUG","item_name":"Blue mug","item_category":"Kitchen > Mugs","price":9}]}""",
            };
            if (c < 6)
                events.Add($$"""{"event_id":"t{{c}}","name":"purchase","customer_id":"n{{c}}","transaction_id":"T-{{c}}","currency":"EUR","timestamp":"{{now.AddDays(-13):O}}","items":[{"item_id":"TEA","item_name":"Green tea","item_category":"Kitchen > Tea","price":4}]}""");
            var r = await tracking.PostJsonAsync("/api/v1/track", "{\"events\":[" + string.Join(",", events) + "]}");
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await AdminBrowser.FollowSectionAsync(page, "Rules");
        await page.GetByRole(AriaRole.Link, new() { Name = "Bought next" }).ClickAsync();

        var row = await page.GetByRole(AriaRole.Row).Filter(new() { HasTextString = "Kitchen > Mugs" }).Filter(new() { HasTextString = "Kitchen > Tea" }).InnerTextAsync();
        // 6 of the mug's 8 buyers; 7 days later.
        Assert.Contains("\t6\t75.0%\t", row, StringComparison.Ordinal);
        Assert.EndsWith("\t7\t7–7", row.TrimEnd(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GetByLabel("Level").SelectOptionAsync("product");
        await page.GetByLabel("Within (e.g. 60d, 8w)").FillAsync("5d");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No rule matches.")).ToBeVisibleAsync();
        await page.GetByLabel("Within (e.g. 60d, 8w)").FillAsync("soon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#window-problem")).ToHaveTextAsync("'soon' is not a window: write e.g. 30d, 8w (at most 730 days).");
        await page.GetByLabel("Within (e.g. 60d, 8w)").FillAsync("");
        await page.GetByLabel("At least this many customers").FillAsync("few");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#min-problem")).ToHaveTextAsync("'few' is not a whole number.");
        Assert.Empty(problems);
    }
}
