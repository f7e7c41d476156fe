using System.Net;
using System.Text.Json;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Scenarios;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Makes the demo store deliver through a test's SMTP server.</summary>
    private async Task UseSmtpAsync(SmtpServer smtp)
    {
        using var admin = browser.App.Anonymous();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", StoreKeys.DemoAdminKey);
        var put = await admin.PutAsync("/api/v1/store/mail", new StringContent($$"""{"smtp":"{{smtp.Url}}","sendRate":0,"clickWindowDays":7}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    /// <summary>Creates a scenario of a kind with the list's button; its customize step opens.</summary>
    private static async Task<long> NewScenarioAsync(IPage page, string kind)
    {
        await page.GotoAsync("/scenarios");
        // The page's script (enhanced forms) loaded before the click, so the form goes one way only.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GetByRole(AriaRole.Button, new() { Name = kind, Exact = true }).ClickAsync();
        try
        {
            // Arrived is enough: the steps that follow wait for what they use.
            await AdminBrowser.ArrivedAtAsync(page, "/customize$");
        }
        catch (PlaywrightException e)
        {
            // Say where the browser is and what it shows, not only that it waited.
            var text = await page.Locator("main").InnerTextAsync(new() { Timeout = 5000 });
            throw new TimeoutException($"after '{kind}' the page is {page.Url}: {text[..Math.Min(600, text.Length)]}", e);
        }
        return long.Parse(page.Url.Split('/')[^2], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A purchase of one product, tracked now with the demo's tracking key by a consenting customer.</summary>
    private async Task TrackPurchaseAsync(string id, string email, string language, string product, string productName)
    {
        using var tracking = browser.App.Anonymous();
        tracking.DefaultRequestHeaders.Add(Cartwise.Hosting.KeyAuth.TrackingHeader, StoreKeys.DemoTrackingKey);
        var when = browser.App.Clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var r = await tracking.PostJsonAsync("/api/v1/track", $$"""
            {"event_id":"{{id}}","name":"purchase","email":"{{email}}","consent":true,"language":"{{language}}","timestamp":"{{when}}",
             "transaction_id":"{{id}}","currency":"GBP","value":12.5,"items":[{"item_id":"{{product}}","item_name":"{{productName}}","price":12.5,"quantity":1}]}
            """);
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
    }

    /// <summary>Archives a scenario a test activated, so that the class's other tests' events do not reach it.</summary>
    private async Task ArchiveAsync(long id)
    {
        using var admin = browser.App.Anonymous();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", StoreKeys.DemoAdminKey);
        Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/archive", null)).IsSuccessStatusCode);
    }

    private static readonly string[] Codes = ["WIZ-AAA1", "WIZ-BBB2", "WIZ-CCC3"];

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
        long shown; // the screenshots show the demo's own post-purchase example, whatever the class's other tests made
        await using (var db = await DemoDbAsync())
        {
            ids = await db.Scenarios.OrderBy(s => s.Id).Select(s => s.Id).ToArrayAsync();
            shown = await db.Scenarios.Where(s => s.Name == "Post-purchase (example)").Select(s => s.Id).SingleAsync();
        }
        var folder = Folder();
        foreach (var id in ids)
            foreach (var step in ScenarioWizard.Steps)
            {
                var response = await page.GotoAsync(ScenarioWizard.Url(id, step.Slug));
                Assert.True(response!.Status == 200, $"{ScenarioWizard.Url(id, step.Slug)}: {response.Status}");
                Assert.Equal("step", await page.Locator("nav.steps a[aria-current]").GetAttributeAsync("aria-current"));
                Assert.Equal(step.Name, (await page.Locator("nav.steps a[aria-current]").InnerTextAsync())[2..].Trim());
                await AdminBrowser.AssertAccessibleAsync(page);
                if (folder is not null && id == shown) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"wizard-{(step.Slug.Length == 0 ? "overview" : step.Slug)}.png"), FullPage = false });
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
        await UseSmtpAsync(smtp);
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        var id = await NewScenarioAsync(page, "Cross-selling");

        // Customize: a bad duration is named next to its field and nothing changes.
        await page.GetByLabel("Send no more often than once per").FillAsync("soon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("'soon' is not a duration", await page.Locator("#r0-cap-problem").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
            Assert.Equal("7d", ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Rules![0].Cap);
        await page.GetByLabel("Send no more often than once per").FillAsync("2d");
        // No holdout: whether a customer is held out hangs on the scenario's id, which the class's other tests move.
        await page.GetByLabel("Holdout:", new() { Exact = false }).FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a rule" }).ClickAsync();
        var rule2 = page.Locator("fieldset.rule").Nth(1);
        await rule2.GetByLabel("Logic type").SelectOptionAsync("and");
        await rule2.GetByLabel("After", new() { Exact = true }).SelectOptionAsync("cart");
        var triggers = rule2.Locator("#r1-categories");
        // Live reach: a rule without categories counts nothing; ticking one counts it again on the server, unsaved.
        Assert.Contains("not counted", await page.Locator("[data-reach='rule-1']").InnerTextAsync(), StringComparison.Ordinal);
        await triggers.GetByLabel("Bags", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(page.Locator("[data-reach='rule-1']")).ToContainTextAsync("Last 30 days it would have sent");
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

        // Live: an order in rule 1's category triggers it; a day later (its delay) the message goes out.
        string product, name;
        await using (var db = await DemoDbAsync())
        {
            var category = ScenarioService.Definition(await db.Scenarios.SingleAsync(x => x.Id == id)).Rules![0].Categories[0];
            (product, name) = await db.Products.Where(p => p.CategoryId == category && p.Name != null).OrderBy(p => p.Id).Select(p => ValueTuple.Create(p.ExternalId, p.Name!)).FirstAsync();
        }
        await TrackPurchaseAsync("wizard-order-1", "walk@shop.example", "pl", product, name);
        var services = browser.App.App.Services;
        await services.GetRequiredService<ScenarioService>().PassAsync(CancellationToken.None);
        long customer;
        await using (var db = await DemoDbAsync())
        {
            customer = await db.Customers.Where(c => c.Email == "walk@shop.example").Select(c => c.Id).SingleAsync();
            var decision = await db.ScenarioDecisions.SingleAsync(d => d.ScenarioId == id && d.CustomerId == customer);
            Assert.Equal((DecisionKinds.Scheduled, "rule1"), (decision.Kind, decision.Rule));
        }
        var outbox = services.GetRequiredService<Cartwise.Messages.OutboxService>();
        await outbox.PassAsync(CancellationToken.None);
        Assert.DoesNotContain(smtp.Messages(), m => m.To.ToString().Contains("walk@shop.example", StringComparison.Ordinal)); // not before the delay
        browser.App.Clock.Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1)));
        while (await outbox.PassAsync(CancellationToken.None) > 0) { }
        // (Another test's active scenario of the class may write to the same customer: this one's subject is asked for.)
        var mail = Assert.Single(smtp.Messages(), m => m.To.ToString().Contains("walk@shop.example", StringComparison.Ordinal) && m.Subject == "Something that goes with it");
        Assert.Contains(Codes, code => mail.HtmlBody!.Contains(code, StringComparison.Ordinal)); // a code of the uploaded CSV
        Assert.Contains(name, mail.HtmlBody!, StringComparison.Ordinal); // PURCHASED: what was bought
        Assert.Contains("These go well with it", mail.HtmlBody!, StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
        {
            var row = await db.Outbox.SingleAsync(o => o.ScenarioId == id && o.CustomerId == customer);
            Assert.Equal(("pl", Cartwise.Messages.OutboxStatus.Sent, "rule1"), (row.Language, row.Status, row.Rule));
            Assert.True(await db.Products.CountAsync(p => p.ExternalId != product && p.Name != null && mail.HtmlBody!.Contains(p.Name)) > 0); // RECOMMENDED: other products
        }
        // The decision on the customer's page, the message in the outbox, the send in the report (signed in again: a day passed).
        await AdminBrowser.SignInAsync(page, DemoStore.DemoUser, DemoStore.DemoPassword);
        await page.GotoAsync($"/customers/{customer}");
        Assert.Contains("rule1", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Contains("scheduled", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync("/outbox?email=walk");
        Assert.Contains("walk@shop.example", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync(ScenarioWizard.Url(id, "reports"));
        Assert.Equal(1, await page.GetByRole(AriaRole.Link, new() { Name = "walk@shop.example" }).CountAsync());
        Assert.Equal("1", await page.Locator(".figure .value").First.InnerTextAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
        await ArchiveAsync(id);
    }

    [Fact]
    public async Task CrossSelling_TakesARuleSuggestedFromWhatCustomersBuyNext_AndItStaysEditable()
    {
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        var id = await NewScenarioAsync(page, "Cross-selling");
        CrossSellSuggestion expected;
        await using (var db = await DemoDbAsync())
        {
            var scenario = await db.Scenarios.AsNoTracking().SingleAsync(s => s.Id == id);
            var list = await CrossSellSuggestions.ListAsync(db, scenario, ScenarioService.Definition(scenario), browser.App.Clock, CancellationToken.None);
            Assert.InRange(list.Suggestions.Count, 1, CrossSellSuggestions.Shown);
            Assert.All(list.Suggestions, x => Assert.True(x.Basis.Lift >= CrossSellSuggestions.MinimumLift && x.Basis.Support >= CrossSellSuggestions.MinimumCustomers));
            expected = list.Suggestions[0];
        }
        var b = expected.Basis;
        var en = System.Globalization.CultureInfo.GetCultureInfo("en");

        // The suggestion in words, with its figures and its reach over the last 90 days.
        var first = page.Locator(".suggestion-list li").First;
        var text = await first.InnerTextAsync();
        Assert.Contains($"{b.Antecedent.Name} → {b.Consequent.Name}", text, StringComparison.Ordinal);
        Assert.Contains(string.Create(en, $"{b.Support:N0} customers who ordered from {b.Antecedent.Name} then ordered from {b.Consequent.Name}: {b.Confidence:P1} of its buyers, {b.Lift:0.0}× as often as customers overall, typically {b.MedianLagDays.ToString(b.MedianLagDays >= 10 || b.MedianLagDays % 1 == 0 ? "N0" : "N1", en)} days later"),
            text, StringComparison.Ordinal);
        Assert.Contains($"send after {expected.Rule.Delay}, no more often than once per {expected.Rule.Cap}.", text, StringComparison.Ordinal);
        Assert.Contains(string.Create(en, $"Over the last 90 days it would have sent {expected.Reach!.Sent:N0} messages to {expected.Reach.Customers:N0} customers"), text, StringComparison.Ordinal);
        Assert.True(expected.Reach.Triggered > 0, "the demo's last 90 days have orders in the suggestion's category");
        // Delivered before the typical purchase.
        Assert.True(Durations.TryParse(expected.Rule.Delay, out var delay) && delay.TotalDays < b.MedianLagDays);
        await AdminBrowser.AssertAccessibleAsync(page);
        if (Folder() is { } folder) await page.Locator("section.suggestions").ScreenshotAsync(new() { Path = Path.Combine(folder, "wizard-suggested-rules.png") });

        // One click makes it a rule: after an order in A, products of B, with the suggested timing; it leaves the list.
        await first.GetByRole(AriaRole.Button, new() { Name = "Add this rule" }).ClickAsync();
        var rule = page.Locator("fieldset.rule").Nth(1);
        await Assertions.Expect(rule.GetByLabel("Send after")).ToHaveValueAsync(expected.Rule.Delay!);
        await Assertions.Expect(rule.GetByLabel("Send no more often than once per")).ToHaveValueAsync(expected.Rule.Cap!);
        await Assertions.Expect(rule.GetByLabel("Recommend", new() { Exact = true })).ToHaveValueAsync("categories");
        await Assertions.Expect(rule.Locator($"#r1-categories input[value='{b.Antecedent.Id}']")).ToBeCheckedAsync();
        await Assertions.Expect(rule.Locator($"#r1-recommend-categories input[value='{b.Consequent.Id}']")).ToBeCheckedAsync();
        Assert.DoesNotContain($"{b.Antecedent.Name} → {b.Consequent.Name}", await page.Locator("section.suggestions").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Not saved yet", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);

        // Editable like any rule: a bad delay is named, a good one is saved with the rest of the suggestion.
        await rule.GetByLabel("Send after").FillAsync("later");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("'later' is not a duration", await page.Locator("#r1-delay-problem").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("fieldset.rule").Nth(1).GetByLabel("Send after").FillAsync("5d");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("The settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
        {
            var saved = ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Rules![1];
            Assert.Equal((TriggerActions.Order, long.Parse(b.Antecedent.Id, System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(b.Consequent.Id, System.Globalization.CultureInfo.InvariantCulture), "5d", expected.Rule.Cap),
                (saved.Trigger, saved.Categories.Single(), saved.RecommendCategories!.Single(), saved.Delay, saved.Cap));
        }
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
        await ArchiveAsync(id);
    }

    [Fact]
    public async Task PostPurchase_TakesTheSuggestedTiers_FromTheHistogram()
    {
        var problems = new List<string>();
        using (var admin = browser.App.Anonymous())
        {
            // The store's own name of a segment is what the audience list shows.
            admin.DefaultRequestHeaders.Authorization = new("Bearer", StoreKeys.DemoAdminKey);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.PutAsync("/api/v1/analytics/rfm/settings",
                new StringContent("""{"names":{"lost":"Gone quiet"}}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        }
        var page = await SignedInAsync(problems);
        var id = await NewScenarioAsync(page, "Post-purchase");
        Assert.Equal("Gone quiet", await page.GetByLabel("Never customers in the RFM segments").Locator("option[value=lost]").InnerTextAsync());
        Assert.Equal(1, await page.Locator("figure.chart svg rect.bar").First.CountAsync());
        await page.GetByLabel("Tier 1 to").FillAsync("not money");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("'not money' is not an amount.", await page.Locator("#t0-to-problem").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use the suggested bounds" }).ClickAsync();
        await page.GetByLabel("Never customers in the RFM segments").SelectOptionAsync(["at-risk", "lost"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("The settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await using var db = await DemoDbAsync();
        Assert.Equal(["at-risk", "lost"], ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Audience!.ExcludeSegments!);
        Assert.Equal(["at-risk", "lost"], await page.GetByLabel("Never customers in the RFM segments").Locator("option:checked").EvaluateAllAsync<string[]>("o => o.map(x => x.value)"));
        var suggested = (await ScenarioEndpoints.SuggestTiersAsync(db, CancellationToken.None)).Value!.Tiers;
        var saved = ScenarioService.Definition(await db.Scenarios.SingleAsync(s => s.Id == id)).Tiers!;
        Assert.Equal(suggested.Select(t => (t.From, t.To)), saved.Select(t => (t.From, t.To)));
        Assert.Equal(4, saved.Count); // seed 001: low, average, high and top spenders
        Assert.Equal(saved.Count, await page.Locator("td.reach").CountAsync());

        // Design: tier 1's message, then an A/B test of it with a second version.
        await page.GotoAsync(ScenarioWizard.Url(id, "design") + "?rule=tier1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a new message for it" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Start an A/B test" }).ClickAsync();
        Assert.Contains("variant B is a copy of A", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Share of variant A (%)").FillAsync("half");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the test" }).ClickAsync();
        Assert.Contains("'half' is not an amount.", await page.Locator("#share-0-err").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Share of variant A (%)").FillAsync("70");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the test" }).ClickAsync();
        Assert.Contains("the shares add up to 1.2, not 1", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GetByLabel("Share of variant B (%)").FillAsync("30");
        await page.GetByLabel("The metric that decides").SelectOptionAsync(AbMetrics.ClickRate);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the test" }).ClickAsync();
        Assert.Contains("The test is saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("table").First.Locator("tbody tr").CountAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        if (Folder() is { } folder) await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "wizard-ab-test.png"), FullPage = true });
        var definition = ScenarioService.Definition(await db.Scenarios.AsNoTracking().SingleAsync(s => s.Id == id));
        var test = definition.Tests!.Single();
        Assert.Equal(("tier1", AbMetrics.ClickRate, 0.7, 0.3), (test.Rule, test.Metric, test.Variants[0].Share, test.Variants[1].Share));
        Assert.Equal(definition.Tiers![0].MessageId, test.Variants[0].MessageId);
        Assert.NotEqual(test.Variants[0].MessageId, test.Variants[1].MessageId);
        // Both versions have their coupon menu entry, the summary says what the test does, the report has its section.
        await page.GotoAsync(ScenarioWizard.Url(id, "coupons"));
        Assert.Equal(1, await page.Locator("#rule option", new() { HasText = "Tier tier1, variant B" }).CountAsync());
        await page.GotoAsync(ScenarioWizard.Url(id, "summary"));
        Assert.Contains("Tier tier1 tests A", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync(ScenarioWizard.Url(id, "reports"));
        Assert.Contains("A/B test of Tier tier1", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Contains("waiting: variant", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task BounceBack_WithAReminder_SendsTheOfferThenTheReminderWithTheSameCode()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await UseSmtpAsync(smtp);
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        var id = await NewScenarioAsync(page, "Bounce-back");
        await page.GetByLabel("Remind this many days before it expires", new() { Exact = false }).FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("between 1 and 13", await page.Locator("#f-reminder-problem").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Remind this many days before it expires", new() { Exact = false }).FillAsync("3");
        await page.GetByLabel("Holdout:", new() { Exact = false }).FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the settings" }).ClickAsync();
        Assert.Contains("The settings were saved.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);

        // The summary asks for the reminder's message until it has one.
        await page.GotoAsync(ScenarioWizard.Url(id, "summary"));
        Assert.Contains("Design · design.reminder: no message chosen", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        foreach (var rule in new[] { "offer", "reminder" })
        {
            await page.GotoAsync(ScenarioWizard.Url(id, "design") + "?rule=" + rule);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create a new message for it" }).ClickAsync();
            Assert.Contains("now sends", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        }
        // Sender: one of the store's, picked.
        await page.GotoAsync(ScenarioWizard.Url(id, "sender"));
        await page.Locator("input[name='Pick.SenderId']").Nth(1).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this sender", Exact = true }).ClickAsync();
        await page.GotoAsync(ScenarioWizard.Url(id, "coupons") + "?rule=offer");
        await page.GetByLabel("dynamic: a unique code", new() { Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the coupon" }).ClickAsync();
        await page.GetByLabel("How many").FillAsync("5");
        await page.GetByLabel("Pattern", new() { Exact = false }).FillAsync("BACK-####");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        Assert.Contains("5 codes", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync(ScenarioWizard.Url(id, "summary"));
        Assert.Contains("Nothing stops activation.", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
        Assert.Contains("The scenario is now active.", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);

        // Live: a purchase; a day later the offer with a code; eleven days after that, the reminder with the same code.
        await TrackPurchaseAsync("bounce-order-1", "back@shop.example", "en", "bounce-sku", "Lantern");
        var services = browser.App.App.Services;
        await services.GetRequiredService<ScenarioService>().PassAsync(CancellationToken.None);
        var outbox = services.GetRequiredService<Cartwise.Messages.OutboxService>();
        List<MimeKit.MimeMessage> Mails() => [.. smtp.Messages().Where(m => m.To.ToString().Contains("back@shop.example", StringComparison.Ordinal))];
        browser.App.Clock.Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1)));
        while (await outbox.PassAsync(CancellationToken.None) > 0) { }
        var offer = Assert.Single(Mails());
        Assert.Equal("A coupon for your next order", offer.Subject);
        var code = System.Text.RegularExpressions.Regex.Match(offer.TextBody ?? offer.HtmlBody!, "BACK-[A-Z0-9]{4}").Value;
        Assert.NotEmpty(code);
        browser.App.Clock.Advance(TimeSpan.FromDays(10));
        while (await outbox.PassAsync(CancellationToken.None) > 0) { }
        Assert.Single(Mails()); // not before 14 − 3 days
        browser.App.Clock.Advance(TimeSpan.FromDays(1));
        while (await outbox.PassAsync(CancellationToken.None) > 0) { }
        var reminder = Mails().Single(m => m.Subject == "Your coupon expires soon");
        Assert.Contains(code, reminder.TextBody ?? reminder.HtmlBody!, StringComparison.Ordinal);
        await AdminBrowser.SignInAsync(page, DemoStore.DemoUser, DemoStore.DemoPassword);
        await page.GotoAsync(ScenarioWizard.Url(id, "reports"));
        Assert.Equal(2, await page.GetByRole(AriaRole.Link, new() { Name = "back@shop.example" }).CountAsync());
        // One code went out, twice: it counts once.
        Assert.Equal("1 / 0", await page.Locator(".figure", new() { HasText = "Coupons sent / redeemed" }).Locator(".value").InnerTextAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        Assert.Empty(problems);
        await ArchiveAsync(id);
    }

    [Fact]
    public async Task Designer_ReordersByKeyboardAndDrag_NamesABrokenTemplatesLine_AndPreviewsForACustomer()
    {
        long messageId;
        string email, firstName, order;
        await using (var db = await DemoDbAsync())
        {
            var copy = await db.Messages.AsNoTracking().OrderBy(m => m.Id).FirstAsync();
            Assert.Contains("{{ order.id }}", copy.Variants, StringComparison.Ordinal);
            var m = new Cartwise.Messages.Message { StoreId = db.CurrentStoreId, Name = "Designer test", DefaultLanguage = copy.DefaultLanguage, Variants = copy.Variants, SenderId = copy.SenderId,
                CouponMode = copy.CouponMode, CouponPoolId = copy.CouponPoolId, CouponValidDays = copy.CouponValidDays, CreatedAt = copy.CreatedAt, UpdatedAt = copy.UpdatedAt };
            db.Messages.Add(m);
            var c = await db.Customers.Where(x => x.Email != null && db.Orders.Any(o => o.CustomerId == x.Id)).OrderBy(x => x.Id).FirstAsync();
            c.FirstName = "Wiktoria";
            await db.SaveChangesAsync();
            (messageId, email, firstName) = (m.Id, c.Email!, c.FirstName);
            order = await db.Orders.Where(o => o.CustomerId == c.Id).OrderByDescending(o => o.PlacedAt).ThenByDescending(o => o.Id).Select(o => o.ExternalId).FirstAsync();
        }
        var problems = new List<string>();
        var page = await SignedInAsync(problems);
        await page.GotoAsync($"/messages/{messageId}?lang=en");
        Assert.Contains("1. Heading", await page.Locator("li[data-block='0'] strong").InnerTextAsync(), StringComparison.Ordinal);

        // The side panel: "Edit" opens a block's fields there; an unsaved change of another block travels with the form.
        var heading = await page.Locator("#b0-text").InputValueAsync();
        await page.Locator("#b0-text").FillAsync("Changed before switching");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit: 2. Text" }).ClickAsync();
        Assert.Equal(0, await page.Locator("#b0-text").CountAsync());
        Assert.Equal(1, await page.Locator(".side-panel #b1-text").CountAsync());
        await AdminBrowser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit: 1. Heading" }).ClickAsync();
        Assert.Equal("Changed before switching", await page.Locator(".side-panel #b0-text").InputValueAsync());
        await page.Locator("#b0-text").FillAsync(heading);

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
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview as edited" }).ClickAsync();
        var preview = await page.Locator("iframe.mail").GetAttributeAsync("srcdoc");
        Assert.Contains($"Hello {firstName}, thank you!", preview, StringComparison.Ordinal);
        Assert.Contains(order, preview, StringComparison.Ordinal); // no order given: the customer's latest
        // The preview shows an edit before it is saved, and a broken edit by its line, saving nothing.
        await page.Locator("#b0-text").FillAsync("Dear {{ customer.first_name }}, welcome back!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview as edited" }).ClickAsync();
        Assert.Contains($"Dear {firstName}, welcome back!", await page.Locator("iframe.mail").GetAttributeAsync("srcdoc"), StringComparison.Ordinal);
        Assert.Contains("not saved yet", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#b0-text").FillAsync("Dear {{ customer.first_name ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview as edited" }).ClickAsync();
        Assert.Matches(@"line 1, column \d+", await page.Locator("#b0-text-problem").InnerTextAsync());
        await using (var db = await DemoDbAsync())
            Assert.Contains("thank you!", (await db.Messages.SingleAsync(m => m.Id == messageId)).Variants, StringComparison.Ordinal);

        // A columns block starts as two columns of text.
        await page.Locator("#b0-text").FillAsync("Hello {{ customer.first_name }}, thank you!");
        await page.GetByLabel("Add a block").SelectOptionAsync(Cartwise.Core.Messages.BlockTypes.Columns);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the message" }).ClickAsync();
        Assert.Contains("The message was saved", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal);
        await using (var db = await DemoDbAsync())
        {
            var variants = JsonSerializer.Deserialize<List<Cartwise.Core.Messages.MessageVariant>>((await db.Messages.SingleAsync(m => m.Id == messageId)).Variants, Cartwise.Messages.MessageComposer.Json)!;
            Assert.Equal(2, variants.Single(v => v.Language == "en").Blocks[^1].Columns!.Count);
        }
        Assert.Empty(problems);
    }
}
