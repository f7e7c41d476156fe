using System.Net;
using System.Text;
using Cartwise.Stores;
using Cartwise.Tests.Admin;
using Cartwise.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cartwise.Tests.Storefront;

/// <summary>
/// The widgets on a shop of its own origin (http://shop.localhost) over a store with a feed (links, prices) and
/// orders: buttons, bundles, the free-shipping bar, the reserved height, and the analytics of what a click led to.
/// </summary>
public sealed class StorefrontWidgetTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    private const string Feed = """
        id,title,price,availability,product_type,link
        F-LAMP,Desk lamp,40.00 EUR,in stock,Home > Light,http://shop.localhost/p/lamp
        F-BULB,Warm bulb,6.00 EUR,in stock,Home > Light,http://shop.localhost/p/bulb
        F-SHADE,Linen shade,15.00 EUR,in stock,Home > Light,http://shop.localhost/p/shade
        F-HOOK,Wall hook,3.00 EUR,in stock,Home > Light,http://shop.localhost/p/hook
        """;

    private static readonly SemaphoreSlim Once = new(1, 1);
    private static AdminBrowser? _filled;

    /// <summary>The class's store, filled once: the feed, six orders of lamp + bulb + shade and two of a hook alone, mined.</summary>
    private async Task<CreatedStore> StoreAsync()
    {
        await Once.WaitAsync();
        try
        {
            var store = browser.Store;
            if (ReferenceEquals(_filled, browser)) return store;
            using var admin = browser.App.Admin(store);
            var upload = await admin.PostAsync("/api/v1/feeds/upload?format=csv", new StringContent(Feed.Replace("        ", ""), Encoding.UTF8, "text/csv"));
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
            (await admin.PutAsync("/api/v1/store/storefront", new StringContent("""{"allowedOrigins":["http://shop.localhost"],"clientRequestsPerMinute":0,"keyRequestsPerMinute":0}""",
                Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            using var tracking = browser.App.Tracking(store);
            for (var i = 0; i < 8; i++)
            {
                var items = i < 6
                    ? """[{"item_id":"F-LAMP","price":40},{"item_id":"F-BULB","price":6},{"item_id":"F-SHADE","price":15}]"""
                    : """[{"item_id":"F-HOOK","price":3}]""";
                Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track",
                    $$"""{"event_id":"wo-{{i}}","name":"purchase","email":"wo{{i}}@shop.example","transaction_id":"WO-{{i}}","currency":"EUR","items":{{items}}}""")).StatusCode);
            }
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/models/rebuild", null)).StatusCode);
            _filled = browser;
            return store;
        }
        finally { Once.Release(); }
    }

    private async Task<(IPage Page, List<string> Problems)> OpenAsync(CreatedStore store, string body)
    {
        var html = $$"""
            <!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Desk lamp</h1>{{body}}<p id="below">Delivery in two days.</p></main>
            <script async src="{{browser.App.BaseAddress.ToString().TrimEnd('/')}}/sdk/cartwise.js" data-key="{{store.TrackingKey}}"></script>
            </body></html>
            """;
        var context = await browser.Browser.NewContextAsync();
        await context.RouteAsync("http://shop.localhost/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = html }));
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        await page.GotoAsync("http://shop.localhost/p/lamp");
        await page.WaitForFunctionAsync("() => window.__cartwiseLoaded === true");
        return (page, problems);
    }

    [Fact]
    public async Task WithoutACallback_AddToCartOpensTheItemsPage_WithOne_TheShopGetsTheItem_AndABundleAllItsItems()
    {
        var store = await StoreAsync();
        var (page, problems) = await OpenAsync(store, """
            <div data-cartwise-widget="product" data-product="F-LAMP" data-title="Goes with the lamp"></div>
            <div data-cartwise-widget="bundle" data-product="F-LAMP" data-limit="1"></div>
            """);

        var bundle = page.Locator("[data-cartwise-widget='bundle'] .cw-bundle");
        await Assertions.Expect(bundle).ToContainTextAsync("Together: 61.00");
        await Assertions.Expect(page.GetByRole(AriaRole.List).Filter(new() { Has = page.GetByText("Warm bulb") }).First).ToBeVisibleAsync();
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.EvaluateAsync("cartwise('onAddToCart', function (i, how) { (window.__added = window.__added || []).push(i.item_id + (how.bundle ? ' (set)' : '')); })");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add all 3 to the cart" }).ClickAsync();
        Assert.Equal(["F-BULB (set)", "F-LAMP (set)", "F-SHADE (set)"], (await page.EvaluateAsync<string[]>("window.__added")).Order());
        // Keyboard: the item's button is reachable and works with Enter.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to cart: Linen shade" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        Assert.Contains("F-SHADE", await page.EvaluateAsync<string[]>("window.__added"));

        // A shop that supplied no callback: the button opens the item's page.
        var (plain, plainProblems) = await OpenAsync(store, """<div data-cartwise-widget="product" data-product="F-LAMP"></div>""");
        await plain.RunAndWaitForResponseAsync(() => plain.GetByRole(AriaRole.Button, new() { Name = "Add to cart: Warm bulb" }).ClickAsync(), r => r.Url == "http://shop.localhost/p/bulb");
        Assert.Equal("http://shop.localhost/p/bulb", plain.Url);
        Assert.Empty(problems);
        Assert.Empty(plainProblems);
    }

    [Fact]
    public async Task FreeShippingBar_FollowsTheCart_WithGapFillers_AndTheReservedHeightKeepsThePageStill()
    {
        var store = await StoreAsync();
        var (page, problems) = await OpenAsync(store, """<div data-cartwise-widget="free-shipping" data-threshold="50" data-limit="2"></div>""");
        // Once the script runs, the widget's room is reserved: what it renders, and each change of the cart, moves nothing below it.
        await page.EvaluateAsync("""
            window.__shift = 0;
            new PerformanceObserver(function (list) { list.getEntries().forEach(function (e) { window.__shift += e.value; }); }).observe({ type: 'layout-shift' });
            """);
        var text = page.Locator(".cw-progress-text");
        await Assertions.Expect(text).ToHaveTextAsync("Add 50.00\u00a0EUR more for free shipping.");

        await page.EvaluateAsync("dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'F-LAMP', price: 40, quantity: 1 }] } })");
        await Assertions.Expect(text).ToHaveTextAsync("Add 10.00\u00a0EUR more for free shipping.");
        Assert.Equal("80", await page.Locator("[role=progressbar]").GetAttributeAsync("aria-valuenow"));
        // The shade (15) alone crosses the 10 left; the bulb (6) does not, so it comes second.
        Assert.Equal(["F-SHADE", "F-BULB"], await page.Locator(".cw-item").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)"));
        Assert.Equal("Some ideas to get there:", await page.Locator(".cw-fillers").InnerTextAsync());

        await page.EvaluateAsync("dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'F-SHADE', price: 15, quantity: 1 }] } })");
        await Assertions.Expect(text).ToHaveTextAsync("Your order ships free.");
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Equal(0, await page.EvaluateAsync<double>("window.__shift"));
        if (Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } folder)
            await page.Locator("[data-cartwise-widget]").ScreenshotAsync(new() { Path = Path.Combine(Path.GetFullPath(folder), "widget-free-shipping.png") });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task AClickThatLedToAnOrder_IsCountedInTheAnalytics_OnTheApiAndTheAdminPage()
    {
        var store = await StoreAsync();
        var (page, problems) = await OpenAsync(store, """<div data-cartwise-widget="product" data-product="F-LAMP"></div>""");
        // The shop's callback adds to its cart and says so in its dataLayer, as a shop's cart code does.
        await page.EvaluateAsync("""
            cartwise('onAddToCart', function (i) { dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: i.item_id, price: i.price, quantity: 1 }] } }); });
            """);
        // The addition is stored before the order comes (on a busy machine the report could otherwise be asked while
        // its request, sent by the script's timer, is still on its way).
        await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Add to cart: Linen shade" }).ClickAsync(),
            r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal) && (r.Request.PostData ?? "").Contains("add_to_cart", StringComparison.Ordinal));
        await page.EvaluateAsync("""
            dataLayer.push({ event: 'purchase', email: 'clicker@shop.example', ecommerce: { transaction_id: 'CLICK-1', currency: 'EUR', value: 21,
              items: [{ item_id: 'F-SHADE', price: 15, quantity: 1 }, { item_id: 'F-BULB', price: 6, quantity: 1 }] } });
            """);
        await page.RunAndWaitForResponseAsync(() => page.EvaluateAsync("cartwise('flush')"), r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal));

        using var admin = browser.App.Admin(store);
        var report = await admin.GetJsonAsync("/api/v1/analytics/recommendations");
        var row = report.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("widget").GetString() == "product" && r.GetProperty("strategy").GetString() == "bought_together");
        // The class's other tests show and click this widget too (other visitors); the order and its addition are this one's alone.
        Assert.True(row.GetProperty("impressions").GetInt32() >= 1 && row.GetProperty("clicks").GetInt32() >= 1);
        Assert.Equal(1, row.GetProperty("addedToCart").GetInt32());
        Assert.Equal(1, row.GetProperty("orders").GetInt32());
        Assert.Equal(21m, row.GetProperty("revenue").GetDecimal());
        Assert.Equal(15m, row.GetProperty("itemRevenue").GetDecimal());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/analytics/recommendations?from=2026-12-02&to=2026-11-01")).StatusCode);

        var adminPage = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(adminPage);
        await AdminBrowser.FollowSectionAsync(adminPage, "Widgets");
        var tableRow = await adminPage.Locator("table.widgets tbody tr").Filter(new() { HasText = "bought_together" }).InnerTextAsync();
        Assert.Matches(@"product\s+bought_together\s+\d+\s+\d+\s+\d+\s+[\d.]+\s?%\s+1\s+1\s+21\.00 EUR\s+15\.00 EUR", tableRow);
        await AdminBrowser.AssertAccessibleAsync(adminPage);
        if (Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } folder)
            await adminPage.ScreenshotAsync(new() { Path = Path.Combine(Path.GetFullPath(folder), "admin-widgets.png"), FullPage = true });
        Assert.Empty(problems);
    }
}
