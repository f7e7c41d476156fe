using System.Net;
using System.Text.Json;
using Cartwise.Core.Recommendations;
using Cartwise.Recommendations;
using Cartwise.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Recommendations;

public sealed class RecommendationApiTests
{
    /// <summary>Orders where a mug goes with a plate (and both with a jug), a lamp sells alone, and a vase never sells.</summary>
    private static async Task<(TestApp App, Cartwise.Stores.CreatedStore Store)> ShopAsync(Engine engine)
    {
        var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "EUR");
        using var tracking = app.Tracking(store);
        var events = new List<string>();
        var n = 0;
        void Order(string customer, params string[] items) => events.Add($$"""
            {"event_id":"o{{n}}","name":"purchase","customer_id":"{{customer}}","transaction_id":"T{{n++}}","currency":"EUR",
             "items":[{{string.Join(",", items.Select(i => $$"""{"item_id":"{{i}}","item_name":"{{i}} <b>","item_category":"Home > Kitchen","price":{{(i == "jug" ? 25 : 10)}}}"""))}}]}
            """);
        for (var i = 0; i < 12; i++) Order("c" + i, "mug", "plate", "jug");
        for (var i = 0; i < 6; i++) Order("d" + i, "mug", "plate");
        for (var i = 0; i < 20; i++) Order("e" + i, "lamp");
        events.Add("""{"name":"view_item","anonymous_id":"x","items":[{"item_id":"vase","item_name":"Vase","item_category":"Home > Decor","price":30}]}""");
        var response = await tracking.PostJsonAsync("/api/v1/track", "{\"events\":[" + string.Join(",", events) + "]}");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (app, store);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task CartRecommendations_ComeWithTheRuleAndItsFigures_ForATrackingKey(Engine engine)
    {
        var (app, store) = await ShopAsync(engine);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        var body = await tracking.GetJsonAsync("/api/v1/recommendations?strategy=cart&cart=mug,plate&limit=3");

        var first = body.GetProperty("items")[0];
        Assert.Equal("jug", first.GetProperty("id").GetString());
        Assert.Equal(25m, first.GetProperty("price").GetDecimal());
        var reason = first.GetProperty("reason");
        Assert.Equal("cart", reason.GetProperty("strategy").GetString());
        Assert.Equal(12, reason.GetProperty("support").GetInt32());
        Assert.Equal(Math.Round(12.0 / 18, 6), reason.GetProperty("confidence").GetDouble());
        Assert.Equal(Math.Round(12.0 / 18 / (12.0 / 38), 6), reason.GetProperty("lift").GetDouble());
        Assert.Equal(["mug", "plate"], reason.GetProperty("antecedent").EnumerateArray().Select(a => a.GetString()!).Order().ToArray());
        Assert.Equal(38, body.GetProperty("modelBaskets").GetInt32());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task CustomerRecommendations_LeaveOutWhatTheCustomerBought(Engine engine)
    {
        var (app, store) = await ShopAsync(engine);
        await using var _ = app;
        using var admin = app.Admin(store);
        var customer = (await admin.GetJsonAsync("/api/v1/customers?customer_id=d0")).GetProperty("items")[0].GetProperty("id").GetInt64();

        var body = await admin.GetJsonAsync($"/api/v1/recommendations?customer={customer}&limit=5");

        var ids = body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Equal("jug", ids[0]);
        Assert.DoesNotContain("mug", ids);
        Assert.DoesNotContain("plate", ids);
    }

    [Fact]
    public async Task BoughtNext_RecommendsWhatCustomersBuyDaysAfterTheirPurchase_WithTheLagInTheReason()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "EUR");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        var n = 0;
        async Task OrderAsync(string customer, string item) => Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", $$"""
            {"event_id":"o{{n}}","name":"purchase","customer_id":"{{customer}}","transaction_id":"T{{n++}}","currency":"EUR",
             "items":[{"item_id":"{{item}}","item_name":"{{item}}","price":20}]}
            """)).StatusCode);
        // Six customers buy a kettle and, twelve days later, descaler: never in the same basket.
        for (var i = 0; i < 6; i++) await OrderAsync("k" + i, "kettle");
        for (var i = 0; i < 10; i++) await OrderAsync("x" + i, "lamp");
        app.Clock.Advance(TimeSpan.FromDays(12));
        for (var i = 0; i < 6; i++) await OrderAsync("k" + i, "descaler");
        await OrderAsync("new", "kettle");
        var customer = (await admin.GetJsonAsync("/api/v1/customers?customer_id=new")).GetProperty("items")[0].GetProperty("id").GetInt64();

        var next = await admin.GetJsonAsync($"/api/v1/recommendations?customer={customer}&strategy=next&limit=1");
        var together = await admin.GetJsonAsync($"/api/v1/recommendations?customer={customer}&strategy=bought_together&limit=1");

        var first = next.GetProperty("items")[0];
        Assert.Equal("descaler", first.GetProperty("id").GetString());
        Assert.Equal("next", first.GetProperty("reason").GetProperty("strategy").GetString());
        Assert.Equal("bought next by 6 customers who bought kettle, typically 12 days later", first.GetProperty("reason").GetProperty("text").GetString());
        Assert.NotEqual("bought_together", together.GetProperty("items")[0].GetProperty("reason").GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task BuyAgain_RecommendsTheCustomersOwnProducts_WithTheirReorderInterval()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "EUR");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        var order = Orderer(tracking);
        // Coffee beans are re-ordered every 10 days; the grinder is bought once.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 5; i++) await order("r" + i, round == 0 ? ["beans", "grinder"] : ["beans"]);
            if (round < 2) await order("me", round == 0 ? ["beans", "grinder"] : ["beans"]);
            app.Clock.Advance(TimeSpan.FromDays(10));
        }
        var customer = (await admin.GetJsonAsync("/api/v1/customers?customer_id=me")).GetProperty("items")[0].GetProperty("id").GetInt64();

        var body = await admin.GetJsonAsync($"/api/v1/recommendations?customer={customer}&strategy=buy_again&limit=2");

        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["beans", "grinder"], items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("bought 2 times, last 20 days ago; customers re-order it about every 10 days", items[0].GetProperty("reason").GetProperty("text").GetString());
        Assert.Equal("buy_again", items[0].GetProperty("reason").GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task TunedBlend_IsTheStoresDefaultForCustomers_UntilUntuned()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "EUR");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        var order = Orderer(tracking);
        for (var i = 0; i < 5; i++) await order("r" + i, ["beans", "grinder", "filters"]);
        for (var i = 0; i < 8; i++) await order("b" + i, ["mugs"]);
        await order("me", ["beans", "grinder"]);
        app.Clock.Advance(TimeSpan.FromDays(10));
        var customer = (await admin.GetJsonAsync("/api/v1/customers?customer_id=me")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var models = app.App.Services.GetRequiredService<ModelService>();
        await models.BuildAsync(store.StoreId, new ModelOptions(), null, default);
        async Task<string[]> AskAsync(string query) => (await admin.GetJsonAsync($"/api/v1/recommendations?customer={customer}{query}"))
            .GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("id").GetString()}:{i.GetProperty("reason").GetProperty("strategy").GetString()}").ToArray();
        var builtIn = await AskAsync("&limit=2");
        var builtInWithReorders = await AskAsync("&limit=3&exclude_bought=false");

        // As `cartwise evaluate --tune` keeps it: the bestsellers for new products, the whole list for re-orders.
        await using (var db = app.Db(store))
            await ModelService.SaveTunedBlendAsync(db, store.StoreId, new TunedBlend(new Dictionary<string, double> { ["bestsellers"] = 1 }, 1.0, app.Clock.GetUtcNow(),
                app.Clock.GetUtcNow(), 250, 10, new BlendFigures(0.3, 0.6, 0.2), new BlendFigures(0.35, 0.7, 0.2)), default);
        await models.SyncAsync(store.StoreId, default);
        var tuned = await AskAsync("&limit=2");
        var tunedWithReorders = await AskAsync("&limit=3&exclude_bought=false");
        var halfAndHalf = await AskAsync("&limit=2&exclude_bought=false&repurchase_share=0.5");
        var bad = await admin.GetAsync($"/api/v1/recommendations?customer={customer}&repurchase_share=2");
        await using (var db = app.Db(store)) await ModelService.SaveTunedBlendAsync(db, store.StoreId, null, default);
        await models.SyncAsync(store.StoreId, default);

        Assert.Equal(["filters:ease", "mugs:bestsellers"], builtIn);
        Assert.Equal(["beans:buy_again", "grinder:buy_again", "filters:ease"], builtInWithReorders);   // 60% re-orders
        Assert.Equal(["mugs:bestsellers", "filters:bestsellers"], tuned);
        Assert.Equal(["beans:buy_again", "grinder:buy_again", "mugs:bestsellers"], tunedWithReorders);   // all re-orders, then the rest
        Assert.Equal(["beans:buy_again", "mugs:bestsellers"], halfAndHalf);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("repurchase_share", await bad.Content.ReadAsStringAsync());
        Assert.Equal(builtIn, await AskAsync("&limit=2"));
    }

    /// <summary>Places purchases through the tracking API: a customer and the item ids (named as themselves, 8 EUR each).</summary>
    private static Func<string, string[], Task> Orderer(HttpClient tracking)
    {
        var n = 0;
        return async (customer, items) => Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", $$"""
            {"event_id":"o{{n}}","name":"purchase","customer_id":"{{customer}}","transaction_id":"T{{n++}}","currency":"EUR",
             "items":[{{string.Join(",", items.Select(i => $$"""{"item_id":"{{i}}","item_name":"{{i}}","price":8}"""))}}]}
            """)).StatusCode);
    }

    [Fact]
    public async Task UnknownProduct_FallsBackToBestsellers_AndIsReportedToTheAdminKeyOnly()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);

        var body = await tracking.GetJsonAsync("/api/v1/recommendations?product=brand-new&limit=2");

        Assert.Empty(body.GetProperty("unknownProducts").EnumerateArray());
        Assert.Equal(["brand-new"], (await admin.GetJsonAsync("/api/v1/recommendations?product=brand-new&limit=2"))
            .GetProperty("unknownProducts").EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal("lamp", body.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal("bestsellers", body.GetProperty("items")[0].GetProperty("reason").GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task BadParameters_AreNamed()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        var response = await tracking.GetAsync("/api/v1/recommendations?strategy=magic&limit=0&min_price=-1&window=7d&customer=abc&category=Nowhere");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["category", "customer", "limit", "min_price", "strategy", "window"], errors);
    }

    [Fact]
    public async Task Widget_IsEscapedHtml_WithLabelledButtons_AndPublicHtmlIsCachedForAMinute()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        var response = await tracking.GetAsync("/api/v1/recommendations/widget?widget=product&product=mug&limit=2&title=%3Cscript%3E");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("class=\"cw-item\" data-id=\"plate\" data-name=\"plate &lt;b&gt;\" data-strategy=\"bought_together\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"&lt;script&gt;\"", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"button\" class=\"cw-add\" aria-label=\"Add to cart: plate &lt;b&gt;\">Add to cart</button>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Equal("public, max-age=60", response.Headers.CacheControl?.ToString());
        // A visitor's own list is never cached; an unknown widget is named.
        var personal = await tracking.GetAsync("/api/v1/recommendations/widget?widget=recently-viewed&anonymous_id=x");
        Assert.True(personal.Headers.CacheControl is { Private: true, NoStore: true }, personal.Headers.CacheControl?.ToString());
        var bad = await tracking.GetAsync("/api/v1/recommendations/widget?widget=carousel");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'carousel' is not one of cart, product, upsell", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpsellWidget_ShowsTheViewedProductBesideTheBetterOne_WithThePriceDifference()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        var html = await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=upsell&product=mug&upsell_ratio=3");

        Assert.Matches("<li class=\"cw-item cw-current\" data-id=\"mug\"[^>]*><span class=\"cw-tag\">You are viewing</span>", html);
        Assert.Matches("data-id=\"jug\".*<span class=\"cw-price\">25.00&#160;EUR</span><span class=\"cw-difference\">\\+15.00&#160;EUR</span>", html);
        Assert.True(html.IndexOf("data-id=\"mug\"", StringComparison.Ordinal) < html.IndexOf("data-id=\"jug\"", StringComparison.Ordinal));
        // Only better versions: no bestseller fills the row, and with none (the jug is 2.5 times the price) the widget is empty.
        Assert.DoesNotContain("data-strategy=\"bestsellers\"", html, StringComparison.Ordinal);
        Assert.StartsWith("<!-- cartwise: nothing to recommend here", await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=upsell&product=mug"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BundleWidget_ShowsTheSetWithItsCombinedPrice_AndOneAddAllButton()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        var html = await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=bundle&product=mug&limit=2&lang=pl-PL");

        var bundles = System.Text.RegularExpressions.Regex.Matches(html, "<li class=\"cw-bundle\" data-items=\"([^\"]+)\">(.*?)</button></li>");
        Assert.Equal(2, bundles.Count);
        // The strongest set first (mug + plate, 18 baskets), then mug + plate + jug (12); prices added, written the Polish way.
        Assert.Equal(["mug", "plate"], bundles[0].Groups[1].Value.Split(',').Order().ToArray());
        Assert.Contains("<p class=\"cw-bundle-price\">Razem: 20,00&#160;EUR</p>", bundles[0].Groups[2].Value, StringComparison.Ordinal);
        Assert.Equal(["jug", "mug", "plate"], bundles[1].Groups[1].Value.Split(',').Order().ToArray());
        Assert.Contains("<p class=\"cw-bundle-price\">Razem: 45,00&#160;EUR</p>", bundles[1].Groups[2].Value, StringComparison.Ordinal);
        Assert.Contains("<button type=\"button\" class=\"cw-add-all\">Dodaj wszystkie (3) do koszyka", bundles[1].Groups[2].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"cw-add\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreeShippingWidget_ShowsTheGap_AndItemsPricedToCrossIt()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);

        // No threshold anywhere: the widget says so in a comment and shows nothing.
        Assert.StartsWith("<!-- free-shipping: no threshold", await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=free-shipping&cart=mug"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/store/storefront", new StringContent(
            """{"clientRequestsPerMinute":600,"keyRequestsPerMinute":0,"freeShippingThreshold":40}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        // mug + plate from the catalogue: 20 of 40; the jug (25) alone crosses it, the lamp (10) would not.
        var html = await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=free-shipping&cart=mug,plate&limit=1");
        Assert.Contains("Add 20.00&#160;EUR more for free shipping.", html, StringComparison.Ordinal);
        Assert.Contains("role=\"progressbar\" aria-label=\"Towards free shipping\" aria-valuemin=\"0\" aria-valuemax=\"100\" aria-valuenow=\"50\"", html, StringComparison.Ordinal);
        Assert.Contains("Any one of these gets you there:", html, StringComparison.Ordinal);
        Assert.Contains("data-id=\"jug\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-id=\"lamp\"", html, StringComparison.Ordinal);
        // The script's own cart value (quantities the catalogue cannot know) and a threshold of the page's win.
        Assert.Contains("Your order ships free.", await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=free-shipping&cart=mug&cart_value=45"), StringComparison.Ordinal);
        Assert.Contains("Add 5.00&#160;EUR more", await tracking.GetStringAsync("/api/v1/recommendations/widget?widget=free-shipping&cart=mug&cart_value=45&threshold=50"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await tracking.GetAsync("/api/v1/recommendations/widget?widget=free-shipping&cart_value=-3")).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task NextPurchaseRules_SayWhatCustomersBuyNext_AndHowLongAfter(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "EUR");
        using var tracking = app.Tracking(store);
        var now = app.Clock.GetUtcNow();
        var n = 0;
        async Task Buy(string customer, double daysAgo, string item, string category)
        {
            var r = await tracking.PostJsonAsync("/api/v1/track", $$"""
                {"event_id":"n{{n}}","name":"purchase","customer_id":"{{customer}}","transaction_id":"N{{n++}}","currency":"EUR","timestamp":"{{now.AddDays(-daysAgo):O}}",
                 "items":[{"item_id":"{{item}}","item_name":"{{item}}","item_category":"{{category}}","price":10}]}
                """);
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }
        // Seed 000's sequence: a coffee machine, then coffee 9 and 11 days later; a third customer buys only the machine.
        await Buy("ann", 30, "MACHINE", "Kitchen > Machines");
        await Buy("ann", 21, "BEANS", "Kitchen > Coffee");
        await Buy("bob", 40, "MACHINE", "Kitchen > Machines");
        await Buy("bob", 29, "BEANS", "Kitchen > Coffee");
        await Buy("cat", 10, "MACHINE", "Kitchen > Machines");
        using var admin = app.Admin(store);

        var rules = (await admin.GetJsonAsync("/api/v1/rules/next?level=category")).GetProperty("items").EnumerateArray().ToList();
        var rule = Assert.Single(rules, r => r.GetProperty("antecedent").GetProperty("name").GetString() == "Kitchen > Machines");
        Assert.Equal("Kitchen > Coffee", rule.GetProperty("consequent").GetProperty("name").GetString());
        Assert.Equal(2, rule.GetProperty("support").GetInt32());
        Assert.Equal(Math.Round(2.0 / 3, 6), rule.GetProperty("confidence").GetDouble());
        Assert.Equal(10, rule.GetProperty("medianLagDays").GetDouble());
        // Two of the three customers bought coffee after their first order: lift (2/3) / (2/3) = 1.
        Assert.Equal(1, rule.GetProperty("lift").GetDouble(), 6);
        var products = (await admin.GetJsonAsync("/api/v1/rules/next?level=product&antecedent=MACHINE&minSupport=2")).GetProperty("items");
        Assert.Equal("BEANS", Assert.Single(products.EnumerateArray()).GetProperty("consequent").GetProperty("id").GetString());
        Assert.Empty((await admin.GetJsonAsync("/api/v1/rules/next?level=category&window=5d")).GetProperty("items").EnumerateArray());
        foreach (var (query, field) in new[] { ("level=brand", "level"), ("window=soon", "window"), ("minSupport=0", "minSupport"), ("sort=price", "sort") })
        {
            var bad = await admin.GetAsync("/api/v1/rules/next?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty(field, out var named), named.ToString());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await tracking.GetAsync("/api/v1/rules/next")).StatusCode);
    }

    [Fact]
    public async Task ThresholdStrategy_AnswersTheGapFillers_WithWhatRemainsToTheThreshold()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        // No threshold given or set: the parameter is named.
        var none = await tracking.GetAsync("/api/v1/recommendations?strategy=threshold&cart=mug");
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.True((await none.JsonAsync()).GetProperty("errors").TryGetProperty("threshold", out var named), named.ToString());

        // mug + plate: 20 of 40, 20 remain; the jug (25) alone covers it and comes first, the lamp (10) only after.
        var body = await tracking.GetJsonAsync("/api/v1/recommendations?strategy=threshold&cart=mug,plate&threshold=40&limit=2");
        Assert.Equal("threshold", body.GetProperty("strategy").GetString());
        var shipping = body.GetProperty("freeShipping");
        Assert.Equal((40m, 20m, 20m), (shipping.GetProperty("threshold").GetDecimal(), shipping.GetProperty("cartValue").GetDecimal(), shipping.GetProperty("remaining").GetDecimal()));
        Assert.Equal("jug", body.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal("cart", body.GetProperty("items")[0].GetProperty("reason").GetProperty("strategy").GetString());
        // A cart already above it: nothing remains.
        var over = await tracking.GetJsonAsync("/api/v1/recommendations?strategy=threshold&cart=mug&cart_value=45&threshold=40");
        Assert.Equal(0m, over.GetProperty("freeShipping").GetProperty("remaining").GetDecimal());
        Assert.Equal(HttpStatusCode.BadRequest, (await tracking.GetAsync("/api/v1/recommendations?strategy=threshold&cart=mug&threshold=lots")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await tracking.GetAsync("/api/v1/recommendations?strategy=thresholds&cart=mug")).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Rules_AreListedWithFigures_AndARebuildSwapsInNewOnes(Engine engine)
    {
        var (app, store) = await ShopAsync(engine);
        await using var _ = app;
        using var admin = app.Admin(store);
        var before = await admin.GetJsonAsync("/api/v1/rules?item=mug&sort=confidence");
        Assert.Contains(before.GetProperty("items").EnumerateArray(), r => r.GetProperty("consequent").GetProperty("id").GetString() == "plate"
            && r.GetProperty("confidence").GetDouble() == 1.0 && r.GetProperty("conviction").ValueKind == JsonValueKind.Null);
        Assert.DoesNotContain(before.GetProperty("items").EnumerateArray(), r => r.GetProperty("consequent").GetProperty("id").GetString() == "bulb");

        using var tracking = app.Tracking(store);
        var lampAndBulb = string.Join(",", Enumerable.Range(0, 15).Select(i => $$"""
            {"event_id":"lb{{i}}","name":"purchase","customer_id":"f{{i}}","transaction_id":"LB{{i}}","items":[{"item_id":"lamp","price":40},{"item_id":"bulb","price":3}]}
            """));
        await tracking.PostJsonAsync("/api/v1/track", "{\"events\":[" + lampAndBulb + "]}");
        var rebuild = await admin.PostAsync("/api/v1/models/rebuild", null);
        Assert.Equal(HttpStatusCode.OK, rebuild.StatusCode);

        var after = await admin.GetJsonAsync("/api/v1/rules?item=lamp");
        Assert.Contains(after.GetProperty("items").EnumerateArray(), r => r.GetProperty("consequent").GetProperty("id").GetString() == "bulb");
        var runs = await admin.GetJsonAsync("/api/v1/models");
        Assert.Equal(2, runs.GetProperty("items").GetArrayLength());
        Assert.Equal(53, runs.GetProperty("items")[0].GetProperty("baskets").GetInt32());
        var categoryRules = await admin.GetJsonAsync("/api/v1/rules?level=category");
        Assert.Equal(JsonValueKind.Array, categoryRules.GetProperty("items").ValueKind);
    }

    [Fact]
    public async Task RefundedLines_AreNotInBaskets()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);
        // Every jug is returned: mug+plate ⇒ jug must disappear after a rebuild.
        var refunds = string.Join(",", Enumerable.Range(0, 12).Select(i => $$"""{"event_id":"r{{i}}","name":"refund","customer_id":"c{{i}}","transaction_id":"T{{i}}","items":[{"item_id":"jug","quantity":1}]}"""));
        await tracking.PostJsonAsync("/api/v1/track", "{\"events\":[" + refunds + "]}");
        using var admin = app.Admin(store);
        await admin.PostAsync("/api/v1/models/rebuild", null);

        var rules = await admin.GetJsonAsync("/api/v1/rules?item=mug");

        Assert.DoesNotContain(rules.GetProperty("items").EnumerateArray(), r => r.GetProperty("consequent").GetProperty("id").GetString() == "jug");
    }
}
