using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Messages;
using Cartwise.Core.Recommendations;
using Cartwise.Data;
using Cartwise.Recommendations;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Cartwise.Messages;

/// <summary>
/// What to render a message for: a customer (or sample data), a triggering order and products, a coupon; and what
/// the scenario's rule asks RECOMMENDED blocks to show (a strategy, categories), when the message comes from one.
/// <see cref="Customer"/>: the recipient's profile when the caller has read it already.
/// </summary>
public sealed record ComposeInput(
    long? CustomerId,
    string Email,
    string? Language,
    long? OrderId,
    IReadOnlyList<long> Products,
    CouponModel? Coupon,
    MessageLinks Links,
    bool Sample = false,
    string? Strategy = null,
    IReadOnlyList<long>? RecommendCategories = null,
    RenderCustomer? Customer = null);

/// <summary>
/// What the composer reads from the database for a batch of recipients, read once for the batch (one query for the
/// orders, one for the purchase histories) instead of once per message: every order and customer asked for is in it.
/// </summary>
public sealed class ComposeData
{
    internal ComposeData(IReadOnlyDictionary<long, ComposeOrder?> orders, IReadOnlyDictionary<long, PurchaseHistory> histories) =>
        (Orders, Histories) = (orders, histories);

    internal IReadOnlyDictionary<long, ComposeOrder?> Orders { get; }
    internal IReadOnlyDictionary<long, PurchaseHistory> Histories { get; }
}

/// <summary>A triggering order as a message shows it: its lines in order.</summary>
internal sealed class ComposeOrder
{
    public long Id { get; init; }
    public required string ExternalId { get; init; }
    public decimal Value { get; init; }
    public required string Currency { get; init; }
    public DateTimeOffset PlacedAt { get; init; }
    public required List<ComposeLine> Lines { get; init; }
}

internal sealed record ComposeLine(long ProductId, int Quantity, decimal Price);

/// <summary>A message's stored fields with its variants parsed.</summary>
public sealed record LoadedMessage(Message Message, IReadOnlyList<MessageVariant> Variants, Sender? Sender);

