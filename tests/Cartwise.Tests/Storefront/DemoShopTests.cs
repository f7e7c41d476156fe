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
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to cart", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("Added to your cart.")).ToBeVisibleAsync();
        // The better version beside the one viewed, with the difference; the set bought together, with its price.
        await Assertions.Expect(page.Locator("[data-cartwise-widget='upsell'] .cw-current")).ToContainTextAsync("You are viewing");
        await Assertions.Expect(page.Locator("[data-cartwise-widget='upsell'] .cw-difference").First).ToContainTextAsync("+");
        await Assertions.Expect(page.Locator("[data-cartwise-widget='bundle'] .cw-bundle-price").First).ToContainTextAsync("Together:");
        var folder = Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } f ? Path.GetFullPath(f) : null;
        if (folder is not null)
        {
            await page.Locator("[data-cartwise-widget='upsell']").ScreenshotAsync(new() { Path = Path.Combine(folder, "widget-upsell.png") });
            await page.Locator("[data-cartwise-widget='bundle']").ScreenshotAsync(new() { Path = Path.Combine(folder, "widget-bundle.png") });
        }
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.GotoAsync("/demo-shop/cart");
        var crossSell = page.Locator("[data-cartwise-widget='cart'] li.cw-item");
        await Assertions.Expect(crossSell.First).ToBeVisibleAsync();
        // Two holders at £2.55 of the store's £50.
        var bar = page.Locator("[data-cartwise-widget='free-shipping'] .cw-progress-text");
        await Assertions.Expect(bar).ToHaveTextAsync("Add 44.90\u00a0GBP more for free shipping.");
        await AdminBrowser.AssertAccessibleAsync(page);
        // The pictures of the widgets in docs/tracking.md (CARTWISE_SCREENSHOTS=docs/screenshots).
        if (folder is not null)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "demo-shop-cart.png"), FullPage = true });
            await page.Locator("[data-cartwise-widget='cart']").ScreenshotAsync(new() { Path = Path.Combine(folder, "widget-cart.png") });
        }
        // A widget's button puts its item in the shop's cart (the shop's callback): the lines and the bar follow.
        var first = await crossSell.First.GetAttributeAsync("data-name");
        await crossSell.First.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(page.Locator("[data-cart-lines] tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-cart-lines]")).ToContainTextAsync(first!);
        await Assertions.Expect(bar).Not.ToHaveTextAsync("Add 44.90\u00a0GBP more for free shipping.");
        await page.GetByLabel("Email", new() { Exact = true }).FillAsync("visitor@demo-shop.example");
        await page.GetByLabel("Send me offers and recommendations by email").CheckAsync();
        var answer = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Place the order" }).ClickAsync(),
            r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal));
        Assert.Equal(202, answer.Status);

        var id = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "_cw_id").Value;
        await using var db = browser.App.Database.CreateContext();
        db.CurrentStoreId = await db.Stores.Where(s => s.Slug == DemoStore.Slug).Select(s => s.Id).SingleAsync();
        var events = await db.Events.Where(e => e.AnonymousId == id).OrderBy(e => e.Id).Select(e => e.Name).ToListAsync();
        foreach (var name in new[] { "view_item", "view_cart", "begin_checkout", "purchase" })
            Assert.True(events.Count(e => e == name) == 1, $"{name} in {string.Join(", ", events)}");
        // The product page's add, then the widget's (its click first).
        Assert.Equal(2, events.Count(e => e == "add_to_cart"));
        Assert.Equal(1, events.Count(e => e == "select_item"));
        Assert.Contains("view_item_list", events);
        var customer = await db.Customers.SingleAsync(c => c.Email == "visitor@demo-shop.example");
        Assert.True(customer.EmailConsent);
        Assert.True(await db.Orders.AnyAsync(o => o.CustomerId == customer.Id));
        Assert.Empty(problems);
    }
}
