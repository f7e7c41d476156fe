using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class SettingsPageTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task SmtpTest_AgainstARealServer_ShowsTheServersAnswer()
    {
        await using var smtp = await SmtpServer.StartAsync();
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await AdminBrowser.FollowSectionAsync(page, "Settings");
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GetByLabel("SMTP server (smtp://user:password@host:port?tls=starttls; empty: the server's default)").FillAsync(smtp.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save delivery settings" }).ClickAsync();
        Assert.Contains("The delivery settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("ops@shop.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send a test email" }).ClickAsync();

        var answer = await page.Locator("#test-h ~ p[role=status]").InnerTextAsync();
        Assert.StartsWith("The server took it", answer, StringComparison.Ordinal);
        Assert.Matches("250|OK|queued", answer);
        var received = Assert.Single(smtp.Messages(), m => m.To.ToString().Contains("ops@shop.example", StringComparison.Ordinal));
        Assert.StartsWith("Cartwise test email", received.Subject, StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task BadInput_GetsTheFieldsMessage_AndChangesNothing()
    {
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page);
        await page.GotoAsync("/settings");

        await page.GetByLabel("Currency (ISO 4217)").FillAsync("EURO");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the store", Exact = true }).ClickAsync();
        Assert.Equal("'EURO' is not an ISO 4217 currency code.", await page.Locator("#currency ~ .validation-message").InnerTextAsync());

        await page.GetByLabel("From address").FillAsync("not-an-address");
        await page.GetByLabel("Sender name").FillAsync("Shop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the sender" }).ClickAsync();
        Assert.Contains("e-mail address", await page.Locator("#sender-from ~ .validation-message").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByLabel("SMTP server (smtp://user:password@host:port?tls=starttls; empty: the server's default)").FillAsync("ftp://nowhere");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save delivery settings" }).ClickAsync();
        Assert.NotEmpty(await page.Locator("#smtp ~ .validation-message").InnerTextAsync());

        await using var db = browser.App.Db(browser.Store);
        var store = await db.Stores.SingleAsync(s => s.Id == browser.Store.StoreId);
        Assert.Equal("EUR", store.Currency);
        Assert.Empty(await db.Senders.ToListAsync());
    }

    [Fact]
    public async Task NewTrackingKey_IsShownOnce_AndTheOldOneStopsWorking()
    {
        // A user of its own, who may open both stores: granting the class's user a store named before "shop" would
        // make every later sign-in of that user open it.
        const string email = "rotator@shop.example";
        var store = await browser.App.CreateStoreAsync("rotating");
        await using (var db = browser.App.Database.CreateContext())
            await Cartwise.Users.UserService.SaveAsync(db, email, AdminBrowser.Password, [browser.Store.StoreId, store.StoreId], browser.App.Clock.GetUtcNow(), CancellationToken.None);
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page, email);
        await page.GetByLabel("Store", new() { Exact = true }).SelectOptionAsync(store.StoreId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        await page.GotoAsync("/settings");

        await page.GetByRole(AriaRole.Button, new() { Name = "New tracking key" }).ClickAsync();

        var key = (await page.Locator("code.secret").InnerTextAsync()).Trim();
        Assert.StartsWith("cwt_", key, StringComparison.Ordinal);
        const string view = """{"name":"view_item","anonymous_id":"v1","items":[{"item_id":"A"}]}""";
        using var old = browser.App.Tracking(store);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.PostJsonAsync("/api/v1/track", view)).StatusCode);
        using var fresh = browser.App.Anonymous();
        fresh.DefaultRequestHeaders.Add("X-Cartwise-Key", key);
        Assert.Equal(HttpStatusCode.Accepted, (await fresh.PostJsonAsync("/api/v1/track", view)).StatusCode);
        await page.GotoAsync("/settings");
        Assert.Equal(0, await page.Locator("code.secret").CountAsync());
    }

    [Fact]
    public async Task StorefrontForm_NamesABadOrigin_ThenSavesGoodOnes_AndTheTrackingKeyWorksFromThem()
    {
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await page.GotoAsync("/settings");
        Assert.Contains("/sdk/cartwise.js?v=", await page.Locator("pre.snippet").InnerTextAsync(), StringComparison.Ordinal);
        var origins = page.GetByLabel("Origins whose pages may use the tracking key (one a line, e.g. https://shop.example or https://*.shop.example)");

        await origins.FillAsync("https://shop.example\nshop.example/cart");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the storefront settings" }).ClickAsync();
        Assert.StartsWith("'shop.example/cart' is not an origin", await page.Locator("#origins ~ .validation-message").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = browser.App.Db(browser.Store))
            Assert.Null((await db.Stores.SingleAsync(s => s.Id == browser.Store.StoreId)).AllowedOrigins);

        await origins.FillAsync("https://Shop.Example/\nhttps://*.brand.example");
        await page.GetByLabel("Free shipping from this order value (empty: none)").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the storefront settings" }).ClickAsync();
        Assert.Contains("The storefront settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("https://shop.example\nhttps://*.brand.example", await origins.InputValueAsync());
        await AdminBrowser.AssertAccessibleAsync(page);

        using var tracking = browser.App.Tracking(browser.Store);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/track")
        {
            Content = new StringContent("""{"name":"page_view","anonymous_id":"from-shop"}""", System.Text.Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("Origin", "https://www.brand.example");
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.SendAsync(request)).StatusCode);
        await using (var db = browser.App.Db(browser.Store))
            Assert.Equal(50m, (await db.Stores.SingleAsync(s => s.Id == browser.Store.StoreId)).FreeShippingThreshold);
        Assert.Empty(problems);
    }
}
