using System.Globalization;
using System.Text;
using Cartwise.Orders.Import;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

/// <summary>The analytics pages in a real browser over one server: figures of an imported history, forms, downloads.</summary>
public sealed class AnalyticsPagesTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    /// <summary>
    /// Ten customers over the eight months before the clock: customer k orders k times (a week apart) for 20 × k;
    /// and two guest orders of 35.
    /// </summary>
    private async Task HistoryAsync()
    {
        await using var db = browser.App.Db(browser.Store);
        if (await db.Orders.AnyAsync()) return;
        var csv = new StringBuilder("order_id,product_id,product_name,quantity,price,date,customer_id,email\n");
        var start = browser.App.Clock.GetUtcNow().AddDays(-240);
        for (var k = 1; k <= 10; k++)
            for (var n = 0; n < k; n++)
                csv.Append(CultureInfo.InvariantCulture, $"O-{k}-{n},SKU-{k},Lamp {k},1,{20 * k},{start.AddDays(10 * k + 7 * n):yyyy-MM-ddTHH:mm:ssZ},K{k},k{k}@shop.example\n");
        csv.Append(CultureInfo.InvariantCulture, $"G-1,SKU-1,Lamp 1,1,35,{start.AddDays(30):yyyy-MM-ddTHH:mm:ssZ},,\nG-2,SKU-2,Lamp 2,1,35,{start.AddDays(60):yyyy-MM-ddTHH:mm:ssZ},,\n");
        var store = await db.Stores.SingleAsync(s => s.Id == browser.Store.StoreId);
        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        var r = await new OrderImporter(browser.App.Database, store, browser.App.Clock)
            .ImportAsync(() => (new MemoryStream(bytes), () => 0, null), new OrderImportOptions("lines"), CancellationToken.None);
        Assert.Equal(0, r.RejectedRows);
    }

    private async Task<(IPage Page, List<string> Problems)> SignedInAsync()
    {
        await HistoryAsync();
        var problems = new List<string>();
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page);
        return (page, problems);
    }

    private static async Task<string> FigureAsync(IPage page, string label) =>
        await page.Locator(".figure", new() { Has = page.Locator(".label", new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(label)}$") }) })
            .Locator(".value").InnerTextAsync();

    [Fact]
    public async Task OrdersPage_ShowsTheHistorysFigures_AndNamesABadBucketWidth()
    {
        var (page, problems) = await SignedInAsync();
        await AdminBrowser.FollowSectionAsync(page, "Analytics");

        // 55 customer orders (1 + 2 + … + 10) and 2 guest orders.
        Assert.Equal("57", await FigureAsync(page, "Orders"));
        // Revenue: Σ k × 20k = 20 × 385 = 7,700, and 70 from the guests.
        Assert.StartsWith("7,770.00", await FigureAsync(page, "Revenue (net of refunds)"));
        Assert.Equal("90.0%", await FigureAsync(page, "Repeat rate (2+ orders)"));
        Assert.Equal("7", await FigureAsync(page, "Median days to the second order"));
        var fourPlus = page.Locator("details.chart-data").Nth(1).Locator("tbody tr", new() { HasTextString = "4+" });
        Assert.Equal(["4+", "7"], await fourPlus.Locator("td").AllTextContentsAsync());
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GetByLabel("Bucket width").FillAsync("wide");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator("#width-problem")).ToHaveTextAsync("'wide' is not an amount.");
        await page.GetByLabel("Bucket width").FillAsync("0.01");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator("#width-problem")).ToHaveTextAsync("Gives more than 1000 buckets; choose a wider one.");
        await page.GetByLabel("Bucket width").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Figure).First).ToContainTextAsync("buckets of 100.00");
        await page.GotoAsync("/analytics?from=2026-02-10&to=2026-01-01");
        Assert.Equal("Must be on or after from.", await page.Locator("#to-problem").InnerTextAsync());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task CohortsAndThreshold_DrawTheirTables_AndTheTriangleDownloads()
    {
        var (page, problems) = await SignedInAsync();
        await page.GotoAsync("/analytics/cohorts");

        var rows = page.Locator("table.cohorts tbody tr");
        Assert.True(await rows.CountAsync() >= 3);
        var customers = 0;
        foreach (var cell in await page.Locator("table.cohorts tbody tr td:nth-child(2)").AllInnerTextsAsync()) customers += int.Parse(cell, CultureInfo.InvariantCulture);
        Assert.Equal(10, customers);
        await AdminBrowser.AssertAccessibleAsync(page);
        var csv = await page.Context.APIRequest.GetAsync(await page.GetByRole(AriaRole.Link, new() { Name = "Download the triangle (CSV)" }).GetAttributeAsync("href") ?? "/missing");
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("cohort,customers,m0", await csv.TextAsync(), StringComparison.Ordinal);

        await AdminBrowser.FollowAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Free-shipping threshold" }));
        Assert.NotEqual("–", await FigureAsync(page, "Suggested threshold"));
        Assert.Contains("suggested", await page.GetByRole(AriaRole.Table, new() { Name = "Candidates" }).InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);

        await AdminBrowser.FollowAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Attribution" }));
        // Imported orders have no visits: every purchase's path is direct.
        Assert.Contains("direct", await page.GetByRole(AriaRole.Table, new() { Name = "Conversions and revenue credited to each channel, by model" }).InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Time decay half-life (days)").FillAsync("-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator("#halfLifeDays-problem")).ToHaveTextAsync("Must be above 0 and at most 365.");
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task SegmentsPage_ScoresOnDemand_RenamesASegment_RefusesBadSettings_AndExports()
    {
        var (page, problems) = await SignedInAsync();
        await page.GotoAsync("/analytics/segments");

        await page.GetByRole(AriaRole.Button, new() { Name = "Score every customer now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("10 customers scored");
        Assert.Equal("10", await FigureAsync(page, "Customers scored"));
        await using (var db = browser.App.Db(browser.Store))
        {
            var champions = await db.CustomerSegments.CountAsync(s => s.Segment == "champions");
            var row = await page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "Champions", Exact = true }) }).InnerTextAsync();
            Assert.Contains($"\t{champions}\t", row, StringComparison.Ordinal);
        }
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GetByLabel("Window of orders scored (days)").FillAsync("three");
        await page.GetByLabel("Loyal", new() { Exact = true }).FillAsync(new string('x', 70));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Assertions.Expect(page.Locator(".validation-message").Filter(new() { HasTextString = "is not a whole number" })).ToBeVisibleAsync();
        await page.GetByLabel("Window of orders scored (days)").FillAsync("365");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#name-loyal-problem")).ToHaveTextAsync("A name has 1 to 64 characters.");
        await page.GetByLabel("Loyal", new() { Exact = true }).FillAsync("Regulars");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The settings were saved");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Regulars", Exact = true })).ToBeVisibleAsync();

        var all = await page.Context.APIRequest.GetAsync("/analytics/segments/champions.csv?all=true");
        Assert.Equal(200, all.Status);
        var lines = (await all.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("all,k", l, StringComparison.Ordinal));
        // Imported customers gave no email consent: the default export holds nobody.
        Assert.Single((await (await page.Context.APIRequest.GetAsync("/analytics/segments/champions.csv")).TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await page.GetByRole(AriaRole.Link, new() { Name = "Regulars", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Members of Regulars" })).ToBeVisibleAsync();
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }
}
