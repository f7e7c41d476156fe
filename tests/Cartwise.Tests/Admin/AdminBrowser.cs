using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cartwise.Tests.Admin;

/// <summary>
/// One started server and one headless Chromium (Debian's, <c>/usr/bin/chromium</c>) shared by a test class. Each
/// test opens its own browser context (its own cookies) and fails on any console error or failed request. Without
/// Chromium the tests are skipped, except under CI=true, where they fail.
/// </summary>
public class AdminBrowser : IAsyncLifetime
{
    private readonly Engine _engine;
    private readonly bool _demo;

    public AdminBrowser() : this(Engine.Sqlite) { }

    protected AdminBrowser(Engine engine, bool demo = false) => (_engine, _demo) = (engine, demo);

    public const string ChromiumPath = "/usr/bin/chromium";
    public const string Password = "correct-horse-battery";

    private IPlaywright? _playwright;

    public TestApp App { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public CreatedStore Store { get; private set; } = default!;
    public CreatedStore OtherStore { get; private set; } = default!;
    public const string Email = "marketer@shop.example";
    public const string OtherEmail = "other@shop.example";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.SkipWhen(Environment.GetEnvironmentVariable("CI") != "true", "Chromium is not installed (apt-get install chromium).");
            Assert.Fail($"Chromium is missing at {ChromiumPath}; .ci/run installs it.");
        }
        App = await TestApp.StartAsync(_engine, demo: _demo);
        Store = await App.CreateStoreAsync("shop");
        OtherStore = await App.CreateStoreAsync("other-shop");
        await using (var db = App.Database.CreateContext())
        {
            await Cartwise.Users.UserService.SaveAsync(db, Email, Password, [Store.StoreId], App.Clock.GetUtcNow(), CancellationToken.None);
            await Cartwise.Users.UserService.SaveAsync(db, OtherEmail, Password, [OtherStore.StoreId], App.Clock.GetUtcNow(), CancellationToken.None);
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // A storefront test's shop page comes from the browser's router, which gives it no network address, so
            // Chromium's local-network checks would treat it as the public internet calling loopback. Real shops and
            // a real Cartwise are both on the public side.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights"],
        });
    }

    /// <summary>A fresh page (own cookies) that records console errors and failed requests into <paramref name="problems"/>.</summary>
    public async Task<IPage> PageAsync(List<string> problems, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString().TrimEnd('/'), ViewportSize = new() { Width = width, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add("console: " + m.Text); };
        // A request a navigation cancels (a download, an enhanced navigation superseded by the next) is aborted on
        // purpose; anything else that fails is a problem.
        page.RequestFailed += (_, r) => { if (r.Failure != "net::ERR_ABORTED") problems.Add("request failed: " + r.Url + " " + r.Failure); };
        return page;
    }

    public static async Task SignInAsync(IPage page, string email = Email, string password = Password)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>
    /// Clicks a link that enhanced navigation follows (a fetch and a DOM patch, not a page load Playwright waits for)
    /// and waits for Blazor's <c>enhancedload</c>.
    /// </summary>
    public static async Task FollowAsync(IPage page, ILocator link)
    {
        // A page that has just loaded may not have run blazor.web.js yet.
        await page.WaitForFunctionAsync("() => typeof Blazor !== 'undefined'");
        await page.EvaluateAsync("""
            () => { window.__cwLoaded = new Promise((resolve, reject) => {
                Blazor.addEventListener('enhancedload', resolve);
                setTimeout(() => reject(new Error('no enhanced navigation within 15 s')), 15000); }); }
            """);
        await link.ClickAsync();
        await page.EvaluateAsync("() => window.__cwLoaded");
    }

    /// <summary>
    /// Waits until the address matches <paramref name="pattern"/> (a regular expression), checking the address only.
    /// Playwright's <c>WaitForURLAsync</c> waits for the load event as well when the address already matches, whatever
    /// <c>WaitUntil</c> says, and a form that redirects through enhanced navigation may never give it one.
    /// </summary>
    public static Task ArrivedAtAsync(IPage page, string pattern) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(pattern), new() { Timeout = 30_000 });

    /// <summary>Follows the header's link to a section (by its exact name, so a page's own "See the rules" never matches).</summary>
    public static Task FollowSectionAsync(IPage page, string section) =>
        FollowAsync(page, page.GetByRole(AriaRole.Navigation, new() { Name = "Sections" }).GetByRole(AriaRole.Link, new() { Name = section, Exact = true }));

    /// <summary>Fails with every serious or critical axe violation, in full.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var problems = await AccessibilityProblemsAsync(page);
        Assert.True(problems.Count == 0, $"{page.Url}:\n" + string.Join("\n", problems));
    }

    /// <summary>axe's serious and critical violations on the page as it is, one line each (empty: none).</summary>
    public static async Task<List<string>> AccessibilityProblemsAsync(IPage page)
    {
        // Frames are left out: a sandboxed message preview runs no script, so axe could never report from inside it.
        var result = await Deque.AxeCore.Playwright.PageExtensions.RunAxe(page, new Deque.AxeCore.Commons.AxeRunOptions { Iframes = false });
        return result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (App is not null) await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same, on PostgreSQL (where a page and its layout querying one context at once would fail).</summary>
public sealed class PostgresAdminBrowser() : AdminBrowser(Engine.Postgres);

/// <summary>The demo store of <c>serve --demo</c>: a real shop's history, its catalogue and model, the demo user.</summary>
public sealed class DemoAdminBrowser() : AdminBrowser(Engine.Sqlite, demo: true);
