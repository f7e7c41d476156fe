using System.Net;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class SignInTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task SignedOut_EveryPageGoesToSignIn_SignInShowsTheStore_SignOutEndsIt()
    {
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);

        await page.GotoAsync("/");
        Assert.EndsWith("/login?ReturnUrl=%2F", page.Url, StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        await AdminBrowser.SignInAsync(page, password: "not the password");
        Assert.Equal("The email or the password is not right.", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        await AdminBrowser.SignInAsync(page);

        Assert.Equal("shop", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("Products", await page.Locator("#store-h + .facts").InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        var phone = await browser.PageAsync(problems, width: 390);
        await AdminBrowser.SignInAsync(phone);
        await AdminBrowser.AssertAccessibleAsync(phone);
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 390"), "the overview scrolls sideways at 390 px");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await AdminBrowser.ArrivedAtAsync(page, "/login");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EmptyFields_ShowTheFieldsMessages()
    {
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await page.GotoAsync("/login");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        Assert.Equal("Enter your email.", await page.Locator("#email ~ .validation-message").InnerTextAsync());
        Assert.Equal("Enter your password.", await page.Locator("#password ~ .validation-message").InnerTextAsync());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheUserOut_EvenTheRightOneThen()
    {
        await using (var db = browser.App.Database.CreateContext())
            await Cartwise.Users.UserService.SaveAsync(db, "locked@shop.example", AdminBrowser.Password, [browser.Store.StoreId], browser.App.Clock.GetUtcNow(), CancellationToken.None);
        var page = await browser.PageAsync([]);

        for (var i = 0; i < 5; i++) await AdminBrowser.SignInAsync(page, "locked@shop.example", "wrong password " + i);
        await AdminBrowser.SignInAsync(page, "locked@shop.example", AdminBrowser.Password);

        Assert.StartsWith("Too many failed sign-ins", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        browser.App.Clock.Advance(Cartwise.Users.UserService.LockOut);
        await AdminBrowser.SignInAsync(page, "locked@shop.example", AdminBrowser.Password);
        Assert.Equal("shop", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
    }

    [Fact]
    public async Task TheCookieNeverOpensTheApi_AndAnAdminKeyNeverOpensAPage()
    {
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page);

        var api = await page.APIRequest.GetAsync("/api/v1/stats");
        using var admin = browser.App.Admin(browser.Store);
        admin.DefaultRequestHeaders.Add("Accept", "text/html");
        var pageWithKey = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = browser.App.BaseAddress, DefaultRequestHeaders = { Authorization = admin.DefaultRequestHeaders.Authorization } }.GetAsync("/");

        Assert.Equal(401, api.Status);
        Assert.Equal(HttpStatusCode.Redirect, pageWithKey.StatusCode);
        Assert.Contains("/login", pageWithKey.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserSeesOnlyTheirStores_TheSwitcherRefusesAnother()
    {
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page, AdminBrowser.OtherEmail);

        Assert.Equal("other-shop", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Equal(["other-shop"], await page.GetByLabel("Store").Locator("option").AllInnerTextsAsync());
        // A hand-edited form (another store's id) is refused: the grant is checked on the server.
        await page.Locator("#store-switch option").EvaluateAsync($"o => o.value = '{browser.Store.StoreId}'");
        var answer = page.WaitForResponseAsync(r => r.Url.EndsWith("/admin/store", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();
        Assert.Equal(404, (await answer).Status);
        await page.GotoAsync("/");
        Assert.Equal("other-shop", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
    }
}
