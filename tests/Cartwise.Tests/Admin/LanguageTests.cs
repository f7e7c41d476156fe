using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

public sealed partial class LanguageTests(AdminBrowser browser) : IClassFixture<AdminBrowser>
{
    [Fact]
    public async Task BrowserLanguage_ChoosesPolish_TheSwitcherChangesIt_AndTheChoiceStays()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.App.BaseAddress.ToString().TrimEnd('/'), Locale = "pl-PL" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        Assert.Equal("Zaloguj", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        await page.GetByLabel("E-mail").FillAsync(AdminBrowser.Email);
        await page.GetByLabel("Hasło").FillAsync(AdminBrowser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Zaloguj" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Klienci" })).ToBeVisibleAsync();
        Assert.Contains("Zdarzenia z ostatnich 24 godzin", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await AdminBrowser.AssertAccessibleAsync(page);

        await page.GetByLabel("Język").SelectOptionAsync("en");
        await page.GetByRole(AriaRole.Button, new() { Name = "Zmień" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Customers" })).ToBeVisibleAsync();
        await page.GotoAsync("/catalog");
        Assert.Equal("Catalogue", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
    }

    /// <summary>Every literal <c>T["…"]</c> of a page has its Polish text in Text.pl.resx (scripts/admin-text-pl.py writes it).</summary>
    [Fact]
    public void EveryPageText_HasAPolishTranslation()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Cartwise.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var src = Path.Combine(root.FullName, "src", "Cartwise");
        var translated = XDocument.Load(Path.Combine(src, "Admin", "Text.pl.resx")).Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet();
        var used = Directory.EnumerateFiles(src, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => TextKey().Matches(File.ReadAllText(f)).Select(m => Regex.Unescape(m.Groups[1].Value)))
            .Concat(Cartwise.Admin.Labels.All).Concat(Cartwise.Recommendations.ExplorerPage.Labels.Values).ToHashSet();

        Assert.True(used.Count > 200, $"only {used.Count} texts found");
        Assert.Empty(used.Where(k => !translated.Contains(k)).Order(StringComparer.Ordinal));
        // Resource names ignore case: two texts that differ only by it would be one (and a build warning).
        Assert.Empty(translated.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)));
    }

    [GeneratedRegex("""T\["((?:[^"\\]|\\.)*)"\]""")]
    private static partial Regex TextKey();
}
