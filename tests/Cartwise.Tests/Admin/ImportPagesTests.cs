using Cartwise.Importing;
using Cartwise.Orders.Import;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

/// <summary>The imports page on its own server: its tests move the clock, which the other page tests' server must not see.</summary>
public sealed class ImportPagesTests(ImportPagesTests.Browser browser) : IClassFixture<ImportPagesTests.Browser>
{
    public sealed class Browser : AdminBrowser;

    [Fact]
    public async Task Imports_ShowWhatEachDid_ARunningOneItsProgress_AndOneThatStoppedAsInterrupted()
    {
        // A finished order import, and an event import whose process went away after its first chunk.
        await using (var db = browser.App.Db(browser.Store))
        {
            var store = await db.Stores.SingleAsync(s => s.Id == browser.Store.StoreId);
            await new OrderImporter(browser.App.Database, store, browser.App.Clock)
                .ImportAsync(() => (File.OpenRead(Fixtures.Path("online-retail-mini.csv")), () => 0, null), new OrderImportOptions("online-retail", Source: "mini.csv"), CancellationToken.None);
        }
        var stalled = new ImportRunLog(browser.App.Database, browser.Store.StoreId, browser.App.Clock);
        await stalled.StartAsync(ImportKinds.Events, "events-2026.jsonl", CancellationToken.None);
        await using (var session = await browser.App.Database.OpenSessionAsync(CancellationToken.None))
        {
            var tx = await session.BeginAsync(CancellationToken.None);
            await stalled.CommittingAsync(tx, 2_500, 250_000, 1_000_000, CancellationToken.None);
            await tx.Transaction!.CommitAsync();
        }
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        await AdminBrowser.FollowSectionAsync(page, "Imports");

        var orders = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "mini.csv" });
        Assert.Contains("Succeeded", await orders.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("orders created 6", await orders.InnerTextAsync(), StringComparison.Ordinal);
        var events = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "events-2026.jsonl" });
        Assert.Contains("Running", await events.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("25%", await events.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("0.25", await events.GetByRole(AriaRole.Progressbar).GetAttributeAsync("value"));
        await AdminBrowser.AssertAccessibleAsync(page);

        // The page follows the running import: its next commit shows without a reload.
        Assert.True(await page.GetByLabel("Follow the progress", new() { Exact = false }).IsCheckedAsync());
        await using (var session = await browser.App.Database.OpenSessionAsync(CancellationToken.None))
        {
            var tx = await session.BeginAsync(CancellationToken.None);
            await stalled.CommittingAsync(tx, 5_000, 500_000, 1_000_000, CancellationToken.None);
            await tx.Transaction!.CommitAsync();
        }
        await Assertions.Expect(events).ToContainTextAsync("50%", new() { Timeout = 15_000 });
        // The picture in docs/admin.md (CARTWISE_SCREENSHOTS=docs/screenshots).
        if (Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } folder)
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetFullPath(folder), "imports.png") });

        // Three minutes without a commit: its process is gone.
        browser.App.Clock.Advance(TimeSpan.FromMinutes(3));
        await AdminBrowser.SignInAsync(page);
        await page.GotoAsync("/imports");
        Assert.Contains("Interrupted", await events.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("last commit", await events.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByLabel("Follow the progress", new() { Exact = false }).CountAsync()); // nothing runs any more

        // The filter, and a kind it does not know named next to its field.
        await page.GetByLabel("Kind").SelectOptionAsync(ImportKinds.Orders);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "events-2026.jsonl" })).ToHaveCountAsync(0);
        Assert.Contains("mini.csv", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync("/imports?kind=feeds");
        Assert.Equal("'feeds' is not a kind of import.", await page.Locator("#kind-problem").InnerTextAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);

        // Another store's imports are not here.
        var other = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(other, AdminBrowser.OtherEmail);
        await other.GotoAsync("/imports");
        Assert.DoesNotContain("mini.csv", await other.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Empty(problems);
    }
}
