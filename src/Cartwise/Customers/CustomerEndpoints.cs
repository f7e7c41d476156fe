using System.Text.Json;
using System.Text.Json.Nodes;
using Cartwise.Core.Customers;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Orders;
using Cartwise.Stores;
using Cartwise.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Customers;

public sealed record CustomerView(
    long Id, string? CustomerId, string? Email, string? Phone, string? FirstName, string? LastName, string? Language, string? Country,
    bool? EmailConsent, DateTimeOffset? EmailConsentAt, string? EmailConsentSource, bool Identified,
    DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset? ErasedAt)
{
    public static CustomerView From(Customer c) => new(c.Id, c.ExternalId, c.Email, c.Phone, c.FirstName, c.LastName, c.Language, c.Country,
        c.EmailConsent, c.EmailConsentAt, c.EmailConsentSource, c.IsIdentified, c.CreatedAt, c.LastSeenAt, c.ErasedAt);
}

public sealed record EventView(long Id, string EventId, string Name, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, string? TransactionId,
    decimal? Value, string? Currency, JsonElement Payload)
{
    public static EventView From(StoredEvent e) => new(e.Id, e.EventId, e.Name, e.OccurredAt, e.ReceivedAt, e.TransactionId, e.Value, e.Currency,
        JsonDocument.Parse(e.Payload).RootElement.Clone());
}

public sealed record OrderLineView(int LineNo, string ProductId, string? ProductName, int Quantity, decimal Price, int RefundedQuantity);

public sealed record OrderView(long Id, string TransactionId, DateTimeOffset PlacedAt, decimal Value, string Currency, string? Coupon,
    decimal RefundedValue, IReadOnlyList<OrderLineView> Lines)
{
    public static OrderView From(Order o, IReadOnlyDictionary<long, (string ItemId, string? Name)> products) => new(o.Id, o.ExternalId, o.PlacedAt, o.Value, o.Currency, o.Coupon, o.RefundedValue,
        o.Lines.OrderBy(l => l.LineNo).Select(l => new OrderLineView(l.LineNo, products.GetValueOrDefault(l.ProductId).ItemId ?? "", products.GetValueOrDefault(l.ProductId).Name,
            l.Quantity, l.Price, l.RefundedQuantity)).ToList());
}

public sealed record CustomerDetail(CustomerView Customer, IReadOnlyList<string> Identities, int EventCount, IReadOnlyList<OrderView> Orders);

