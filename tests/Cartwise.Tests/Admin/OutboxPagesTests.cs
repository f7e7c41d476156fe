using System.Net;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed class OutboxPagesTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task SentMessage_OpensAsItWasSent_HtmlInASandboxedFrame_TextAndHeaders_WithoutCountingAnOpen()
    {
        using var admin = browser.App.Admin(browser.Store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var sent = await admin.PostJsonAsync($"/api/v1/messages/{message}/test-send", """{"to":["anna@shop.example"]}""");
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await AdminBrowser.FollowSectionAsync(page, "Outbox");
        await page.GetByLabel("Status").SelectOptionAsync("sent");
        await page.GetByLabel("Recipient starts with").FillAsync("anna@");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "anna@shop.example" }).Filter(new() { HasText = "Thanks" }).GetByRole(AriaRole.Link).First.ClickAsync();

        var frame = page.Locator("iframe.mail");
        Assert.Equal("", await frame.GetAttributeAsync("sandbox"));
        var html = await frame.GetAttributeAsync("srcdoc");
        Assert.Contains("Thank you", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/t/o/", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/t/c/", html, StringComparison.Ordinal);
        Assert.Contains("https://shop.example/", html, StringComparison.Ordinal);
        Assert.Contains("Thank you", await page.FrameLocator("iframe.mail").Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByText("Text part").ClickAsync();
        Assert.Contains("Thank you", await page.Locator("pre.mail-text").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByText("Headers", new() { Exact = true }).ClickAsync();
        var headers = await page.GetByRole(AriaRole.Table).InnerTextAsync();
        Assert.Contains("List-Unsubscribe", headers, StringComparison.Ordinal);
        Assert.Contains("hello@shop.example", headers, StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
        await using var db = browser.App.Db(browser.Store);
        Assert.Empty(db.MessageActivities.ToList());
    }

    [Fact]
    public async Task AnotherStoresOutboxRow_ByUrl_Is404()
    {
        using var admin = browser.App.Admin(browser.OtherStore);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var sent = await (await admin.PostJsonAsync($"/api/v1/messages/{message}/test-send", """{"to":["secret@other.example"]}""")).JsonAsync();
        var row = sent.GetProperty("items")[0].GetProperty("outboxId").GetInt64();
        var page = await browser.PageAsync([]);
        await AdminBrowser.SignInAsync(page);

        var response = await page.GotoAsync($"/outbox/{row}");

        Assert.Equal(404, response!.Status);
        Assert.DoesNotContain("secret@other.example", await page.ContentAsync(), StringComparison.Ordinal);
    }
}
