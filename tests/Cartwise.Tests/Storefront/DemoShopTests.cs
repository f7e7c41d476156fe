using Cartwise.Stores;
using Cartwise.Tests.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cartwise.Tests.Storefront;

/// <summary>The demo shop as a visitor uses it: its own dataLayer pushes reach Cartwise through the storefront script.</summary>
public sealed class DemoShopTests(DemoAdminBrowser browser) : IClassFixture<DemoAdminBrowser>
{
    [Fact]
    public async Task AVisitor_BrowsesAddsToTheCartSeesCrossSell_AndOrders_EveryEventOnceUnderOneId()
    {
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);

        await page.GotoAsync("/demo-shop");
        await Assertions.Expect(page.Locator("[data-cartwise-widget='bestsellers'] li").First).ToBeVisibleAsync();
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.GotoAsync("/demo-shop/p/85123A");
        Assert.Equal("White hanging heart t-light holder", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        await page.GetByLabel("Quantity").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to cart" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Added to your cart.")).ToBeVisibleAsync();
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.GotoAsync("/demo-shop/cart");
        await Assertions.Expect(page.Locator("[data-cartwise-widget='cart'] li").First).ToBeVisibleAsync();
        Assert.Contains("more for free shipping", await page.Locator(".shipping").InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        // The README's picture of a cart with its cross-sell widget (CARTWISE_SCREENSHOTS=docs/screenshots).
        if (Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } folder)
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetFullPath(folder), "demo-shop-cart.png") });
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("visitor@demo-shop.example");
        await page.GetByLabel("Send me offers and recommendations by email").CheckAsync();
        var answer = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Place the order" }).ClickAsync(),
            r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal));
        Assert.Equal(202, answer.Status);

        var id = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "_cw_id").Value;
        await using var db = browser.App.Database.CreateContext();
        db.CurrentStoreId = await db.Stores.Where(s => s.Slug == DemoStore.Slug).Select(s => s.Id).SingleAsync();
        var events = await db.Events.Where(e => e.AnonymousId == id).OrderBy(e => e.Id).Select(e => e.Name).ToListAsync();
        foreach (var name in new[] { "view_item", "add_to_cart", "view_cart", "begin_checkout", "purchase" })
            Assert.True(events.Count(e => e == name) == 1, $"{name} in {string.Join(", ", events)}");
        Assert.Contains("view_item_list", events);
        var customer = await db.Customers.SingleAsync(c => c.Email == "visitor@demo-shop.example");
        Assert.True(customer.EmailConsent);
        Assert.True(await db.Orders.AnyAsync(o => o.CustomerId == customer.Id));
        Assert.Empty(problems);
    }
}