/// <summary>A message to the customer, as the export lists it.</summary>
public sealed record MessageSentView(long OutboxId, long MessageId, long? ScenarioId, string? Rule, string Email, string Status, string? Subject, string? CouponCode,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

public sealed record CustomerExport(CustomerView Customer, IReadOnlyList<string> Identities, IReadOnlyList<EventView> Events, IReadOnlyList<OrderView> Orders,
    IReadOnlyList<MessageSentView> Messages);

public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomerEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/customers").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Customers");
        g.MapGet("/", SearchAsync).WithSummary("List or search customers by email, phone or the shop's customer_id; q= finds by the start of any of them.");
        g.MapGet("/{id:long}", GetAsync).WithSummary("One customer with identities and orders (a merged id leads to the surviving profile).");
        g.MapGet("/{id:long}/events", EventsAsync).WithSummary("A customer's events, newest first.");
        g.MapGet("/{id:long}/timeline", TimelineAsync).WithSummary("Everything about a customer newest first: events, scenario decisions with reasons, messages, coupons, opens, clicks, unsubscribes (keyset-paged with before=, a time).");
        g.MapGet("/{id:long}/orders", OrdersAsync).WithSummary("A customer's orders, newest first.");
        g.MapGet("/{id:long}/export", ExportAsync).WithSummary("Everything stored about a customer (GDPR export).");
        // The admin app's download of the same export (signed in with the cookie).
        app.MapGet("/customers/{id:long}/export", async (CartwiseDb db, long id, CancellationToken ct) =>
            await ExportDataAsync(db, id, ct) is { } export
                ? Results.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(export, ExportJson), "application/json", $"customer-{id}.json")
                : Results.NotFound()).RequireAuthorization().ExcludeFromDescription();
        g.MapDelete("/{id:long}", EraseAsync).WithSummary("Erase a customer: personal data removed, anonymised order facts kept for reports.");
        return app;
    }

    private static readonly System.Text.Json.JsonSerializerOptions ExportJson = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    internal static async Task<Results<Ok<Page<CustomerView>>, ValidationProblem>> SearchAsync(
        CartwiseDb db, StoreCache stores, string? email, string? phone, string? customer_id, string? q, long? after, int? limit, CancellationToken ct)
    {
        var take = Math.Clamp(limit ?? 50, 1, 500);
        if (q is not null) return TypedResults.Ok(await FindByPrefixAsync(db, q, after, take, ct));
        var found = db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null);
        if (email is not null)
        {
            var normalized = ContactPoints.NormalizeEmail(email);
            if (normalized is null) return Problems.Field("email", $"'{email}' is not a valid email address.");
            found = found.Where(c => c.Email == normalized);
        }
        if (phone is not null)
        {
            var store = await stores.GetAsync(db.CurrentStoreId, ct);
            var normalized = ContactPoints.NormalizePhone(phone, store?.DefaultCountry);
            if (normalized is null) return Problems.Field("phone", $"'{phone}' is not a phone number.");
            found = found.Where(c => c.Phone == normalized);
        }
        if (customer_id is not null) found = found.Where(c => c.ExternalId == customer_id);
        if (email is null && phone is null && customer_id is null) found = found.Where(c => c.IsIdentified);
        return TypedResults.Ok(await PageAsync(found, after, take, ct));
    }

    /// <summary>One page of customers by id, after <paramref name="after"/>; <c>Next</c> is where the next page starts.</summary>
    private static async Task<Page<CustomerView>> PageAsync(IQueryable<Customer> customers, long? after, int take, CancellationToken ct)
    {
        if (after is not null) customers = customers.Where(c => c.Id > after);
        var items = await customers.OrderBy(c => c.Id).Take(take + 1).ToListAsync(ct);
        var next = items.Count > take ? items[take - 1].Id : (long?)null;
        return new Page<CustomerView>(items.Take(take).Select(CustomerView.From).ToList(), next);
    }

    /// <summary>Finds a profile, following a merge to its survivor. Null when the id is not this store's.</summary>
    internal static async Task<Customer?> FindAsync(CartwiseDb db, long id, CancellationToken ct)
    {
        for (var hops = 0; hops < 8; hops++)
        {
            var c = await db.Customers.SingleOrDefaultAsync(x => x.Id == id, ct);
            if (c?.MergedIntoId is not { } next) return c;
            id = next;
        }
        return null;
    }

    internal static async Task<Results<Ok<CustomerDetail>, NotFound>> GetAsync(CartwiseDb db, long id, CancellationToken ct) =>
        await DetailAsync(db, id, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    /// <summary>A profile with its identities, event count and latest 100 orders (the API and the admin app's customer page); null when not this store's.</summary>
    public static async Task<CustomerDetail?> DetailAsync(CartwiseDb db, long id, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is not { } c) return null;
        var identities = await db.CustomerIdentities.Where(i => i.CustomerId == c.Id).OrderBy(i => i.Key).Select(i => i.Key).ToListAsync(ct);
        var events = await db.Events.CountAsync(e => e.CustomerId == c.Id, ct);
        return new CustomerDetail(CustomerView.From(c), identities, events, await OrdersOfAsync(db, c.Id, 100, ct));
    }

    /// <summary>
    /// Identified customers whose email, phone or shop id starts with <paramref name="text"/> (so typing
    /// <c>customer-1</c> finds <c>customer-12347@demo.example</c>), by id, keyset-paged after <paramref name="after"/>.
    /// </summary>
    public static async Task<Page<CustomerView>> FindByPrefixAsync(CartwiseDb db, string text, long? after, int take, CancellationToken ct)
    {
        var prefix = text.Trim().ToLowerInvariant();
        var q = db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null && c.IsIdentified);
        if (prefix.Length > 0)
            q = q.Where(c => c.Email!.StartsWith(prefix) || c.Phone!.StartsWith(prefix) || c.ExternalId!.StartsWith(text.Trim()));
        return await PageAsync(q, after, take, ct);
    }

    /// <summary>
    /// A customer's orders, newest first, with their lines. Product ids and names come in a second query: joining the
    /// store-filtered products into the lines made SQLite read the whole catalogue per line (0.8 s for one customer).
    /// </summary>
    private static async Task<List<OrderView>> OrdersOfAsync(CartwiseDb db, long customerId, int? take, CancellationToken ct)
    {
        var q = db.Orders.AsNoTracking().Where(o => o.CustomerId == customerId).OrderByDescending(o => o.PlacedAt).AsQueryable();
        if (take is { } n) q = q.Take(n);
        var orders = await q.Include(o => o.Lines).ToListAsync(ct);
        var ids = orders.SelectMany(o => o.Lines).Select(l => l.ProductId).Distinct().ToList();
        var products = new Dictionary<long, (string ItemId, string? Name)>();
        foreach (var chunk in ids.Chunk(1000))
            foreach (var p in await db.Products.AsNoTracking().Where(p => chunk.Contains(p.Id)).Select(p => new { p.Id, p.ExternalId, p.Name }).ToListAsync(ct))
                products[p.Id] = (p.ExternalId, p.Name);
        return orders.Select(o => OrderView.From(o, products)).ToList();
    }

    internal static async Task<Results<Ok<Page<EventView>>, NotFound>> EventsAsync(CartwiseDb db, long id, long? before, int? limit, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is not { } c) return TypedResults.NotFound();
        var take = Math.Clamp(limit ?? 100, 1, 1000);
        var q = db.Events.AsNoTracking().Where(e => e.CustomerId == c.Id);
        if (before is not null) q = q.Where(e => e.Id < before);
        var items = await q.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        var next = items.Count > take ? items[take - 1].Id : (long?)null;
        return TypedResults.Ok(new Page<EventView>(items.Take(take).Select(EventView.From).ToList(), next));
    }

    internal static async Task<Results<Ok<IReadOnlyList<TimelineEntry>>, NotFound>> TimelineAsync(CartwiseDb db, long id, DateTimeOffset? before, int? limit, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is not { } c) return TypedResults.NotFound();
        return TypedResults.Ok(await CustomerTimeline.ForAsync(db, c.Id, before, Math.Clamp(limit ?? 100, 1, 1000), ct));
    }

    internal static async Task<Results<Ok<Page<OrderView>>, NotFound>> OrdersAsync(CartwiseDb db, long id, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is not { } c) return TypedResults.NotFound();
        return TypedResults.Ok(new Page<OrderView>(await OrdersOfAsync(db, c.Id, null, ct), null));
    }

    internal static async Task<Results<Ok<CustomerExport>, NotFound>> ExportAsync(CartwiseDb db, long id, CancellationToken ct) =>
        await ExportDataAsync(db, id, ct) is { } export ? TypedResults.Ok(export) : TypedResults.NotFound();

    /// <summary>Everything stored about a customer (the API's export and the admin app's download); null when not this store's.</summary>
    public static async Task<CustomerExport?> ExportDataAsync(CartwiseDb db, long id, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is not { } c) return null;
        var identities = await db.CustomerIdentities.Where(i => i.CustomerId == c.Id).OrderBy(i => i.Key).Select(i => i.Key).ToListAsync(ct);
        var events = await db.Events.AsNoTracking().Where(e => e.CustomerId == c.Id).OrderBy(e => e.Id).ToListAsync(ct);
        var orders = await OrdersOfAsync(db, c.Id, null, ct);
        var messages = await db.Outbox.AsNoTracking().Where(o => o.CustomerId == c.Id && !o.IsTest).OrderBy(o => o.Id)
            .Select(o => new MessageSentView(o.Id, o.MessageId, o.ScenarioId, o.Rule, o.Email, o.Status, o.Subject, o.CouponCode, o.CreatedAt, o.SentAt)).ToListAsync(ct);
        return new CustomerExport(CustomerView.From(c), identities, events.Select(EventView.From).ToList(), orders, messages);
    }

    /// <summary>Identity fields removed from stored event payloads when a customer is erased.</summary>
    private static readonly string[] PersonalFields = ["email", "phone", "customer_id", "anonymous_id", "user_id", "client_id", "user_data", "first_name", "last_name"];

    internal static async Task<Results<NoContent, NotFound>> EraseAsync(CartwiseDb db, TimeProvider clock, long id, CancellationToken ct) =>
        await EraseCustomerAsync(db, clock, id, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>
    /// Erases a customer (the API and the admin app): personal data removed, anonymised order facts kept for reports.
    /// False when the store has no such customer.
    /// </summary>
    public static async Task<bool> EraseCustomerAsync(CartwiseDb db, TimeProvider clock, long id, CancellationToken ct)
    {
        if (await FindAsync(db, id, ct) is not { } c) return false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        c.ExternalId = c.Email = c.Phone = c.FirstName = c.LastName = null;
        c.EmailConsent = false;
        c.EmailConsentSource = "erased";
        c.IsIdentified = false;
        c.ErasedAt ??= clock.GetUtcNow();
        await db.CustomerIdentities.Where(i => i.CustomerId == c.Id).ExecuteDeleteAsync(ct);
        // Merged tombstones of this person held their old identifiers too.
        await db.Customers.Where(x => x.MergedIntoId == c.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ExternalId, (string?)null).SetProperty(x => x.Email, (string?)null).SetProperty(x => x.Phone, (string?)null), ct);
        foreach (var e in await db.Events.Where(e => e.CustomerId == c.Id).ToListAsync(ct))
        {
            if (JsonNode.Parse(e.Payload) is JsonObject o)
            {
                foreach (var field in PersonalFields) o.Remove(field);
                e.Payload = o.ToJsonString();
            }
            e.AnonymousId = null;
        }
        // Messages: nothing more goes out, and the address leaves the outbox (figures of what was sent stay).
        await db.Outbox.Where(o => o.CustomerId == c.Id && (o.Status == Messages.OutboxStatus.Pending || o.Status == Messages.OutboxStatus.Claimed))
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, Messages.OutboxStatus.Skipped).SetProperty(o => o.LastError, "erased"), ct);
        await db.Outbox.Where(o => o.CustomerId == c.Id).ExecuteUpdateAsync(u => u.SetProperty(o => o.Email, "erased"), ct);
        // The stored copies of what was sent carry the address and name too.
        await db.OutboxBodies.Where(b => db.Outbox.Any(o => o.Id == b.OutboxId && o.CustomerId == c.Id)).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
