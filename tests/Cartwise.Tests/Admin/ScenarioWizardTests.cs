using System.Net;
using System.Text.Json;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Scenarios;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

/// <summary>
/// The scenario wizard of seeds 000 and 001 and the message designer, in Chromium against the demo store: every step
/// renders accessibly; a cross-selling scenario is built step by step, test-sent to a real SMTP server and
/// activated; a post-purchase scenario takes the suggested tiers; the designer reorders blocks by keyboard and by
/// drag and drop and names a broken template's line. Screenshots go to CARTWISE_SCREENSHOTS when set.
/// </summary>
public sealed class ScenarioWizardTests(DemoAdminBrowser browser) : IClassFixture<DemoAdminBrowser>
{
    private async Task<IPage> SignedInAsync(List<string> problems)
    {
        var page = await browser.PageAsync(problems);
        await AdminBrowser.SignInAsync(page, DemoStore.DemoUser, DemoStore.DemoPassword);
        return page;
    }

    private async Task<CartwiseDb> DemoDbAsync()
    {
        var db = browser.App.Database.CreateContext();
        db.CurrentStoreId = await db.Stores.IgnoreQueryFilters().Where(s => s.Slug == DemoStore.Slug).Select(s => s.Id).SingleAsync();
        return db;
    }

    private static string? Folder() => Environment.GetEnvironmentVariable("CARTWISE_SCREENSHOTS") is { Length: > 0 } f ? Path.GetFullPath(f) : null;

