using System.Net;
using System.Text;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Tracking;

public sealed class TrackingApiTests
{
    private static string Purchase(string eventId, string tx, string email, string item = "p1", decimal price = 12.5m, string? timestamp = null) =>
        $$"""
        {"event_id":"{{eventId}}","name":"purchase","email":"{{email}}","transaction_id":"{{tx}}","currency":"EUR",
         {{(timestamp is null ? "" : $"\"timestamp\":\"{timestamp}\",")}}
         "items":[{"item_id":"{{item}}","item_name":"Mug","item_category":"Kitchen","item_category2":"Mugs","price":{{price}},"quantity":2}]}
        """;

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_SameEventIdTwice_IsStoredOnce(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        var first = await tracking.PostJsonAsync("/api/v1/track", Purchase("ev-1", "T1", "Ann@Example.com"));
        var second = await tracking.PostJsonAsync("/api/v1/track", Purchase("ev-1", "T1", "Ann@Example.com"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("stored", (await first.JsonAsync()).GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("duplicate", (await second.JsonAsync()).GetProperty("results")[0].GetProperty("status").GetString());
        await using var db = app.Db(store);
        Assert.Equal(1, await db.Events.CountAsync());
        Assert.Equal(1, await db.Orders.CountAsync());
        var line = await db.OrderLines.SingleAsync();
        Assert.Equal(2, line.Quantity);
        Assert.Equal(12.5m, line.Price);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_EventWithoutId_SentTwice_IsStoredOnce(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        const string view = """{"name":"view_item","anonymous_id":"cookie-1","items":[{"item_id":"p9"}]}""";

        await tracking.PostJsonAsync("/api/v1/track", view);
        await tracking.PostJsonAsync("/api/v1/track", view);

        await using var db = app.Db(store);
        Assert.Equal(1, await db.Events.CountAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_BatchWithBadEvents_KeepsTheValidOnesAndNamesEachBadField(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var future = app.Clock.GetUtcNow().AddDays(2).ToString("O");
        var batch = $$"""
        {"events":[
          {{Purchase("ok-1", "T1", "a@example.com")}},
          {"event_id":"bad-1","name":"add_to_cart","anonymous_id":"x","items":[{"item_name":"no id"}]},
          {"event_id":"bad-2","name":"view_item","anonymous_id":"x","items":[{"item_id":"p1","price":-3}]},
          {"event_id":"bad-3","name":"purchase","email":"a@example.com","transaction_id":"T2","currency":"ZZZ","items":[{"item_id":"p1"}]},
          {"event_id":"bad-4","name":"view_item","email":"not-an-email","items":[{"item_id":"p1"}]},
          {"event_id":"bad-5","name":"view_item","anonymous_id":"x","timestamp":"{{future}}","items":[{"item_id":"p1"}]},
          {"event_id":"bad-6","name":"view_item","anonymous_id":"x","items":[{"item_id":"p1","quantity":"two"}]},
          {"event_id":"ok-2","name":"view_item","anonymous_id":"x","items":[{"item_id":"p2"}]}
        ]}
        """;

        var response = await tracking.PostJsonAsync("/api/v1/track", batch);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(6, body.GetProperty("rejected").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        string[] Fields(int i) => results[i].GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["events[1].items[0].item_id"], Fields(1));
        Assert.Equal(["events[2].items[0].price"], Fields(2));
        Assert.Equal(["events[3].currency"], Fields(3));
        Assert.Equal(["events[4].email"], Fields(4));
        Assert.Equal(["events[5].timestamp"], Fields(5));
        Assert.Equal(["events[6].items[0].quantity"], Fields(6));
        await using var db = app.Db(store);
        Assert.Equal(["ok-1", "ok-2"], await db.Events.OrderBy(e => e.EventId).Select(e => e.EventId).ToListAsync());
        Assert.Equal(1, await db.Orders.CountAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_SingleInvalidEvent_Is400ProblemJsonAndChangesNothing(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        var response = await tracking.PostJsonAsync("/api/v1/track", """{"name":"purchase","email":"a@example.com","items":[{"price":-1}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("items[0].item_id", out _));
        Assert.True(errors.TryGetProperty("items[0].price", out _));
        Assert.True(errors.TryGetProperty("transaction_id", out _));
        await using var db = app.Db(store);
        Assert.Equal(0, await db.Events.CountAsync());
        Assert.Equal(0, await db.Customers.CountAsync());
        Assert.Equal(0, await db.Products.CountAsync());
    }

    [Fact]
    public async Task Track_MalformedJson_Is400WithThePosition()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        var response = await tracking.PostJsonAsync("/api/v1/track", "{\"name\":");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("line 1", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Track_WrongJsonType_NamesTheField()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        var response = await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":{"item_id":"p"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Must be an array of items.", (await response.JsonAsync()).GetProperty("errors").GetProperty("items")[0].GetString());
    }

    [Fact]
    public async Task Track_BodyOver1MiB_Is413AndChangesNothing()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var name = new string('x', 1100);
        var events = Enumerable.Range(0, 1000).Select(i => $$$"""{"event_id":"e{{{i}}}","name":"view_item","anonymous_id":"a","items":[{"item_id":"p","item_name":"{{{name}}}"}]}""");
        var body = "{\"events\":[" + string.Join(",", events) + "]}";
        Assert.True(Encoding.UTF8.GetByteCount(body) > 1 << 20);

        var response = await tracking.PostJsonAsync("/api/v1/track", body);
        // Without Content-Length (chunked), the limit holds while reading. The server closes a connection whose body
        // it refused unread, so the second request goes on a connection of its own.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        chunked.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/track") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var second = app.Tracking(store);
        var chunkedResponse = await second.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
        await using var db = app.Db(store);
        Assert.Equal(0, await db.Events.CountAsync());
    }

    [Fact]
    public async Task Track_BatchOf1001_IsRefused()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var body = "{\"events\":[" + string.Join(",", Enumerable.Range(0, 1001).Select(i => $$"""{"event_id":"e{{i}}","name":"view_item","anonymous_id":"a","items":[{"item_id":"p"}]}""")) + "]}";

        var response = await tracking.PostJsonAsync("/api/v1/track", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 1000", (await response.JsonAsync()).GetProperty("errors").GetProperty("events")[0].GetString());
    }

    [Fact]
    public async Task Track_UnknownOrMissingKey_Is401_TheAdminKeyTracks()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var anonymous = app.Anonymous();
        using var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Add("X-Cartwise-Key", "nope");
        using var admin = app.Admin(store);
        var ev = Purchase("e1", "T1", "a@example.com");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/api/v1/track", ev)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostJsonAsync("/api/v1/track", ev)).StatusCode);
        // The admin key tracks too (a shop's server sending verified events).
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostJsonAsync("/api/v1/track", ev)).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_MeasurementProtocolBody_IsMappedToTheSameEvent(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var micros = app.Clock.GetUtcNow().AddMinutes(-5).ToUnixTimeMilliseconds() * 1000;
        var body = $$$"""
        {"client_id":"123.456","user_id":"cust-7","timestamp_micros":{{{micros}}},"user_data":{"email_address":"Mp@Example.com"},
         "events":[{"name":"purchase","params":{"transaction_id":"MP1","currency":"EUR","value":30,"items":[{"item_id":"sku-1","price":15,"quantity":2}]}}]}
        """;

        var response = await tracking.PostJsonAsync("/api/v1/track", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await using var db = app.Db(store);
        var e = await db.Events.SingleAsync();
        Assert.Equal("purchase", e.Name);
        Assert.Equal("123.456", e.AnonymousId);
        Assert.Equal(app.Clock.GetUtcNow().AddMinutes(-5).ToUnixTimeMilliseconds(), e.OccurredAt.ToUnixTimeMilliseconds());
        var customer = await db.Customers.SingleAsync();
        Assert.Equal("cust-7", customer.ExternalId);
        Assert.Equal("mp@example.com", customer.Email);
        var order = await db.Orders.Include(o => o.Lines).SingleAsync();
        Assert.Equal(30m, order.Value);
        Assert.Equal(customer.Id, order.CustomerId);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_BatchOfManyReturningVisitors_UpdatesEveryProfile(Engine engine)
    {
        // 40 known profiles in one commit: on PostgreSQL one statement over arrays updates them (a batch of statements below 32).
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        string Batch(DateTimeOffset at, Func<int, string> extra) => "{\"events\":[" + string.Join(",", Enumerable.Range(0, 40).Select(i =>
            $$"""{"name":"view_item","anonymous_id":"v{{i}}","timestamp":"{{at:O}}",{{extra(i)}}"items":[{"item_id":"p1"}]}""")) + "]}";
        var first = app.Clock.GetUtcNow().AddHours(-2);
        var later = app.Clock.GetUtcNow().AddHours(-1);

        Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", Batch(first, _ => ""))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted,
            (await tracking.PostJsonAsync("/api/v1/track", Batch(later, i => i % 2 == 0 ? "\"language\":\"de\"," : "\"consent\":false,"))).StatusCode);

        await using var db = app.Db(store);
        var profiles = await db.Customers.ToListAsync();
        Assert.Equal(40, profiles.Count);
        Assert.All(profiles, c => Assert.Equal((first, later), (c.CreatedAt, c.LastSeenAt)));
        Assert.Equal(20, profiles.Count(c => c.Language == "de" && c.EmailConsent is null));
        Assert.Equal(20, profiles.Count(c => c is { Language: null, EmailConsent: false, EmailConsentSource: "tracking:view_item" } && c.EmailConsentAt == later));
        Assert.Equal(80, await db.Events.CountAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_ProductsAndCategoryPathsFromEvents_AreUpserted(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"c1","item_name":"Chair","item_category":"Home > Furniture > Chairs","price":99}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"c1","item_name":"Oak chair","item_category":"Home","item_category2":"Furniture","item_category3":"Chairs","price":89}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"t1","item_name":"Table","item_category":"Home","item_category2":"Furniture","item_category3":"Tables"}]}""");

        await using var db = app.Db(store);
        var chair = await db.Products.Include(p => p.Category).SingleAsync(p => p.ExternalId == "c1");
        Assert.Equal("Oak chair", chair.Name);
        Assert.Equal(89m, chair.Price);
        Assert.Equal("Home > Furniture > Chairs", chair.Category!.Path);
        var paths = (await db.Categories.Select(c => c.Path + "@" + c.Level).ToListAsync()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Home > Furniture > Chairs@3", "Home > Furniture > Tables@3", "Home > Furniture@2", "Home@1"], paths);
        var tables = await db.Categories.SingleAsync(c => c.Path == "Home > Furniture > Tables");
        var furniture = await db.Categories.SingleAsync(c => c.Path == "Home > Furniture");
        Assert.Equal(furniture.Id, tables.ParentId);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_RefundOfSomeLines_MarksThemRefunded(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        await tracking.PostJsonAsync("/api/v1/track", """
            {"name":"purchase","customer_id":"c1","transaction_id":"T9","currency":"EUR",
             "items":[{"item_id":"a","price":10,"quantity":3},{"item_id":"b","price":5,"quantity":1}]}
            """);

        await tracking.PostJsonAsync("/api/v1/track", """{"name":"refund","customer_id":"c1","transaction_id":"T9","items":[{"item_id":"a","quantity":2}]}""");

        await using var db = app.Db(store);
        var order = await db.Orders.Include(o => o.Lines).ThenInclude(l => l.Product).SingleAsync();
        Assert.Equal(35m, order.Value);
        Assert.Equal(20m, order.RefundedValue);
        Assert.Equal(2, order.Lines.Single(l => l.Product!.ExternalId == "a").RefundedQuantity);
        Assert.Equal(0, order.Lines.Single(l => l.Product!.ExternalId == "b").RefundedQuantity);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_ManyConcurrentRequests_AllLandExactlyOnce(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        // 200 requests at once, each sent twice: the writer batches them and dedupes.
        var sends = Enumerable.Range(0, 200).SelectMany(i => new[] { i, i }).Select(i =>
            tracking.PostJsonAsync("/api/v1/track", $$"""{"event_id":"c{{i}}","name":"add_to_cart","anonymous_id":"v{{i % 17}}","items":[{"item_id":"p{{i % 13}}"}]}"""));
        var responses = await Task.WhenAll(sends);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        await using var db = app.Db(store);
        Assert.Equal(200, await db.Events.CountAsync());
        Assert.Equal(17, await db.Customers.CountAsync());
        Assert.Equal(13, await db.Products.CountAsync());
    }

    [Fact]
    public async Task Shutdown_WithRequestsInFlight_LosesNoAcceptedEvent()
    {
        var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var sends = Enumerable.Range(0, 300).Select(async i =>
        {
            try
            {
                var r = await tracking.PostJsonAsync("/api/v1/track", $$"""{"event_id":"s{{i}}","name":"view_item","anonymous_id":"v{{i}}","items":[{"item_id":"p"}]}""");
                return r.StatusCode == HttpStatusCode.Accepted ? $"s{i}" : null;
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException)
            {
                // Refused while the server stops (a connect can also fail straight from the socket): not accepted.
                return null;
            }
        }).ToList();

        await app.App.StopAsync();
        var accepted = (await Task.WhenAll(sends)).OfType<string>().ToHashSet();

        await using (var db = app.Db(store))
        {
            var stored = (await db.Events.Select(e => e.EventId).ToListAsync()).ToHashSet();
            Assert.Superset(accepted, stored);
        }
        await app.DisposeAsync();
    }
}
