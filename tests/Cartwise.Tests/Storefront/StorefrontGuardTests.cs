using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Storefront;

/// <summary>Which browser pages may use a store's tracking key, and how often anyone may.</summary>
public sealed class StorefrontGuardTests
{
    private const string Event = """{"name":"view_item","anonymous_id":"guard","items":[{"item_id":"mug"}]}""";

    /// <summary>An event of its own id from a page of <paramref name="origin"/> (null: a server's call, no Origin).</summary>
    private static HttpRequestMessage Track(string? origin)
    {
        var json = $$"""{"event_id":"{{Guid.NewGuid()}}","name":"view_item","anonymous_id":"guard","items":[{"item_id":"mug"}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/track") { Content = new StringContent(json, System.Text.Encoding.UTF8, "text/plain") };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    private static Task<HttpResponseMessage> PutStorefrontAsync(HttpClient admin, string json) =>
        admin.PutAsync("/api/v1/store/storefront", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    [Fact]
    public async Task ABrowserPage_MayUseTheKey_OnlyFromAnAllowedOrigin_AndARefusalStoresNothing()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("guarded");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);

        // None allowed by default: a page elsewhere is refused, and told where to allow it.
        var refused = await tracking.SendAsync(Track("https://shop.example"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("https://shop.example", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        // The shop's server sends no Origin; Cartwise's own pages are its own origin.
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.SendAsync(Track(null))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.SendAsync(Track(app.BaseAddress.GetLeftPart(UriPartial.Authority)))).StatusCode);

        var saved = await PutStorefrontAsync(admin, """{"allowedOrigins":["https://Shop.Example/","https://*.brand.example"],"clientRequestsPerMinute":600,"keyRequestsPerMinute":0,"freeShippingThreshold":50}""");
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("""["https://shop.example","https://*.brand.example"]""", (await saved.JsonAsync()).GetProperty("allowedOrigins").GetRawText());

        var allowed = await tracking.SendAsync(Track("https://shop.example"));
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Equal("https://shop.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", allowed.Headers.Vary);
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.SendAsync(Track("https://www.brand.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tracking.SendAsync(Track("https://brand.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tracking.SendAsync(Track("https://evilbrand.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tracking.SendAsync(Track("http://shop.example"))).StatusCode);

        // A preflight with the key in the query is answered for the store's origins only.
        using var anonymous = app.Anonymous();
        var preflight = new HttpRequestMessage(HttpMethod.Options, $"/api/v1/recommendations?key={store.TrackingKey}");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-cartwise-key");
        var answer = await anonymous.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("https://shop.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var other = new HttpRequestMessage(HttpMethod.Options, $"/api/v1/track?key={store.TrackingKey}");
        other.Headers.Add("Origin", "https://elsewhere.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(other)).StatusCode);

        await using var db = app.Db(store);
        // The four accepted calls stored their events; the five refused ones nothing.
        Assert.Equal(4, await db.Events.CountAsync());
    }

    [Fact]
    public async Task StorefrontSettings_WithABadOrigin_OrANegativeLimit_NameTheField_AndChangeNothing()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("settings");
        using var admin = app.Admin(store);

        var bad = await PutStorefrontAsync(admin, """{"allowedOrigins":["https://shop.example/cart"],"clientRequestsPerMinute":10,"keyRequestsPerMinute":10}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var body = await bad.Content.ReadAsStringAsync();
        Assert.Contains("allowedOrigins", body, StringComparison.Ordinal);
        Assert.Contains("'https://shop.example/cart' is not an origin", body, StringComparison.Ordinal);
        Assert.Contains("clientRequestsPerMinute", await (await PutStorefrontAsync(admin, """{"clientRequestsPerMinute":-1,"keyRequestsPerMinute":0}""")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var view = await admin.GetJsonAsync("/api/v1/store");
        Assert.Equal(0, view.GetProperty("allowedOrigins").GetArrayLength());
        Assert.Equal(600, view.GetProperty("clientRequestsPerMinute").GetInt32());
    }

    [Fact]
    public async Task OverTheLimit_Answers429_WithRetryAfter_ForThatStoreOnly_AndNeverTheAdminKey()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var limited = await app.CreateStoreAsync("limited");
        var free = await app.CreateStoreAsync("free");
        using var admin = app.Admin(limited);
        Assert.Equal(HttpStatusCode.OK, (await PutStorefrontAsync(admin, """{"clientRequestsPerMinute":3,"keyRequestsPerMinute":0}""")).StatusCode);
        using var tracking = app.Tracking(limited);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", $$"""{"event_id":"lim-{{i}}","name":"view_item","anonymous_id":"a","items":[{"item_id":"x"}]}""")).StatusCode);
        var over = await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"lim-over","name":"view_item","anonymous_id":"a","items":[{"item_id":"x"}]}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        var after = over.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(after, 1, 60);
        Assert.Contains("3 storefront requests a minute from one address", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Recommendations count too; the other store and the admin key do not.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await tracking.GetAsync("/api/v1/recommendations?strategy=bestsellers")).StatusCode);
        using var other = app.Tracking(free);
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostJsonAsync("/api/v1/track", Event)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/recommendations?strategy=bestsellers")).StatusCode);

        await using var db = app.Db(limited);
        Assert.False(await db.Events.AnyAsync(e => e.EventId == "lim-over"));

        // All clients together: a per-key limit of 2.
        Assert.Equal(HttpStatusCode.OK, (await PutStorefrontAsync(app.Admin(free), """{"clientRequestsPerMinute":0,"keyRequestsPerMinute":2}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostJsonAsync("/api/v1/track", Event)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await other.PostJsonAsync("/api/v1/track", Event)).StatusCode);
        var overKey = await other.PostJsonAsync("/api/v1/track", Event);
        Assert.Equal(HttpStatusCode.TooManyRequests, overKey.StatusCode);
        Assert.Contains("2 from all addresses together", await overKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
