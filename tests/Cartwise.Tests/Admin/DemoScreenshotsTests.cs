using System.Net;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

/// <summary>
/// The main pages against the demo store, as a newcomer first sees them: each renders, passes axe and logs no
/// console error, and is photographed. With CARTWISE_SCREENSHOTS=docs/screenshots (a folder) the pictures the README and docs/admin.md
/// shows are written there; otherwise to a temporary folder.
/// </summary>
public sealed class DemoScreenshotsTests(DemoAdminBrowser browser) : IClassFixture<DemoAdminBrowser>
{
    [Fact]
    public async Task MainPages_OfTheDemo_RenderAccessibly_AndArePhotographed()
    {
        var folder = Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } f ? Path.GetFullPath(f) : Directory.CreateTempSubdirectory("cartwise-shots").FullName;
        Directory.CreateDirectory(folder);
        using var admin = browser.App.Anonymous();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", StoreKeys.DemoAdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostJsonAsync("/api/v1/messages/1/test-send", """{"to":["alex@demo.example"]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/analytics/rfm/recompute", null)).StatusCode);
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page, DemoStore.DemoUser, DemoStore.DemoPassword);
        await page.GotoAsync("/customers?q=customer-1");
        var first = await page.Locator("main table a").First.GetAttributeAsync("href");

        foreach (var (name, path, heading) in new[]
                 {
                     ("overview", "/", "Cartwise demo gift shop"), ("catalog", "/catalog", "Catalogue"), ("customers", "/customers?q=customer-1", "Customers"),
                     ("customer", first!, "@demo.example"), ("recommendations", "/recommendations?cart=85123A", "Recommendation explorer"),
                     ("rules", "/recommendations/rules", "Association rules"), ("next", "/recommendations/next?level=category&min=10", "Bought next"), ("outbox", "/outbox", "Outbox"), ("settings", "/settings", "Settings"),
                     ("analytics", "/analytics", "Orders and repeat customers"), ("cohorts", "/analytics/cohorts", "Cohorts"), ("segments", "/analytics/segments", "RFM segments"),
                     ("attribution", "/analytics/attribution", "Attribution"), ("threshold", "/analytics/threshold", "Free-shipping threshold"),
                 })
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
            Assert.Contains(heading, await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync(), StringComparison.Ordinal);
            await AdminBrowser.AssertAccessibleAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = false });
        }
        // The demo's customer blend is the one tuned on its own history.
        await page.GotoAsync("/recommendations?cart=85123A");
        Assert.StartsWith("Customers' blend tuned", await page.Locator("#blend").InnerTextAsync(), StringComparison.Ordinal);
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 390"), "the overview scrolls sideways at 390 px");
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "overview-phone.png") });
        Assert.Empty(problems);
        Assert.True(new FileInfo(Path.Combine(folder, "overview.png")).Length > 10_000);
    }
}
