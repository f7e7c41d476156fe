using System.Diagnostics;
using Cartwise.Catalog;
using Cartwise.Data;
using Cartwise.Orders.Import;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

/// <summary>
/// The demo store: slug <c>demo</c>, fixed documented keys, filled once with a slice of the UCI Online Retail data
/// (a UK gift shop, 2010–2011, moved forward in whole weeks to end in the week before the first start) and a product
/// feed built from it (see <c>scripts/make-demo-data.py</c>).
/// </summary>
public static class DemoStore
{
    public const string DemoUser = "demo@cartwise.local";
    public const string DemoPassword = "demo-password";

    public const string Slug = "demo";

    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "Demo");

    /// <summary>The last day of the demo's order history as the file has it (a Friday).</summary>
    public static readonly DateOnly HistoryLastDay = new(2011, 12, 9);

    /// <summary>
    /// Whole weeks that bring the history's last day to within the week up to yesterday (store time): the same shift
    /// for every order, so weekdays, the hours of the day and the gaps between orders stay as they were.
    /// </summary>
    public static int ShiftDays(DateOnly today) => (today.AddDays(-1).DayNumber - HistoryLastDay.DayNumber) / 7 * 7;

    /// <summary>The host the demo feed's links are written with; the import points them at the demo shop of this server.</summary>
    public const string FeedHost = "https://demo.cartwise.invalid";

    /// <param name="shopBase">The address this server is reached at: the demo feed's product pages and pictures become its demo shop's.</param>
    public static async Task<long> EnsureAsync(CartwiseDb db, DatabaseTarget target, Recommendations.ModelService models, TimeProvider clock, TextWriter output,
        CancellationToken ct, string? shopBase = null)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == Slug, ct);
        if (store is null)
        {
            await StoreService.CreateAsync(db, Slug, "Cartwise demo gift shop", "GBP", "GB", "Europe/London", clock.GetUtcNow(), ct,
                StoreKeys.DemoTrackingKey, StoreKeys.DemoAdminKey);
            // The demo takes a storefront's consent at its word, so that its walkthroughs send mail at once; real
            // stores confirm it by email first.
            // Its shop is on this server (same origin: always allowed), listed so that the settings page shows it;
            // free shipping from £50, as the demo shop's cart says.
            var origin = shopBase is { Length: > 0 } sb && Uri.TryCreate(sb, UriKind.Absolute, out var su) ? su.GetLeftPart(UriPartial.Authority) : null;
            await db.Stores.Where(s => s.Slug == Slug).ExecuteUpdateAsync(u => u.SetProperty(s => s.DoubleOptIn, false)
                .SetProperty(s => s.AllowedOrigins, origin).SetProperty(s => s.FreeShippingThreshold, 50m), ct);
            store = await db.Stores.AsNoTracking().SingleAsync(s => s.Slug == Slug, ct);
        }
        db.CurrentStoreId = store.Id;
        await output.WriteLineAsync($"Demo store '{Slug}' (id {store.Id}): tracking key {StoreKeys.DemoTrackingKey}, admin key {StoreKeys.DemoAdminKey}");
        // The demo's user, like its keys, is fixed and public: demo only.
        if (!await db.Users.AnyAsync(u => u.Email == DemoUser, ct))
            await Users.UserService.SaveAsync(db, DemoUser, DemoPassword, [store.Id], clock.GetUtcNow(), ct);
        await output.WriteLineAsync($"  admin app: sign in as {DemoUser} with password {DemoPassword}");
        await EnsureMessagesAsync(db, store.Id, clock.GetUtcNow(), output, ct);
        // Filled once: a demo store with orders is left as the user made it.
        if (await db.Orders.AnyAsync(ct))
        {
            await EnsureScenariosAsync(db, store.Id, clock.GetUtcNow(), output, ct);
            return store.Id;
        }

        var sw = Stopwatch.StartNew();
        // This server's address (known port): the demo feed's pages and pictures become its demo shop's.
        var shopRoot = shopBase is { Length: > 0 } b && Uri.TryCreate(b, UriKind.Absolute, out var shop) && shop.Port != 0 ? shop.GetLeftPart(UriPartial.Authority) : null;
        var feed = Path.Combine(DataDirectory, "demo-feed.xml.gz");
        await using (var file = File.OpenRead(feed))
        await using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress))
        {
            // 1.5 MB of XML: read whole, so that its placeholder links can point at this server's demo shop.
            using var reader = new StreamReader(gzip);
            var text = await reader.ReadToEndAsync(ct);
            if (shopRoot is not null)
                text = text.Replace(FeedHost + "/products/", shopRoot + Storefront.DemoShop.ProductPath, StringComparison.Ordinal)
                    .Replace(FeedHost + "/images/", shopRoot + Storefront.DemoShop.ImagePath, StringComparison.Ordinal);
            using var xml = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
            var run = await new FeedImporter(target.CreateContext, store, clock).ImportAsync(xml, "demo-feed.xml", new FeedImportOptions(FeedFormat.Xml), ct);
            await output.WriteLineAsync($"  catalogue: {run.Created:N0} products from the demo feed");
        }
        var orders = Path.Combine(DataDirectory, "online-retail-sample.csv.gz");
        var shift = ShiftDays(StoreFigures.DayOf(store, clock.GetUtcNow()));
        var result = await new OrderImporter(target, store, clock).ImportAsync(() =>
        {
            var file = File.OpenRead(orders);
            return (new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress), () => file.Position, file.Length);
        }, new OrderImportOptions("online-retail", ShiftDays: shift, Source: "online-retail-sample.csv.gz (the demo's history)"), ct);
        await output.WriteLineAsync($"  history: {result.OrdersCreated:N0} orders, {result.Lines:N0} lines, {result.CustomersCreated:N0} customers " +
            $"(UCI Online Retail sample, CC BY 4.0) in {sw.Elapsed.TotalSeconds:F1} s; moved {shift / 7:N0} weeks forward: it ends {HistoryLastDay.AddDays(shift):yyyy-MM-dd}");
        // Products only the orders know (the feed has no item for them) get their drawn picture too.
        if (shopRoot is not null)
        {
            var images = shopRoot + Storefront.DemoShop.ImagePath;
            await db.Products.Where(p => p.ImageLink == null).ExecuteUpdateAsync(u => u.SetProperty(p => p.ImageLink, p => images + p.ExternalId + ".jpg"), ct);
        }
        // The demo's customer blend is tuned on its own history, as `cartwise evaluate --tune` would tune it; the model takes it.
        var (tuning, _) = await Recommendations.ModelService.TuneAsync(db, store.Id, 10, clock.GetUtcNow(), ct);
        await output.WriteLineAsync(tuning.Blend is { } blend
            ? $"  blend: tuned on {blend.Customers:N0} customers' next order, new products found {blend.BuiltIn.NewHitRate:P1} → {blend.Tuned.NewHitRate:P1}, " +
              $"re-orders {blend.RepurchaseShare:P0} of the list"
            : $"  blend: built-in ({tuning.Refusal})");
        var (_, stats, _) = await models.BuildAsync(store.Id, new Core.Recommendations.ModelOptions(), null, ct);
        await output.WriteLineAsync($"  model: {stats.Rules:N0} product rules, {stats.CategoryRules:N0} category rules from {stats.Baskets:N0} baskets");
        await EnsureScenariosAsync(db, store.Id, clock.GetUtcNow(), output, ct);
        return store.Id;
    }

    /// <summary>A sender, a pool of generated codes and a two-language post-purchase message, made once.</summary>
    private static async Task EnsureMessagesAsync(CartwiseDb db, long storeId, DateTimeOffset now, TextWriter output, CancellationToken ct)
    {
        if (await db.Senders.AnyAsync(ct)) return;
        await db.Stores.Where(s => s.Id == storeId).ExecuteUpdateAsync(u => u.SetProperty(s => s.PostalAddress, "1 Demo Street, London EC1A 1AA, United Kingdom"), ct);
        var sender = new Messages.Sender { StoreId = storeId, Name = "Cartwise Gift Shop", FromAddress = "hello@demo-giftshop.example", ReplyTo = "care@demo-giftshop.example", CreatedAt = now };
        var pool = new Coupons.CouponPool { StoreId = storeId, Name = "Thank-you 10%", LowWarning = 50, CreatedAt = now };
        db.AddRange(sender, pool);
        await db.SaveChangesAsync(ct);
        foreach (var code in Core.Coupons.CouponGenerator.Generate(new Core.Coupons.CouponPattern("THANKS-####-####"), 500, new HashSet<string>()))
            db.CouponCodes.Add(new Coupons.CouponCode { StoreId = storeId, PoolId = pool.Id, Code = code });
        var message = new Messages.Message
        {
            StoreId = storeId, Name = "Thank you for your order", DefaultLanguage = "en", SenderId = sender.Id,
            Variants = System.Text.Json.JsonSerializer.Serialize(DemoVariants, Messages.MessageComposer.Json),
            CouponMode = Messages.CouponModes.Dynamic, CouponPoolId = pool.Id, CouponValidDays = 14, CreatedAt = now, UpdatedAt = now,
        };
        db.Messages.Add(message);
        await db.SaveChangesAsync(ct);
        await output.WriteLineAsync($"  messages: sample post-purchase message {message.Id} (en, pl) from {sender.FromAddress}, 500 coupon codes");
    }

    /// <summary>
    /// An example cross-selling scenario (three rules over the demo's categories) and a post-purchase scenario (four
    /// tiers), both paused, with a message per rule and tier. The demo's customers (known by number only) get
    /// example.com addresses and email consent, so that simulations and sends have someone to write to.
    /// </summary>
    private static async Task EnsureScenariosAsync(CartwiseDb db, long storeId, DateTimeOffset now, TextWriter output, CancellationToken ct)
    {
        if (await db.Scenarios.AnyAsync(ct)) return;
        var categories = await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Path, c => c.Id, ct);
        long Category(string path) => categories.GetValueOrDefault(path);
        await db.Customers.Where(c => c.Email == null && c.ExternalId != null && c.MergedIntoId == null)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Email, c => "customer-" + c.ExternalId + "@demo.example")
                .SetProperty(c => c.EmailConsent, true).SetProperty(c => c.EmailConsentAt, now).SetProperty(c => c.EmailConsentSource, "demo"), ct);
        var sender = await db.Senders.OrderBy(x => x.Id).Select(x => (long?)x.Id).FirstOrDefaultAsync(ct);
        var thankYou = await db.Messages.OrderBy(m => m.Id).Select(m => m.Id).FirstAsync(ct);

        async Task<long> Message(string name, string subject, string heading, string title, string? strategy)
        {
            Core.Messages.Block[] blocks =
            [
                new("heading", Text: heading),
                new("text", Text: "Hello {{ customer.first_name | default: 'there' }}, we picked these for you."),
                new("recommended", Title: title, Strategy: strategy, Limit: 6),
                new("button", Text: "See more in the shop", Url: "https://demo-giftshop.example/"),
                new("footer"),
            ];
            var m = new Messages.Message
            {
                StoreId = storeId, Name = name, DefaultLanguage = "en", SenderId = sender,
                Variants = System.Text.Json.JsonSerializer.Serialize(new[] { new Core.Messages.MessageVariant("en", subject, null, blocks) }, Messages.MessageComposer.Json),
                CreatedAt = now, UpdatedAt = now,
            };
            db.Messages.Add(m);
            await db.SaveChangesAsync(ct);
            return m.Id;
        }

        var rules = new List<Core.Scenarios.CrossSellRule>
        {
            new("baking-to-tableware", "order", [Category("Kitchen & Dining > Baking")], await Message("Cross-sell: tableware for bakers", "Something to serve it on",
                "Baked something lovely?", "Tableware that goes with it", "bought_together"),
                RecommendCategories: [Category("Kitchen & Dining > Tableware")], Cap: "7d", Delay: "1d"),
            new("christmas-candles", "order", [Category("Seasonal > Christmas")], await Message("Cross-sell: candles for Christmas", "Light up your Christmas",
                "Ready for Christmas?", "Candles and holders", "similar"),
                AdditionalCategories: [Category("Home > Decor")], RecommendCategories: [Category("Home > Candles & Holders")], Cap: "14d", Delay: "2d"),
            new("bags-and-jewellery", "order", [Category("Bags & Accessories > Bags"), Category("Bags & Accessories > Jewellery & Hair")],
                await Message("Cross-sell: umbrellas and gloves", "Complete the look", "Bags and jewellery: a great pair", "Umbrellas and gloves", "bought_together"),
                Logic: "and", Window: "30d", RecommendCategories: [Category("Bags & Accessories > Umbrellas & Gloves")], Delay: "3h"),
        };
        var cross = new Scenarios.Scenario
        {
            StoreId = storeId, Name = "Cross-selling (example)", Kind = Core.Scenarios.ScenarioKinds.CrossSell, State = Scenarios.ScenarioStates.Paused,
            Definition = System.Text.Json.JsonSerializer.Serialize(new Core.Scenarios.ScenarioDefinition(Rules: rules, Cap: "3d", Holdout: 0.1,
                QuietHours: new Core.Scenarios.QuietHours(22, 8)), Scenarios.ScenarioService.Json),
            Languages = "en", SenderId = sender, CreatedAt = now, UpdatedAt = now,
        };
        var tiers = new List<Core.Scenarios.OrderTier>
        {
            new("0-200", 0, 200, await Message("After purchase: under 200", "Thank you! Here is what goes with it", "Thank you for your order", "Goes well with your order", "cart")),
            new("200-500", 200, 500, thankYou),
            new("500-1000", 500, 1000, await Message("After purchase: 500 to 1,000", "A thank-you for a great order", "Thank you for a great order", "Picked for you", "cart")),
            new("1000+", 1000, null, await Message("After purchase: 1,000 and more", "Thank you — our bestsellers, just for you", "You are one of our best customers", "Our bestsellers", "bestsellers")),
        };
        var post = new Scenarios.Scenario
        {
            StoreId = storeId, Name = "Post-purchase (example)", Kind = Core.Scenarios.ScenarioKinds.PostPurchase, State = Scenarios.ScenarioStates.Paused,
            Definition = System.Text.Json.JsonSerializer.Serialize(new Core.Scenarios.ScenarioDefinition(Tiers: tiers, Delay: "1d", Cap: "7d", Holdout: 0.1,
                QuietHours: new Core.Scenarios.QuietHours(22, 8)), Scenarios.ScenarioService.Json),
            Languages = "en", SenderId = sender, CreatedAt = now, UpdatedAt = now,
        };
        db.Scenarios.AddRange(cross, post);
        await db.SaveChangesAsync(ct);
        await output.WriteLineAsync($"  scenarios: '{cross.Name}' ({rules.Count} rules) and '{post.Name}' ({tiers.Count} tiers), paused");
    }

    private static readonly Core.Messages.MessageVariant[] DemoVariants =
    [
        new("en", "Thank you for your order, {{ customer.first_name | default: 'friend' }}!", "Your next order is 10% off for two weeks",
        [
            new("heading", Text: "Thank you, {{ customer.first_name | default: 'friend' }}!"),
            new("text", Text: "Your order {{ order.id }} ({{ order.total }}) is on its way. Here is what you bought:"),
            new("purchased", Limit: 6),
            new("coupon", Title: "10% off your next order", Text: "Use it by {{ coupon.expires_on }} — only {{ coupon.days_left }} days left."),
            new("recommended", Title: "Customers who bought these also bought", Strategy: "bought_together", Limit: 3),
            new("button", Text: "Visit the shop", Url: "https://demo-giftshop.example/"),
            new("divider"),
            new("footer", Text: "Unsubscribe"),
        ]),
        new("pl", "Dziękujemy za zamówienie, {{ customer.first_name | default: 'drogi kliencie' }}!", "Następne zamówienie 10% taniej przez dwa tygodnie",
        [
            new("heading", Text: "Dziękujemy, {{ customer.first_name | default: 'drogi kliencie' }}!"),
            new("text", Text: "Twoje zamówienie {{ order.id }} ({{ order.total }}) jest w drodze. Oto co kupiłeś:"),
            new("purchased", Limit: 6),
            new("coupon", Title: "10% rabatu na kolejne zakupy", Text: "Wykorzystaj do {{ coupon.expires_on }} — zostało tylko {{ coupon.days_left }} dni."),
            new("recommended", Title: "Klienci, którzy to kupili, kupili też", Strategy: "bought_together", Limit: 3),
            new("button", Text: "Odwiedź sklep", Url: "https://demo-giftshop.example/"),
            new("divider"),
            new("footer", Text: "Wypisz się"),
        ]),
    ];
}
