using System.Net;
using System.Text.Json;
using Cartwise.Tests.Infrastructure;

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
    public async Task Widget_IsEscapedHtml()
    {
        var (app, store) = await ShopAsync(Engine.Sqlite);
        await using var _ = app;
        using var tracking = app.Tracking(store);

        var response = await tracking.GetAsync("/api/v1/recommendations/widget?product=mug&limit=2&title=%3Cscript%3E");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("class=\"cw-rec\" data-id=\"plate\"", html);
        Assert.Contains("plate &lt;b&gt;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>", html);
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