    [Fact]
    public async Task EveryStep_OfTheDemoScenarios_RendersAccessibly_WithoutConsoleErrors()
    {
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        await AdminBrowser.FollowSectionAsync(page, "Scenarios");
        Assert.Contains("Post-purchase (example)", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        long[] ids;
        await using (var db = await DemoDbAsync())
            ids = await db.Scenarios.OrderBy(s => s.Id).Select(s => s.Id).ToArrayAsync();
        var folder = Folder();
        foreach (var id in ids)
            foreach (var step in ScenarioWizard.Steps)
            {
                var response = await page.GotoAsync(ScenarioWizard.Url(id, step.Slug));
                Assert.Equal(200, response!.Status);
                Assert.Equal("step", await page.Locator("nav.steps a[aria-current]").GetAttributeAsync("aria-current"));
                Assert.Equal(step.Name, (await page.Locator("nav.steps a[aria-current]").InnerTextAsync())[2..].Trim());
                await AdminBrowser.AssertAccessibleAsync(page);
                if (folder is not null && id == ids[^1]) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"wizard-{(step.Slug.Length == 0 ? "overview" : step.Slug)}.png"), FullPage = false });
            }
        foreach (var path in new[] { "/messages", "/messages/1" })
        {
            Assert.Equal(200, (await page.GotoAsync(path))!.Status);
            await AdminBrowser.AssertAccessibleAsync(page);
        }
        if (folder is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "designer.png"), FullPage = false });
        Assert.Empty(problems);
        Assert.Equal(404, (await page.GotoAsync("/scenarios/999999/customize"))!.Status);
    }

    [Fact]
    public async Task CrossSelling_BuiltStepByStep_IsTestSentToARealSmtpServer_AndActivated()
    {
        await using var smtp = await SmtpServer.StartAsync();
        using (var admin = browser.App.Anonymous())
        {
            admin.DefaultRequestHeaders.Authorization = new("Bearer", StoreKeys.DemoAdminKey);
            var put = await admin.PutAsync("/api/v1/store/mail", new StringContent($$"""{"smtp":"{{smtp.Url}}","sendRate":0,"clickWindowDays":7}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        await page.GotoAsync("/scenarios");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cross-selling", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/customize");
        var id = long.Parse(page.Url.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);

        // Customize: a bad duration is named next to its field and nothing changes.
        await page.GetByLabel("Send no more often than once per").FillAsync("soon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("'soon' is not a duration", await page.Locator("#r0-cap-problem").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
            Assert.Equal("7d", ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Rules![0].Cap);
        await page.GetByLabel("Send no more often than once per").FillAsync("2d");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a rule" }).ClickAsync();
        var rule2 = page.Locator("fieldset.rule").Nth(1);
        await rule2.GetByLabel("Logic type").SelectOptionAsync("and");
        await rule2.GetByLabel("After", new() { Exact = true }).SelectOptionAsync("cart");
        var triggers = rule2.Locator("#r1-categories");
        await triggers.GetByLabel("Bags", new() { Exact = true }).CheckAsync();
        await triggers.GetByLabel("Jewellery & Hair").CheckAsync();
        await rule2.Locator("#r1-additional summary").ClickAsync();
        await rule2.Locator("#r1-additional").GetByLabel("Umbrellas & Gloves").CheckAsync();
        await rule2.GetByLabel("Send after").FillAsync("3h");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("The settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("customers", await page.Locator("fieldset.rule").Nth(1).Locator(".reach").InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        await using (var db = await DemoDbAsync())
        {
            var rules = ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Rules!;
            Assert.Equal(2, rules.Count);
            Assert.Equal("2d", rules[0].Cap);
            Assert.Equal(("and", TriggerActions.Cart, 2, 1, "3h"), (rules[1].Logic, rules[1].Trigger, rules[1].Categories.Count, rules[1].AdditionalCategories!.Count, rules[1].Delay));
        }

        // Languages: one message per language.
        await page.GotoAsync(ScenarioWizard.Url(id, "languages"));
        await page.GetByLabel("a message per language").CheckAsync();
        await page.GetByLabel("The languages, comma-separated", new() { Exact = false }).FillAsync("en, pl");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the languages" }).ClickAsync();
        Assert.Contains("en, pl", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);

        // Sender: a new one, used by the scenario.
        await page.GotoAsync(ScenarioWizard.Url(id, "sender"));
        await page.GetByLabel("From address").FillAsync("not-an-address");
        await page.GetByLabel("Sender name").FillAsync("Gift shop team");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add and use this sender" }).ClickAsync();
        Assert.NotEmpty(await page.Locator("#sender-from ~ .validation-message").InnerTextAsync());
        await page.GetByLabel("From address").FillAsync("team@demo-giftshop.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add and use this sender" }).ClickAsync();
        Assert.Contains("Gift shop team", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);

        // Design: a message for each rule, in both languages.
        foreach (var rule in new[] { "rule1", "rule2" })
        {
            await page.GotoAsync(ScenarioWizard.Url(id, "design") + "?rule=" + rule);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create a new message for it" }).ClickAsync();
            Assert.Contains("now sends", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(1, await page.Locator("iframe.mail").CountAsync());
        }

        // Coupons: rule 1 gets a dynamic coupon from a CSV with three columns, the second holding the codes.
        await page.GotoAsync(ScenarioWizard.Url(id, "coupons") + "?rule=rule1");
        await page.GetByLabel("dynamic: a unique code", new() { Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the coupon" }).ClickAsync();
        Assert.Contains("a COUPON block was added", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        var csv = Path.Combine(Directory.CreateTempSubdirectory("cartwise-codes").FullName, "codes.csv");
        await File.WriteAllTextAsync(csv, "campaign,code,value\nwinter,WIZ-AAA1,10\nwinter,WIZ-BBB2,10\nwinter,,10\nwinter,WIZ-CCC3,10\n");
        await page.GetByLabel("CSV file").SetInputFilesAsync(csv);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import (CSV)" }).ClickAsync();
        Assert.Contains("WIZ-AAA1", await page.Locator("table").First.InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("The column holding the codes").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the column" }).ClickAsync();
        Assert.Contains("3 codes imported, 0 already in the pool, 1 lines rejected.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);

        // Summary: nothing blocks; the test send reaches the SMTP server; activation.
        await page.GotoAsync(ScenarioWizard.Url(id, "summary"));
        Assert.Contains("Nothing stops activation.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GetByLabel("To (addresses, comma-separated)").FillAsync("qa@shop.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the test messages" }).ClickAsync();
        Assert.Equal(4, await page.Locator("td.status-sent").CountAsync());
        var received = smtp.Messages().Where(m => m.To.ToString().Contains("qa@shop.example", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, received.Count);
        // Test sends show a sample code (real codes are kept for customers): rule 1's two languages carry one.
        Assert.Equal(2, received.Count(m => (m.HtmlBody ?? "").Contains(Cartwise.Coupons.CouponService.SampleCode, StringComparison.Ordinal)));
        Assert.Equal(2, await page.GetByRole(AriaRole.Cell, new() { Name = "pl", Exact = true }).CountAsync());
        Assert.All(received, m => Assert.Contains("Something that goes with it", m.Subject, StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        Assert.Contains("The scenario is now active.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
        {
            var s = await db.Scenarios.SingleAsync(x => x.Id == id);
            Assert.Equal((ScenarioStates.Active, "en,pl"), (s.State, s.Languages));
            Assert.Equal("Gift shop team", (await db.Senders.SingleAsync(x => x.Id == s.SenderId)).Name);
        }
        await page.GotoAsync(ScenarioWizard.Url(id, "reports"));
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task PostPurchase_TakesTheSuggestedTiers_FromTheHistogram()
    {
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        await page.GotoAsync("/scenarios");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post-purchase", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/customize");
        var id = long.Parse(page.Url.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1, await page.Locator("figure.chart svg rect.bar").First.CountAsync());
        await page.GetByLabel("Tier 1 to").FillAsync("not money");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("'not money' is not an amount.", await page.Locator("#t0-to-problem").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use the suggested bounds" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("The settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await using var db = await DemoDbAsync();
        var suggested = (await ScenarioEndpoints.SuggestTiersAsync(db, CancellationToken.None)).Value!.Tiers;
        var saved = ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Tiers!;
        Assert.Equal(suggested.Select(t => (t.From, t.To)), saved.Select(t => (t.From, t.To)));
        Assert.Equal(saved.Count, await page.Locator("td.reach").CountAsync());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Designer_ReordersByKeyboardAndDrag_NamesABrokenTemplatesLine_AndPreviewsForACustomer()
    {
        long messageId;
        string email, firstName;
        await using (var db = await DemoDbAsync())
        {
            var copy = await db.Messages.AsNoTracking().OrderBy(m => m.Id).FirstAsync();
            var m = new Cartwise.Messages.Message { StoreId = db.CurrentStoreId, Name = "Designer test", DefaultLanguage = copy.DefaultLanguage, Variants = copy.Variants, SenderId = copy.SenderId,
                CouponMode = copy.CouponMode, CouponPoolId = copy.CouponPoolId, CouponValidDays = copy.CouponValidDays, CreatedAt = copy.CreatedAt, UpdatedAt = copy.UpdatedAt };
            db.Messages.Add(m);
            var c = await db.Customers.Where(x => x.Email != null).OrderBy(x => x.Id).FirstAsync();
            c.FirstName = "Wiktoria";
            await db.SaveChangesAsync();
            (messageId, email, firstName) = (m.Id, c.Email!, c.FirstName);
        }
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        await page.GotoAsync($"/messages/{messageId}?lang=en");
        Assert.Contains("1. Heading", await page.Locator("li[data-block='0'] strong").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Move down: 1. Heading" }).ClickAsync();
        Assert.Contains("2. Heading", await page.Locator("li[data-block='1'] strong").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("1. Text", await page.Locator("li[data-block='0'] strong").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("li[data-block='1']").DragToAsync(page.Locator("li[data-block='0']"),
            new() { SourcePosition = new() { X = 30, Y = 14 }, TargetPosition = new() { X = 30, Y = 14 } });
        // The drop posts the form: the page comes back with the blocks in their new order.
        await Assertions.Expect(page.Locator("li[data-block='0'] strong")).ToContainTextAsync("1. Heading");
        Assert.Contains("1. Heading", await page.Locator("li[data-block='0'] strong").InnerTextAsync(), StringComparison.Ordinal);

        await page.Locator("#b0-text").FillAsync("Hello {{ customer.first_name ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the message" }).ClickAsync();
        Assert.Matches(@"line 1, column \d+", await page.Locator("#b0-text-problem").InnerTextAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        await using (var db = await DemoDbAsync())
            Assert.DoesNotContain("first_name \"", (await db.Messages.SingleAsync(m => m.Id == messageId)).Variants, StringComparison.Ordinal);

        await page.Locator("#b0-text").FillAsync("Hello {{ customer.first_name }}, thank you!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move up: 2. Text" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the message" }).ClickAsync();
        Assert.Contains("The message was saved", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
        {
            var variants = JsonSerializer.Deserialize<List<Cartwise.Core.Messages.MessageVariant>>((await db.Messages.SingleAsync(m => m.Id == messageId)).Variants, Cartwise.Messages.MessageComposer.Json)!;
            var en = variants.Single(v => v.Language == "en");
            Assert.Equal(("text", "heading"), (en.Blocks[0].Type, en.Blocks[1].Type));
        }
        await page.GetByLabel("As seen by the customer (email)").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the saved message" }).ClickAsync();
        var preview = await page.Locator("iframe.mail").GetAttributeAsync("srcdoc");
        Assert.Contains($"Hello {firstName}, thank you!", preview, StringComparison.Ordinal);
        Assert.Empty(problems);
    }
}
