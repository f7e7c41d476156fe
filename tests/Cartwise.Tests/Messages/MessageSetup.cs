using System.Net;
using Cartwise.Messages;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Messages;

/// <summary>Builders for message tests: senders, messages, customers with consent, outbox rows.</summary>
public static class MessageSetup
{
    public const string PostPurchase = """
        {"name":"Thanks","defaultLanguage":"en","senderId":SENDER,"coupon":COUPON,
         "variants":[
          {"language":"en","subject":"Thanks {{ customer.first_name }}","preheader":"Order {{ order.id }}","blocks":[
            {"type":"heading","text":"Thank you {{ customer.first_name }}"},
            {"type":"purchased"},
            {"type":"recommended","title":"You may also like","limit":2},
            BLOCKS
            {"type":"button","text":"Shop again","url":"https://shop.example/"},
            {"type":"footer"}]},
          {"language":"pl","subject":"Dziękujemy {{ customer.first_name }}","preheader":null,"blocks":[
            {"type":"heading","text":"Dziękujemy"},{"type":"purchased"},BLOCKS{"type":"footer","text":"Wypisz się"}]}]}
        """;

    public static string Message(long senderId, string coupon = """{"mode":"none"}""", bool couponBlock = false) =>
        PostPurchase.Replace("SENDER", senderId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("COUPON", coupon, StringComparison.Ordinal)
            .Replace("BLOCKS", couponBlock ? """{"type":"coupon","title":"Your code","text":"Valid until {{ coupon.expires_on }}"},""" : "", StringComparison.Ordinal);

    public static async Task<long> SenderAsync(HttpClient admin)
    {
        var r = await admin.PostJsonAsync("/api/v1/senders", """{"name":"Shop","fromAddress":"hello@shop.example","replyTo":"care@shop.example"}""");
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.JsonAsync()).GetProperty("id").GetInt64();
    }

    public static async Task<long> MessageAsync(HttpClient admin, string json)
    {
        var r = await admin.PostJsonAsync("/api/v1/messages", json);
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("id").GetInt64();
    }

    /// <summary>A customer made by a tracked purchase (with email consent as given); returns the profile id.</summary>
    public static async Task<long> BuyerAsync(TestApp app, CreatedStore store, string email, string tx, bool consent = true, string? language = "en",
        string item = "SKU-1", string? coupon = null, DateTimeOffset? at = null)
    {
        using var tracking = app.Tracking(store);
        var when = (at ?? app.Clock.GetUtcNow()).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var json = $$"""
            {"event_id":"{{tx}}","name":"purchase","email":"{{email}}","consent":{{(consent ? "true" : "false")}},"language":{{(language is null ? "null" : $"\"{language}\"")}},
             "timestamp":"{{when}}","transaction_id":"{{tx}}","currency":"EUR","value":40,{{(coupon is null ? "" : $"\"coupon\":\"{coupon}\",")}}
             "items":[{"item_id":"{{item}}","item_name":"Coffee maker {{item}}","item_category":"Kitchen","price":40,"quantity":1}]}
            """;
        var r = await tracking.PostJsonAsync("/api/v1/track", json);
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
        await using var db = app.Db(store);
        var lower = email.ToLowerInvariant();
        var id = await db.Customers.Where(c => c.Email == lower && c.MergedIntoId == null).Select(c => c.Id).SingleAsync();
        await db.Customers.Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.FirstName, email.Split('@')[0]));
        return id;
    }

    /// <summary>Queues a message for a customer as a scenario would.</summary>
    public static async Task<OutboxMessage> EnqueueAsync(TestApp app, CreatedStore store, long messageId, long customerId, string key, long? orderId = null)
    {
        await using var db = app.Db(store);
        var email = await db.Customers.Where(c => c.Id == customerId).Select(c => c.Email!).SingleAsync();
        orderId ??= await db.Orders.Where(o => o.CustomerId == customerId).OrderByDescending(o => o.PlacedAt).Select(o => (long?)o.Id).FirstOrDefaultAsync();
        var row = new OutboxMessage { StoreId = store.StoreId, Key = key, MessageId = messageId, CustomerId = customerId, Email = email, OrderId = orderId,
            DueAt = app.Clock.GetUtcNow(), CreatedAt = app.Clock.GetUtcNow() };
        Assert.True(await OutboxWriter.EnqueueAsync(db, row, app.Clock.GetUtcNow(), CancellationToken.None));
        return row;
    }

    public static Task<int> PassAsync(this TestApp app) => app.App.Services.GetRequiredService<OutboxService>().PassAsync(CancellationToken.None);

    public static async Task<OutboxMessage> RowAsync(TestApp app, CreatedStore store, long id)
    {
        await using var db = app.Db(store);
        return await db.Outbox.AsNoTracking().SingleAsync(o => o.Id == id);
    }

    /// <summary>The href of the first link in the HTML part whose URL contains <paramref name="part"/>.</summary>
    public static string Link(MimeKit.MimeMessage m, string part)
    {
        var html = m.HtmlBody ?? "";
        var i = html.IndexOf(part, StringComparison.Ordinal);
        Assert.True(i >= 0, $"no link with '{part}'");
        var start = html.LastIndexOf('"', i) + 1;
        return WebUtility.HtmlDecode(html[start..html.IndexOf('"', i)]);
    }
}
