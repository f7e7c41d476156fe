using System.Text.Json;
using Cartwise.Core.Tracking;

namespace Cartwise.Core.Tests.Tracking;

public sealed class EventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ParseContext Context = new(Now, "PL", null);

    private static ParsedBody Parse(string json, ParseContext? context = null) =>
        EventParser.ParseBody(JsonDocument.Parse(json).RootElement, context ?? Context);

    [Fact]
    public void FlatPurchase_IsReadWithEveryGa4Field()
    {
        var body = Parse("""
            {"event_id":"e1","name":"purchase","timestamp":"2026-05-01T10:00:00+02:00","customer_id":42,"email":"A@B.pl","phone":"600100200",
             "anonymous_id":"ck","language":"pl-PL","consent":true,"transaction_id":"T1","value":"99.90","currency":"pln","coupon":"HELLO",
             "shipping":9.9,"tax":0,"utm_source":"newsletter","utm_medium":"email","utm_campaign":"spring",
             "items":[{"item_id":"sku1","item_name":"Kubek","item_category":"Dom","item_category2":"Kuchnia","item_brand":"Acme","item_variant":"red","price":45,"quantity":2}]}
            """);

        var e = Assert.Single(body.Events).Event!;
        Assert.False(body.IsBatch);
        Assert.Equal("purchase", e.Name);
        Assert.Equal("e1", e.EventId);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal(new EventIdentity("42", "a@b.pl", "+48600100200", "ck"), e.Identity);
        Assert.Equal("pl-pl", e.Language);
        Assert.True(e.EmailConsent);
        Assert.Equal(99.90m, e.Value);
        Assert.Equal("PLN", e.Currency);
        Assert.Equal(new Utm("newsletter", "email", "spring"), e.Utm);
        var item = Assert.Single(e.Items);
        Assert.Equal("Dom > Kuchnia", item.CategoryPath);
        Assert.Equal(("sku1", "Acme", "red", 45m, 2), (item.ItemId, item.Brand, item.Variant, item.Price, item.Quantity));
    }

    [Fact]
    public void PurchaseWithoutValue_TakesTheSumOfItemsShippingAndTax()
    {
        var e = Parse("""{"name":"purchase","anonymous_id":"a","transaction_id":"T","shipping":5,"items":[{"item_id":"a","price":2.5,"quantity":4},{"item_id":"b","price":1}]}""").Events[0].Event!;
        Assert.Equal(16m, e.Value);
    }

    [Fact]
    public void EventWithoutId_GetsAStableIdFromItsContent()
    {
        const string json = """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"x"}]}""";
        var a = Parse(json).Events[0].Event!.EventId;
        var b = Parse(json).Events[0].Event!.EventId;
        var c = Parse(json.Replace("\"x\"", "\"y\"", StringComparison.Ordinal)).Events[0].Event!.EventId;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("""{"name":"view_item","anonymous_id":"a","items":[{"item_name":"x"}]}""", "items[0].item_id")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","items":[{"item_id":"x","price":-1}]}""", "items[0].price")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","items":[{"item_id":"x","price":"cheap"}]}""", "items[0].price")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","items":[{"item_id":"x","quantity":1.5}]}""", "items[0].quantity")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","currency":"EURO","items":[{"item_id":"x"}]}""", "currency")]
    [InlineData("""{"name":"view_item","email":"nope@","items":[{"item_id":"x"}]}""", "email")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","timestamp":"2026-05-03T00:00:00Z","items":[{"item_id":"x"}]}""", "timestamp")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","timestamp":"yesterday","items":[{"item_id":"x"}]}""", "timestamp")]
    [InlineData("""{"name":"view_item","anonymous_id":["a"],"items":[{"item_id":"x"}]}""", "anonymous_id")]
    [InlineData("""{"name":"add_payment_info","anonymous_id":"a"}""", "name")]
    [InlineData("""{"anonymous_id":"a"}""", "name")]
    [InlineData("""{"name":"view_item","items":[{"item_id":"x"}]}""", "anonymous_id")]
    [InlineData("""{"name":"view_item","anonymous_id":"a"}""", "items")]
    [InlineData("""{"name":"refund","anonymous_id":"a"}""", "transaction_id")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","consent":"maybe","items":[{"item_id":"x"}]}""", "consent")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","items":"x"}""", "items")]
    public void BadField_IsNamedAndTheEventRejected(string json, string field)
    {
        var e = Assert.Single(Parse(json).Events);
        Assert.False(e.IsValid);
        Assert.Contains(field, e.Errors.Keys);
    }

    [Fact]
    public void Batch_ReportsEachEventUnderItsIndex()
    {
        var body = Parse("""{"events":[{"name":"view_item","anonymous_id":"a","items":[{"item_id":"x"}]},{"name":"view_item","anonymous_id":"a","items":[{}]}]}""");
        Assert.True(body.IsBatch);
        Assert.True(body.Events[0].IsValid);
        Assert.Equal(["events[1].items[0].item_id"], body.Events[1].Errors.Keys);
    }

    [Fact]
    public void Batch_Over1000_IsABodyError()
    {
        var body = Parse("{\"events\":[" + string.Join(",", Enumerable.Repeat("{}", 1001)) + "]}");
        Assert.Empty(body.Events);
        Assert.Contains("events", body.BodyErrors.Keys);
    }

    [Fact]
    public void MeasurementProtocol_MapsClientUserTimestampAndUserData()
    {
        var micros = Now.AddMinutes(-1).ToUnixTimeMilliseconds() * 1000;
        var body = Parse($$$"""
            {"client_id":"c.1","user_id":"u1","timestamp_micros":{{{micros}}},"user_data":{"email_address":"X@Y.com","phone_number":"+48600100200"},
             "events":[{"name":"add_to_cart","params":{"currency":"PLN","items":[{"item_id":"s"}]}},{"name":"view_item","params":{"items":[{"item_id":"t"}],"email":"other@y.com"}}]}
            """);
        var first = body.Events[0].Event!;
        Assert.Equal(new EventIdentity("u1", "x@y.com", "+48600100200", "c.1"), first.Identity);
        Assert.Equal(Now.AddMinutes(-1), first.Timestamp);
        Assert.Equal("other@y.com", body.Events[1].Event!.Identity.Email);
    }

    [Fact]
    public void Language_FallsBackToAcceptLanguage()
    {
        var e = Parse("""{"name":"view_item","anonymous_id":"a","items":[{"item_id":"x"}]}""", Context with { FallbackLanguage = "pt-BR,pt;q=0.9" }).Events[0].Event!;
        Assert.Equal("pt-br", e.Language);
    }

    [Fact]
    public void NotAnObject_IsABodyError() => Assert.Contains("", Parse("[1,2]").BodyErrors.Keys);

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1999-12-31T23:59:59Z")]
    public void Timestamp_BeforeTheYear2000_IsRejectedNamingTheField(string timestamp)
    {
        var e = Assert.Single(Parse($$"""{"name":"view_item","anonymous_id":"a","timestamp":"{{timestamp}}","items":[{"item_id":"p"}]}""").Events);

        Assert.False(e.IsValid);
        Assert.Contains("before 2000-01-01", Assert.Single(e.Errors["timestamp"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"view_item","anonymous_id":"\ud800","items":[{"item_id":"a"}]}""", "anonymous_id")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","items":[{"item_id":"a","item_name":"x\udfff"}]}""", "items[0].item_name")]
    [InlineData("""{"name":"view_item","anonymous_id":"a","extra":{"deep":["ok","\ud83d"]},"items":[{"item_id":"a"}]}""", "extra.deep[1]")]
    [InlineData("""{"name":"view_item","anonymous_id":"nul\u0000","items":[{"item_id":"a"}]}""", "anonymous_id")]
    public void Strings_ThatAreNotStorableText_RejectTheEventNamingTheField(string json, string field)
    {
        var e = Assert.Single(Parse(json).Events);

        Assert.False(e.IsValid);
        Assert.Equal(field, Assert.Single(e.Errors.Keys));
    }

    [Fact]
    public void InvalidUtf8_InOneEventOfABatch_RejectsThatEventOnly()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("""{"events":[{"name":"view_item","anonymous_id":"XX","items":[{"item_id":"a"}]},{"name":"view_item","anonymous_id":"good","items":[{"item_id":"a"}]}]}""");
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xff;
        bytes[at + 1] = 0xfe;

        var body = EventParser.ParseBody(JsonDocument.Parse(bytes).RootElement, Context);

        Assert.Equal("events[0].anonymous_id", Assert.Single(body.Events[0].Errors.Keys));
        Assert.True(body.Events[1].IsValid);
    }

    [Fact]
    public void MeasurementProtocol_BadStringOutsideTheEvents_IsABodyError()
    {
        var body = Parse("""{"client_id":"\ud800","events":[{"name":"view_item","params":{"items":[{"item_id":"a"}]}}]}""");

        Assert.Empty(body.Events);
        Assert.Equal("client_id", Assert.Single(body.BodyErrors.Keys));
    }

    [Fact]
    public void Stored_items_are_read_as_they_were_accepted()
    {
        // Whitespace around an id, a numeric id, a blank id and a non-object item, as a storefront may send them.
        const string payload = """{"name":"view_item","items":[{"item_id":" 85123A "},{"item_id":22423},{"item_id":"  "},7,{"item_name":"no id"}]}""";
        Assert.Equal(["85123A", "22423"], EventParser.ItemIds(payload));
        Assert.Empty(EventParser.ItemIds("not json"));
        Assert.Empty(EventParser.ItemIds("""{"items":{"item_id":"A"}}"""));
    }
}