/// <summary>
/// Turns a message and a recipient into a rendered message and a MIME message: loads the customer, the triggering
/// order and products, asks the recommendation model for RECOMMENDED and BESTSELLERS blocks, and renders through the
/// shared <see cref="MessageRenderer"/> (templates parsed once). Rendering, queueing (<see cref="OutboxService"/>)
/// and delivery (<see cref="IMailTransport"/>) are kept apart. Thread-safe.
/// </summary>
public sealed class MessageComposer(ModelService models, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = StoredJson.Options;

    private readonly ConcurrentDictionary<(long Id, DateTimeOffset Updated), IReadOnlyList<MessageVariant>> _variants = new();

    public MessageRenderer Renderer { get; } = new();

    public IReadOnlyList<MessageVariant> Variants(Message m) =>
        _variants.GetOrAdd((m.Id, m.UpdatedAt), _ => JsonSerializer.Deserialize<List<MessageVariant>>(m.Variants, Json) ?? []);

    public async Task<LoadedMessage?> LoadAsync(CartwiseDb db, long messageId, CancellationToken ct)
    {
        var m = await db.Messages.AsNoTracking().SingleOrDefaultAsync(x => x.Id == messageId, ct);
        if (m is null) return null;
        var sender = m.SenderId is { } sid ? await db.Senders.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sid, ct) : null;
        return new LoadedMessage(m, Variants(m), sender);
    }

    /// <summary>Reads the orders and purchase histories that messages for these orders and customers show, one query each.</summary>
    public static async Task<ComposeData> LoadDataAsync(CartwiseDb db, IEnumerable<long> orderIds, IEnumerable<long> customerIds, CancellationToken ct) =>
        new(await OrdersAsync(db, orderIds.Distinct().ToList(), ct), await PurchaseHistory.LoadManyAsync(db, customerIds, ct));

    /// <summary>Orders with their lines in order, in plain SQL (an EF projection with a nested list cost more than the rows); null for an id not found.</summary>
    private static async Task<Dictionary<long, ComposeOrder?>> OrdersAsync(CartwiseDb db, List<long> ids, CancellationToken ct)
    {
        var orders = ids.ToDictionary(id => id, _ => (ComposeOrder?)null);
        if (ids.Count == 0) return orders;
        var session = DbSession.From(db);
        var heads = await Sql.QueryInAsync(session,
            $$"""SELECT "Id", "ExternalId", "Value", "Currency", "PlacedAt" FROM "Orders" WHERE {{StoreSql.Check()}} AND "Id" IN ({in})""", [db.CurrentStoreId], ids,
            r => new ComposeOrder { Id = r.GetInt64(0), ExternalId = r.GetString(1), Value = Sql.Money(r, 2), Currency = r.GetString(3), PlacedAt = Sql.Time(r, 4), Lines = [] }, ct);
        foreach (var o in heads) orders[o.Id] = o;
        if (heads.Count == 0) return orders;
        var lines = await Sql.QueryInAsync(session,
            $$"""SELECT "OrderId", "ProductId", "Quantity", "Price" FROM "OrderLines" WHERE {{StoreSql.Check()}} AND "OrderId" IN ({in}) ORDER BY "OrderId", "LineNo" """,
            [db.CurrentStoreId], heads.Select(o => o.Id).ToList(), r => (Order: r.GetInt64(0), Line: new ComposeLine(r.GetInt64(1), r.GetInt32(2), Sql.Money(r, 3))), ct);
        foreach (var (order, line) in lines) orders[order]!.Lines.Add(line);
        return orders;
    }

    /// <summary>
    /// Renders <paramref name="message"/> for <paramref name="input"/>; the variant follows the input's language, else
    /// the customer's. <paramref name="data"/>: the order and history already read for a batch (<see cref="LoadDataAsync"/>),
    /// else they are read here.
    /// </summary>
    public async Task<(RenderedMessage Rendered, MessageVariant Variant)> RenderAsync(CartwiseDb db, Store store, LoadedMessage message, ComposeInput input, CancellationToken ct,
        ComposeData? data = null)
    {
        var customer = input.Customer ?? (input.CustomerId is { } cid
            ? await db.Customers.AsNoTracking().Where(c => c.Id == cid).Select(c => new RenderCustomer(c.FirstName, c.LastName, c.Email, c.Language)).SingleOrDefaultAsync(ct)
            : null);
        customer ??= input.Sample ? new RenderCustomer("Alex", "Sample", input.Email, input.Language) : new RenderCustomer(null, null, input.Email, input.Language);
        var variant = MessageValidator.Pick(message.Variants, input.Language ?? customer.Language, message.Message.DefaultLanguage);

        var model = await models.GetAsync(store.Id, ct);
        RenderOrder? order = null;
        var purchased = new List<ItemModel>();
        if (input.OrderId is { } oid)
        {
            var o = data is not null && data.Orders.TryGetValue(oid, out var known) ? known : (await OrdersAsync(db, [oid], ct))[oid];
            if (o is not null)
            {
                order = new RenderOrder(o.ExternalId, o.Value, o.Currency, o.PlacedAt);
                var missing = o.Lines.Select(l => l.ProductId).Where(p => !model.Products.ContainsKey(p)).Distinct().ToList();
                var extra = missing.Count == 0 ? [] : await ModelService.ProductInfosAsync(db.Products.Where(p => missing.Contains(p.Id)), ct);
                foreach (var line in o.Lines)
                {
                    var info = model.Products.GetValueOrDefault(line.ProductId) ?? extra.GetValueOrDefault(line.ProductId);
                    if (info is null) continue;
                    var existing = purchased.FindIndex(i => i.Id == line.ProductId);
                    if (existing >= 0) purchased[existing] = purchased[existing] with { Quantity = purchased[existing].Quantity + line.Quantity };
                    else purchased.Add(Item(info, store, line.Price, line.Quantity));
                }
            }
        }
        var trigger = input.Products.Select(p => model.Products.GetValueOrDefault(p)).OfType<ProductInfo>().Select(p => Item(p, store)).ToList();
        var history = input.CustomerId is not { } hid ? PurchaseHistory.None
            : data is not null && data.Histories.TryGetValue(hid, out var had) ? had
            : await PurchaseHistory.LoadAsync(db, hid, ct);

        var cart = purchased.Select(i => i.Id).ToList();
        var asked = input.Products.Count > 0 ? input.Products : cart;
        IReadOnlyList<ItemModel> Items(Block b)
        {
            var strategy = b.Type == BlockTypes.Bestsellers ? Strategies.Bestsellers : input.Strategy ?? b.Strategy;
            var filters = new RecommendationFilters(IncludeCategories: b.Type == BlockTypes.Recommended ? input.RecommendCategories : null);
            // Buy-again is about the customer's own products, the trigger's among them: a reminder re-offers what the order held.
            var again = strategy == Strategies.BuyAgain;
            var request = new RecommendationRequest(strategy, again ? [] : asked, again ? [] : cart, null, b.Limit ?? 3, filters, [.. history.Products.Union(cart)], [],
                PurchasedAt: history.LastAt, Now: clock.GetUtcNow(), PurchaseCounts: history.Orders);
            return Recommender.Recommend(model, request).Select(r => model.Products.GetValueOrDefault(r.Product)).OfType<ProductInfo>().Select(p => Item(p, store)).ToList();
        }

        var context = new RenderContext(customer, new RenderStore(store.Name, store.PostalAddress, store.Currency, store.TimeZone, null), order,
            trigger.FirstOrDefault(), purchased, purchased, input.Coupon, Items, input.Links, clock.GetUtcNow());
        return (Renderer.Render(variant, context), variant);
    }

    private static ItemModel Item(ProductInfo p, Store store, decimal? price = null, int quantity = 1) =>
        new(p.Id, p.Name ?? p.ExternalId, p.Link, p.ImageLink, price ?? p.Price, p.Currency ?? store.Currency, quantity);

    /// <summary>
    /// The MIME message: both parts, the sender, RFC 8058 one-click unsubscribe headers and a Message-ID made from
    /// the outbox row, so that a receiving system can tell a repeated delivery of the same row.
    /// </summary>
    /// <summary>A message as stored in the outbox (<see cref="OutboxBody"/>): its MIME text, gzip-compressed.</summary>
    public static byte[] Compress(MimeMessage mime)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) mime.WriteTo(gzip);
        return buffer.ToArray();
    }

    /// <summary>The stored message back (<see cref="Compress"/>).</summary>
    public static MimeMessage Decompress(byte[] stored)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(stored), System.IO.Compression.CompressionMode.Decompress);
        return MimeMessage.Load(gzip);
    }

    public static MimeMessage Mime(RenderedMessage rendered, Sender? sender, Store store, string to, string? toName, string messageId, string unsubscribeUrl, bool test, DateTimeOffset date)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(sender?.Name ?? store.Name, sender?.FromAddress ?? $"no-reply@{store.Slug}.invalid"));
        if (sender?.ReplyTo is { Length: > 0 } replyTo) mime.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        mime.To.Add(new MailboxAddress(toName ?? "", to));
        mime.Subject = test ? "[TEST] " + rendered.Subject : rendered.Subject;
        mime.MessageId = messageId;
        mime.Date = date;
        mime.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>");
        mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        if (test) mime.Headers.Add("X-Cartwise-Test", "yes");
        var body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html };
        mime.Body = body.ToMessageBody();
        return mime;
    }

    /// <summary>The Message-ID of an outbox row.</summary>
    public static string MessageIdFor(Store store, long outboxId) =>
        string.Create(CultureInfo.InvariantCulture, $"cw.{store.Id}.{outboxId}@{store.Slug}.cartwise");
}
