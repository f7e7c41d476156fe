using System.Net;
using System.Text;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Tracking;

/// <summary>
/// A GA4 Measurement Protocol client pointed at Cartwise: the bodies of Google's reference examples, sent as such a
/// client sends them (no custom header, the key as <c>api_secret</c>).
/// </summary>
public sealed class MeasurementProtocolTests
{
    // Google's reference examples (Measurement Protocol, "Send events"), with the storefront's cookie id as client_id.
    private const string Purchase = """
        {"client_id":"1234567.7654321","user_id":"C-77",
         "events":[{"name":"purchase","params":{"currency":"USD","value":30.03,"transaction_id":"T_12345","coupon":"SUMMER_FUN","shipping":3.33,"tax":1.11,
           "items":[{"item_id":"SKU_12345","item_name":"Stan and Friends Tee","item_brand":"Google","item_category":"Apparel","item_category2":"Adult","price":10.01,"quantity":3}]}}]}
        """;

    private const string AddToCart = """
        {"client_id":"1234567.7654321",
         "events":[{"name":"add_to_cart","params":{"currency":"USD","value":7.77,"items":[{"item_id":"SKU_12346","item_name":"Google Grey Women's Tee","price":7.77,"quantity":1}]}}]}
        """;

    private const string UserData = """
        {"client_id":"998877.112233",
         "user_data":{"sha256_email_address":["yourEmailSha256Variable"],"sha256_phone_number":["yourPhoneSha256Variable"],
           "address":[{"sha256_first_name":"yourFirstNameSha256Variable","city":"Mountain View","region":"CA","postal_code":"94043","country":"US"}]},
         "events":[{"name":"page_view","params":{}}]}
        """;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Theory, ClassData(typeof(Engines))]
    public async Task A_server_side_purchase_is_stored_as_tracking_stores_it_and_joins_the_visitors_session(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", currency: "USD");
        using var tracking = app.Tracking(store);
        // The storefront script saw the visitor first, under its cookie id: the shop's server reads it and sends it as client_id.
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track",
            """{"name":"view_item","anonymous_id":"1234567.7654321","items":[{"item_id":"SKU_12345"}]}""")).StatusCode);

        using var client = app.Anonymous();
        var url = $"/mp/collect?measurement_id=G-TEST123&api_secret={store.TrackingKey}";
        var first = await client.PostAsync(url, Json(Purchase));
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Empty(await first.Content.ReadAsByteArrayAsync());
        // The same body again (a client's retry): still one order and one event.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(url, Json(Purchase))).StatusCode);

        await using var db = app.Db(store);
        var order = await db.Orders.Include(o => o.Lines).SingleAsync();
        Assert.Equal(("T_12345", 30.03m, "USD", "SUMMER_FUN", 3.33m, 1.11m), (order.ExternalId, order.Value, order.Currency, order.Coupon, order.Shipping, order.Tax));
        Assert.Equal((3, 10.01m), (order.Lines.Single().Quantity, order.Lines.Single().Price));
        var purchase = await db.Events.SingleAsync(e => e.Name == "purchase");
        Assert.Contains("\"measurement_id\":\"G-TEST123\"", purchase.Payload, StringComparison.Ordinal);
        var view = await db.Events.SingleAsync(e => e.Name == "view_item");
        Assert.Equal(view.CustomerId, purchase.CustomerId);
        Assert.Equal(view.CustomerId, order.CustomerId);
        Assert.Equal("C-77", (await db.Customers.SingleAsync(c => c.Id == order.CustomerId)).ExternalId);
        Assert.Equal(2, await db.Events.CountAsync());
    }

    [Fact]
    public async Task The_key_may_come_in_the_header_a_wrong_key_is_refused_and_bad_bodies_name_their_fields()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", currency: "USD");
        using var client = app.Anonymous();

        using var tracking = app.Tracking(store);
        Assert.Equal(HttpStatusCode.NoContent, (await tracking.PostAsync("/mp/collect?measurement_id=G-TEST123", Json(AddToCart))).StatusCode);
        // Hashed user data is left alone (Cartwise keeps plain addresses only); the event still counts for its visitor.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/mp/collect?api_secret={store.TrackingKey}", Json(UserData))).StatusCode);

        // Google accepts anything silently; Cartwise says no, so a misconfigured client is noticed.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/mp/collect?measurement_id=G-TEST123&api_secret=wrong", Json(AddToCart))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/mp/collect?measurement_id=G-TEST123", Json(AddToCart))).StatusCode);
        // The tracking key's ?key= of sendBeacon is not the Measurement Protocol's way; the admin key never comes in a query.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync($"/mp/collect?key={store.TrackingKey}", Json(AddToCart))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync($"/mp/collect?api_secret={store.AdminKey}", Json(AddToCart))).StatusCode);

        var url = $"/mp/collect?measurement_id=G-TEST123&api_secret={store.TrackingKey}";
        var noId = await client.PostAsync(url, Json("""{"client_id":"1.2","events":[{"name":"add_to_cart","params":{"items":[{"item_name":"no id"}]}}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, noId.StatusCode);
        Assert.Contains("events[0].items[0].item_id", await noId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var malformed = await client.PostAsync(url, Json("""{"client_id":"1.2","events":[{"name":"""));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/mp/collect?measurement_id=G%20bad%3B&api_secret={store.TrackingKey}", Json(AddToCart))).StatusCode);
        // One good, one bad event: the good one is stored, and the answer (2xx) says what became of each.
        var mixed = await client.PostAsync(url, Json("""{"client_id":"1.3","events":[{"name":"view_item","params":{"items":[{"item_id":"A"}]}},{"name":"teleport","params":{}}]}"""));
        Assert.Equal(HttpStatusCode.Accepted, mixed.StatusCode);
        Assert.Equal(1, (await mixed.JsonAsync()).GetProperty("rejected").GetInt32());

        await using var db = app.Db(store);
        Assert.Equal(["add_to_cart", "page_view", "view_item"], await db.Events.OrderBy(e => e.Name).Select(e => e.Name).ToListAsync());
    }

    [Fact]
    public async Task The_validation_server_answers_in_Googles_shape_and_stores_nothing()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", currency: "USD");
        using var client = app.Anonymous();
        var url = $"/debug/mp/collect?measurement_id=G-TEST123&api_secret={store.TrackingKey}";

        var valid = await client.PostAsync(url, Json(Purchase));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(0, (await valid.JsonAsync()).GetProperty("validationMessages").GetArrayLength());

        var bad = await client.PostAsync(url, Json("""
            {"client_id":"1.2","events":[{"name":"purchase","params":{"currency":"XYZ","items":[{"item_name":"no id","quantity":1}]}},{"name":"teleport","params":{}}]}
            """));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var messages = (await bad.JsonAsync()).GetProperty("validationMessages").EnumerateArray()
            .Select(m => (Path: m.GetProperty("fieldPath").GetString(), Code: m.GetProperty("validationCode").GetString(), Text: m.GetProperty("description").GetString())).ToList();
        Assert.Contains(messages, m => m is { Path: "events[0].params.items[0].item_id", Code: "VALUE_REQUIRED" });
        Assert.Contains(messages, m => m is { Path: "events[0].params.transaction_id", Code: "VALUE_REQUIRED" });
        Assert.Contains(messages, m => m.Path == "events[0].params.currency" && m.Code == "VALUE_INVALID" && m.Text!.Contains("XYZ", StringComparison.Ordinal));
        Assert.Contains(messages, m => m is { Path: "events[1].name", Code: "NAME_INVALID" });

        var malformed = await client.PostAsync(url, Json("{\"client_id\":"));
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        Assert.StartsWith("The body is not valid JSON", (await malformed.JsonAsync()).GetProperty("validationMessages")[0].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/debug/mp/collect?api_secret=wrong", Json(Purchase))).StatusCode);

        await using var db = app.Db(store);
        Assert.Equal(0, await db.Events.CountAsync());
        Assert.Equal(0, await db.Orders.CountAsync());
    }
}
