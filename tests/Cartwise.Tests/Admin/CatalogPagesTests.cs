using Cartwise.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class CatalogPagesTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task FeedUpload_WithBadItems_ShowsEachRejectedItemsLineFieldAndReason_AndTheProductsAreListed()
    {
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await AdminBrowser.FollowSectionAsync(page, "Catalogue");

        // Sent without a file first: the field says so and nothing is imported.
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        Assert.Contains("Choose a feed file.", await page.Locator("#feed-problem").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByLabel("Feed file (Merchant Center XML or CSV, may be .gz)").SetInputFilesAsync(Fixtures.Path("feed-rss.xml"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        await AdminBrowser.ArrivedAtAsync(page, "/catalog/runs/[0-9]+");
        var rejected = await page.GetByRole(AriaRole.Table).Nth(1).InnerTextAsync();
        Assert.Contains("SKU-4\t34\tprice", rejected, StringComparison.Ordinal);
        Assert.Contains("SKU-5\t38\tavailability", rejected, StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GotoAsync("/catalog?q=chair");
        var products = await page.GetByRole(AriaRole.Table).First.InnerTextAsync();
        Assert.Contains("Oak chair", products, StringComparison.Ordinal);
        Assert.DoesNotContain("SKU-2", products, StringComparison.Ordinal);
        Assert.Contains("products", await page.Locator(".tree").InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task CategoryFilter_ListsTheCategoryAndItsDescendants_WithTheirCounts()
    {
        using var admin = browser.App.Admin(browser.Store);
        using var feed = new ByteArrayContent(await File.ReadAllBytesAsync(Fixtures.Path("feed-rss.xml")));
        Assert.True((await admin.PostAsync("/api/v1/feeds/upload?format=xml", feed)).IsSuccessStatusCode);
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page);
        await page.GotoAsync("/catalog");
        Assert.Contains("Furniture 2 products (0 directly)", await page.Locator(".tree li").AllInnerTextsAsync());

        await page.Locator(".tree li", new() { HasText = "Chairs 1 products" }).GetByRole(AriaRole.Link).ClickAsync();

        var products = await page.GetByRole(AriaRole.Table).First.InnerTextAsync();
        Assert.Contains("Oak chair", products, StringComparison.Ordinal);
        Assert.DoesNotContain("SKU-2", products, StringComparison.Ordinal);
        Assert.Equal("Chairs (1)", (await page.GetByLabel("Category").Locator("option:checked").InnerTextAsync()).Trim());
    }
}
