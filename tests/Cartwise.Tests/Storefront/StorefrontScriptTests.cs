using System.IO.Compression;
using System.Net;
using Cartwise.Tests.Admin;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cartwise.Tests.Storefront;

/// <summary>
/// The storefront script on a shop of its own origin (http://shop.localhost, served by the browser's router), talking to a
/// real Cartwise server across origins, as a shop's pages do.
/// </summary>
public sealed class StorefrontScriptTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    private string Page(string body, string attributes = "") => $$"""
        <!doctype html><html lang="en"><head><title>Shop</title></head><body>{{body}}
        <script async src="{{browser.App.BaseAddress.ToString().TrimEnd('/')}}/sdk/cartwise.js" data-key="{{browser.Store.TrackingKey}}" {{attributes}}></script>
        </body></html>
        """;

    private async Task<(IPage Page, List<string> Problems, List<string> Sent)> OpenAsync(string html)
    {
        // The shop's origin is one the store allows (none is, by default).
        using (var admin = browser.App.Admin(browser.Store))
            (await admin.PutAsync("/api/v1/store/storefront", new StringContent("""{"allowedOrigins":["http://shop.localhost"],"clientRequestsPerMinute":600,"keyRequestsPerMinute":0}""",
                System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var context = await browser.Browser.NewContextAsync();
        await context.RouteAsync("http://shop.localhost/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = html }));
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        var sent = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        page.Request += (_, r) => { if (r.Url.Contains("/api/v1/track", StringComparison.Ordinal)) sent.Add(r.PostData ?? ""); };
        await page.GotoAsync("http://shop.localhost/p/mug");
        await page.WaitForFunctionAsync("() => window.__cartwiseLoaded === true");
        return (page, problems, sent);
    }

    /// <summary>Sends what the script holds (with fetch, as its 2 s timer would) and waits for the server's answer.</summary>
    private static Task<IResponse> FlushAsync(IPage page) =>
        page.RunAndWaitForResponseAsync(() => page.EvaluateAsync("cartwise('flush')"), r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal));

    [Fact]
    public async Task DataLayerPushes_BeforeAndAfterTheScript_ArriveOnce_WithTheCookiesAnonymousId()
    {
        var (page, problems, _) = await OpenAsync(Page("""
            <h1>Blue mug</h1>
            <script>window.dataLayer = [{ event: 'view_item', ecommerce: { currency: 'EUR', value: 9, items: [{ item_id: 'DL-MUG', item_name: 'Blue mug', price: 9 }] } }];</script>
            """));

        await page.EvaluateAsync("""
            dataLayer.push({ ecommerce: null });
            dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', value: 9, items: [{ item_id: 'DL-MUG', item_name: 'Blue mug', price: 9, quantity: 1 }] } });
            dataLayer.push({ event: 'gtm.click' });
            """);
        await FlushAsync(page);

        var cookie = Assert.Single(await page.Context.CookiesAsync(["http://shop.localhost/"]), c => c.Name == "_cw_id");
        await using var db = browser.App.Db(browser.Store);
        var events = await db.Events.Where(e => e.AnonymousId == cookie.Value).OrderBy(e => e.Id).Select(e => e.Name).ToListAsync();
        Assert.Equal(["view_item", "add_to_cart"], events);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ConsentRequired_AndDenied_SendsNothing_AndSetsNoCookie()
    {
        var (page, problems, sent) = await OpenAsync(Page("""
            <h1>Blue mug</h1>
            <script>window.dataLayer = [{ event: 'view_item', ecommerce: { items: [{ item_id: 'NO-CONSENT' }] } }];</script>
            """, "data-consent=\"required\""));

        await page.EvaluateAsync("cartwise('consent', { analytics: false })");
        await page.EvaluateAsync("cartwise('flush'); document.dispatchEvent(new Event('visibilitychange'))");

        Assert.Empty(sent);
        Assert.DoesNotContain(await page.Context.CookiesAsync(["http://shop.localhost/"]), c => c.Name == "_cw_id");
        // Consent given later: what was pushed while it was denied stays dropped; what comes next is sent.
        await page.EvaluateAsync("cartwise('consent', { analytics: true })");
        await page.EvaluateAsync("dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: 'WITH-CONSENT' }] } })");
        await FlushAsync(page);
        var body = Assert.Single(sent);
        Assert.Contains("WITH-CONSENT", body, StringComparison.Ordinal);
        Assert.DoesNotContain("NO-CONSENT", body, StringComparison.Ordinal);
        Assert.Contains(await page.Context.CookiesAsync(["http://shop.localhost/"]), c => c.Name == "_cw_id");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task AHiddenPage_DeliversItsBatch()
    {
        var (page, _, _) = await OpenAsync(Page("<h1>Blue mug</h1>"));
        await page.EvaluateAsync("dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: 'HIDDEN-1' }] } })");

        await page.RunAndWaitForRequestFinishedAsync(() => page.EvaluateAsync("document.dispatchEvent(new Event('visibilitychange'))"),
            new() { Predicate = r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal) });

        await using var db = browser.App.Db(browser.Store);
        Assert.Equal(1, await db.Events.CountAsync(e => e.Payload.Contains("HIDDEN-1")));
    }

    [Fact]
    public async Task ProductWidget_ShowsWhatIsBoughtTogether_AndCountsItsImpressionAndClick()
    {
        using var tracking = browser.App.Tracking(browser.Store);
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track",
                $$"""{"event_id":"w-{{i}}","name":"purchase","email":"w{{i}}@shop.example","transaction_id":"W-{{i}}","currency":"EUR","items":[{"item_id":"W-MUG","item_name":"Blue mug","price":9,"quantity":1},{"item_id":"W-SAUCER","item_name":"Blue saucer","price":5,"quantity":1}]}""")).StatusCode);
        using var admin = browser.App.Admin(browser.Store);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/models/rebuild", null)).StatusCode);
        var (page, problems, _) = await OpenAsync(Page("""<h1>Blue mug</h1><div data-cartwise-widget="product" data-product="W-MUG" data-title="Goes well with"></div>"""));

        var item = page.Locator("[data-cartwise-widget] [data-id='W-SAUCER']");
        await Assertions.Expect(item).ToContainTextAsync("Blue saucer");
        Assert.Equal("Goes well with", await page.Locator("[data-cartwise-widget] h2").InnerTextAsync());
        await page.EvaluateAsync("cartwise('onAddToCart', function (i) { window.__added = [i.item_id, i.item_name, i.price]; })");
        // A click goes out at once (by beacon), with the impression when its batch has not left yet; the shop's callback gets the item.
        await page.RunAndWaitForRequestFinishedAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Add to cart: Blue saucer" }).ClickAsync(),
            new() { Predicate = r => r.Url.Contains("/api/v1/track", StringComparison.Ordinal) && (r.PostData ?? "").Contains("select_item", StringComparison.Ordinal) });

        var cookie = Assert.Single(await page.Context.CookiesAsync(["http://shop.localhost/"]), c => c.Name == "_cw_id");
        await using var db = browser.App.Db(browser.Store);
        var events = await db.Events.Where(e => e.AnonymousId == cookie.Value).OrderBy(e => e.Id).Select(e => new { e.Name, e.Payload }).ToListAsync();
        Assert.Equal(["view_item_list", "select_item"], events.Select(e => e.Name));
        Assert.All(events, e => Assert.Contains("\"item_list_name\":\"bought_together\"", e.Payload, StringComparison.Ordinal));
        Assert.Equal("""["W-SAUCER","Blue saucer",5]""", await page.EvaluateAsync<string>("JSON.stringify(window.__added)"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task TheScript_IsSmall_CachedByETag_AndTakesTheTrackingKeyInTheQuery()
    {
        using var anonymous = browser.App.Anonymous();
        var response = await anonymous.GetAsync("/sdk/cartwise.js");
        var body = await response.Content.ReadAsByteArrayAsync();
        using var packed = new MemoryStream();
        await using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true)) await gzip.WriteAsync(body);
        Assert.True(packed.Length < 10_240, $"cartwise.js is {packed.Length} bytes gzipped");
        var again = new HttpRequestMessage(HttpMethod.Get, "/sdk/cartwise.js");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);

        var track = await anonymous.PostAsync($"/api/v1/track?key={browser.Store.TrackingKey}",
            new StringContent("""{"name":"view_item","anonymous_id":"q-1","items":[{"item_id":"Q"}]}""", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Accepted, track.StatusCode);
        // No Origin (a server's call): no CORS answer needed (StorefrontGuardTests covers browsers).
        Assert.False(track.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/v1/track?key={browser.Store.AdminKey}",
            new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"))).StatusCode);
    }
}
