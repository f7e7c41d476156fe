using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Customers;

public sealed class CustomerProfileTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task AnonymousHistory_JoinsTheProfile_WhenTheVisitorIsIdentified(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"v1","name":"view_item","anonymous_id":"cookie-9","items":[{"item_id":"p1"}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"v2","name":"add_to_cart","anonymous_id":"cookie-9","items":[{"item_id":"p1"}]}""");

        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"v3","name":"purchase","anonymous_id":"cookie-9","email":" Eve@Example.COM ","transaction_id":"T1","items":[{"item_id":"p1","price":3}]}""");

        var found = await admin.GetJsonAsync("/api/v1/customers?email=eve@example.com");
        var id = found.GetProperty("items")[0].GetProperty("id").GetInt64();
        var events = await admin.GetJsonAsync($"/api/v1/customers/{id}/events");
        Assert.Equal(["v3", "v2", "v1"], events.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("eventId").GetString()!).ToArray());
        var stats = await admin.GetJsonAsync("/api/v1/stats");
        Assert.Equal(1, stats.GetProperty("customers").GetInt32());
        Assert.Equal(0, stats.GetProperty("anonymousVisitors").GetInt32());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task TwoProfiles_FoundToBeOnePerson_MergeWithTheirHistory(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", country: "PL");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"a","name":"purchase","email":"ola@example.com","transaction_id":"T1","items":[{"item_id":"p1","price":3}]}""");
        app.Clock.Advance(TimeSpan.FromHours(1));
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"b","name":"view_item","phone":"600 100 200","language":"pl-PL","items":[{"item_id":"p2"}]}""");
        var byEmail = (await admin.GetJsonAsync("/api/v1/customers?email=ola@example.com")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var byPhone = (await admin.GetJsonAsync("/api/v1/customers?phone=%2B48600100200")).GetProperty("items")[0].GetProperty("id").GetInt64();
        Assert.NotEqual(byEmail, byPhone);

        app.Clock.Advance(TimeSpan.FromHours(1));
        // Two identified profiles become one only on the shop's word: a server-side event with the admin key.
        await admin.PostJsonAsync("/api/v1/track", """{"event_id":"c","name":"view_item","customer_id":"shop-42","email":"OLA@example.com","phone":"+48 600-100-200","items":[{"item_id":"p3"}]}""");

        var merged = await admin.GetJsonAsync($"/api/v1/customers/{byPhone}");
        var customer = merged.GetProperty("customer");
        Assert.Equal(byEmail, customer.GetProperty("id").GetInt64());
        Assert.Equal("shop-42", customer.GetProperty("customerId").GetString());
        Assert.Equal("+48600100200", customer.GetProperty("phone").GetString());
        Assert.Equal("pl-pl", customer.GetProperty("language").GetString());
        Assert.Equal(3, merged.GetProperty("eventCount").GetInt32());
        Assert.Single(merged.GetProperty("orders").EnumerateArray());
        var search = await admin.GetJsonAsync("/api/v1/customers?customer_id=shop-42");
        Assert.Single(search.GetProperty("items").EnumerateArray());
        var stats = await admin.GetJsonAsync("/api/v1/stats");
        Assert.Equal(1, stats.GetProperty("customers").GetInt32());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Consent_IsRecordedWithTimeAndSource_AndTheLanguageComesFromAcceptLanguage(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        tracking.DefaultRequestHeaders.Add("Accept-Language", "ro-RO,ro;q=0.9,en;q=0.5");
        using var admin = app.Admin(store);

        await tracking.PostJsonAsync("/api/v1/track", """{"name":"begin_checkout","email":"ion@example.ro","consent":"granted","items":[{"item_id":"p"}]}""");

        var c = (await admin.GetJsonAsync("/api/v1/customers?email=ion@example.ro")).GetProperty("items")[0];
        Assert.True(c.GetProperty("emailConsent").GetBoolean());
        Assert.Equal(TestApp.Start, c.GetProperty("emailConsentAt").GetDateTimeOffset());
        Assert.Equal("tracking:begin_checkout", c.GetProperty("emailConsentSource").GetString());
        Assert.Equal("ro-ro", c.GetProperty("language").GetString());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Erase_RemovesPersonalData_AndKeepsAnonymousOrderFacts(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"purchase","email":"gone@example.com","phone":"+351912345678","customer_id":"c-1","anonymous_id":"ck","transaction_id":"T5","items":[{"item_id":"p","price":40}]}""");
        var id = (await admin.GetJsonAsync("/api/v1/customers?email=gone@example.com")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var export = await admin.GetJsonAsync($"/api/v1/customers/{id}/export");
        Assert.Equal("gone@example.com", export.GetProperty("customer").GetProperty("email").GetString());
        Assert.Single(export.GetProperty("events").EnumerateArray());
        Assert.Single(export.GetProperty("orders").EnumerateArray());

        var erase = await admin.DeleteAsync($"/api/v1/customers/{id}");

        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        Assert.Empty((await admin.GetJsonAsync("/api/v1/customers?email=gone@example.com")).GetProperty("items").EnumerateArray());
        await using var db = app.Db(store);
        var payload = (await db.Events.SingleAsync()).Payload;
        Assert.DoesNotContain("gone@example.com", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("912345678", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("c-1", payload, StringComparison.Ordinal);
        Assert.Empty(await db.CustomerIdentities.ToListAsync());
        var order = await db.Orders.SingleAsync();
        Assert.Equal(40m, order.Value);
        Assert.Equal(id, order.CustomerId);
        // The person coming back later starts a new profile, not the erased one.
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","email":"gone@example.com","items":[{"item_id":"p"}]}""");
        var again = (await admin.GetJsonAsync("/api/v1/customers?email=gone@example.com")).GetProperty("items")[0].GetProperty("id").GetInt64();
        Assert.NotEqual(id, again);
    }
}
