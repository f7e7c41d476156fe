using Cartwise.Catalog;
using Cartwise.Core.Tracking;
using Cartwise.Customers;
using Cartwise.Data;
using Cartwise.Orders;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tracking;

/// <summary>What happened to one event: stored, or already there (same event id).</summary>
public enum WriteStatus { Stored, Duplicate }

/// <summary>The outcome of one written event, with the profile it now belongs to.</summary>
public sealed record WriteOutcome(string EventId, WriteStatus Status, long? CustomerId);

/// <summary>
/// Writes validated events of one store in one unit of work: resolves and merges customer profiles, upserts
/// products and categories, records orders and refunds, and stores each event once (by event id).
/// The caller owns the transaction. Not thread-safe; one instance per batch.
/// </summary>
public sealed class EventIngestor(CartwiseDb db, Store store, DateTimeOffset now)
{
    private readonly Dictionary<string, Customer> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Product> _products = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Category> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<TrackedEvent> events, CancellationToken ct)
    {
        var ids = events.Select(e => e.EventId).Distinct().ToList();
        var seen = (await db.Events.Where(e => ids.Contains(e.EventId)).Select(e => e.EventId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var fresh = new List<TrackedEvent>(events.Count);
        foreach (var e in events)
            if (seen.Add(e.EventId)) fresh.Add(e);
        var freshIds = fresh.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);

        await PreloadAsync(fresh, ct);

        var outcomes = new List<WriteOutcome>(events.Count);
        var written = new Dictionary<string, Customer>(StringComparer.Ordinal);
        foreach (var e in fresh)
        {
            var customer = await ResolveCustomerAsync(e, ct);
            var products = e.Items.Select(UpsertProduct).ToList();
            db.Events.Add(new StoredEvent
            {
                StoreId = store.Id,
                EventId = e.EventId,
                Name = e.Name,
                Customer = customer,
                AnonymousId = e.Identity.AnonymousId,
                OccurredAt = e.Timestamp ?? now,
                ReceivedAt = now,
                TransactionId = e.TransactionId,
                Value = e.Value,
                Currency = e.Currency,
                UtmSource = e.Utm.Source,
                UtmMedium = e.Utm.Medium,
                UtmCampaign = e.Utm.Campaign,
                Payload = e.RawJson,
            });
            if (e.Name == EventNames.Purchase) RecordPurchase(e, customer, products);
            else if (e.Name == EventNames.Refund) RecordRefund(e);
            written[e.EventId] = customer;
        }
        await db.SaveChangesAsync(ct);

        foreach (var e in events)
        {
            var stored = freshIds.Remove(e.EventId);
            outcomes.Add(new WriteOutcome(e.EventId, stored ? WriteStatus.Stored : WriteStatus.Duplicate,
                written.TryGetValue(e.EventId, out var c) ? Survivor(c).Id : null));
        }
        return outcomes;
    }

    private static IEnumerable<string> KeysOf(EventIdentity id)
    {
        if (id.CustomerId is { } c) yield return CustomerIdentity.ForCustomerId(c);
        if (id.Email is { } e) yield return CustomerIdentity.ForEmail(e);
        if (id.Phone is { } p) yield return CustomerIdentity.ForPhone(p);
        if (id.AnonymousId is { } a) yield return CustomerIdentity.ForAnonymous(a);
    }

    private async Task PreloadAsync(List<TrackedEvent> events, CancellationToken ct)
    {
        var keys = events.SelectMany(e => KeysOf(e.Identity)).Distinct().ToList();
        if (keys.Count > 0)
        {
            var identities = await db.CustomerIdentities.Where(i => keys.Contains(i.Key)).Include(i => i.Customer).ToListAsync(ct);
            foreach (var i in identities) _byKey[i.Key] = i.Customer!;
        }
        var itemIds = events.SelectMany(e => e.Items).Select(i => i.ItemId).Distinct().ToList();
        if (itemIds.Count > 0)
            foreach (var p in await db.Products.Where(p => itemIds.Contains(p.ExternalId)).ToListAsync(ct))
                _products[p.ExternalId] = p;
        var paths = events.SelectMany(e => e.Items).Where(i => i.Categories.Count > 0)
            .SelectMany(i => Enumerable.Range(1, i.Categories.Count).Select(n => string.Join(" > ", i.Categories.Take(n)))).Distinct().ToList();
        if (paths.Count > 0)
            foreach (var c in await db.Categories.Where(c => paths.Contains(c.Path)).ToListAsync(ct))
                _categories[c.Path] = c;
        var transactions = events.Where(e => e.TransactionId is not null).Select(e => e.TransactionId!).Distinct().ToList();
        if (transactions.Count > 0)
            foreach (var o in await db.Orders.Where(o => transactions.Contains(o.ExternalId)).Include(o => o.Lines).ThenInclude(l => l.Product).ToListAsync(ct))
                _orders[o.ExternalId] = o;
    }

    /// <summary>Merged profiles point at their survivor; follow the chain (it is one step in practice).</summary>
    private Customer Survivor(Customer c)
    {
        while (c.MergedIntoId is { } id && c.Id != id)
            c = db.Customers.Local.FirstOrDefault(x => x.Id == id) ?? throw new InvalidOperationException($"Merged customer {id} is not loaded.");
        return c;
    }

    private async Task<Customer> ResolveCustomerAsync(TrackedEvent e, CancellationToken ct)
    {
        var keys = KeysOf(e.Identity).ToList();
        var found = keys.Where(_byKey.ContainsKey).Select(k => Survivor(_byKey[k])).Distinct().ToList();
        Customer customer;
        if (found.Count == 0)
        {
            customer = new Customer { StoreId = store.Id, CreatedAt = e.Timestamp ?? now, LastSeenAt = e.Timestamp ?? now };
            db.Customers.Add(customer);
        }
        else if (found.Count == 1) customer = found[0];
        else customer = await MergeAsync(found, ct);

        foreach (var key in keys)
        {
            if (_byKey.ContainsKey(key)) continue;
            db.CustomerIdentities.Add(new CustomerIdentity { StoreId = store.Id, Key = key, Customer = customer, CreatedAt = now });
            _byKey[key] = customer;
        }

        var id = e.Identity;
        customer.ExternalId ??= id.CustomerId;
        customer.Email ??= id.Email;
        customer.Phone ??= id.Phone;
        customer.IsIdentified |= id.IsIdentified;
        var at = e.Timestamp ?? now;
        if (at >= customer.LastSeenAt)
        {
            customer.LastSeenAt = at;
            if (e.Language is not null) customer.Language = e.Language;
            if (e.EmailConsent is { } consent && (customer.EmailConsentAt is null || at >= customer.EmailConsentAt))
            {
                customer.EmailConsent = consent;
                customer.EmailConsentAt = at;
                customer.EmailConsentSource = "tracking:" + e.Name;
            }
        }
        else customer.Language ??= e.Language;
        return customer;
    }

    /// <summary>
    /// Several profiles turn out to be one person: keep the oldest and move everything of the others onto it. The
    /// others stay as tombstones pointing at the survivor.
    /// </summary>
    private async Task<Customer> MergeAsync(List<Customer> found, CancellationToken ct)
    {
        // Every profile needs its id before rows can be moved between them.
        await db.SaveChangesAsync(ct);
        var ordered = found.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToList();
        var survivor = ordered[0];
        foreach (var loser in ordered.Skip(1))
        {
            var loserId = loser.Id;
            await db.CustomerIdentities.Where(i => i.CustomerId == loserId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CustomerId, survivor.Id), ct);
            await db.Events.Where(x => x.CustomerId == loserId).ExecuteUpdateAsync(s => s.SetProperty(x => x.CustomerId, survivor.Id), ct);
            await db.Orders.Where(x => x.CustomerId == loserId).ExecuteUpdateAsync(s => s.SetProperty(x => x.CustomerId, survivor.Id), ct);
            // Tracked entities still point at the loser in memory; move them too so SaveChanges does not undo the move.
            foreach (var entry in db.ChangeTracker.Entries<CustomerIdentity>().Where(x => x.Entity.CustomerId == loserId))
            {
                entry.Entity.Customer = survivor;
                entry.Entity.CustomerId = survivor.Id;
            }
            foreach (var entry in db.ChangeTracker.Entries<StoredEvent>().Where(x => x.Entity.CustomerId == loserId))
            {
                entry.Entity.Customer = survivor;
                entry.Entity.CustomerId = survivor.Id;
            }
            foreach (var entry in db.ChangeTracker.Entries<Order>().Where(x => x.Entity.CustomerId == loserId))
            {
                entry.Entity.Customer = survivor;
                entry.Entity.CustomerId = survivor.Id;
            }
            foreach (var key in _byKey.Where(kv => kv.Value == loser).Select(kv => kv.Key).ToList()) _byKey[key] = survivor;

            survivor.ExternalId ??= loser.ExternalId;
            survivor.Email ??= loser.Email;
            survivor.Phone ??= loser.Phone;
            survivor.FirstName ??= loser.FirstName;
            survivor.LastName ??= loser.LastName;
            survivor.Country ??= loser.Country;
            survivor.IsIdentified |= loser.IsIdentified;
            if (loser.LastSeenAt > survivor.LastSeenAt)
            {
                survivor.LastSeenAt = loser.LastSeenAt;
                survivor.Language = loser.Language ?? survivor.Language;
            }
            else survivor.Language ??= loser.Language;
            if (loser.EmailConsentAt is { } lc && (survivor.EmailConsentAt is null || lc > survivor.EmailConsentAt))
            {
                survivor.EmailConsent = loser.EmailConsent;
                survivor.EmailConsentAt = loser.EmailConsentAt;
                survivor.EmailConsentSource = loser.EmailConsentSource;
            }
            loser.MergedIntoId = survivor.Id;
            loser.IsIdentified = false;
            loser.ExternalId = loser.Email = loser.Phone = null;
        }
        return survivor;
    }

    private Product UpsertProduct(EventItem item)
    {
        if (!_products.TryGetValue(item.ItemId, out var p))
        {
            p = new Product { StoreId = store.Id, ExternalId = item.ItemId, CreatedAt = now };
            db.Products.Add(p);
            _products[item.ItemId] = p;
        }
        p.Name = item.Name ?? p.Name;
        p.Brand = item.Brand ?? p.Brand;
        if (item.Price is { } price)
        {
            p.Price = price;
            p.Currency ??= store.Currency;
        }
        if (item.Categories.Count > 0) p.Category = UpsertCategory(item.Categories);
        p.UpdatedAt = now;
        return p;
    }

    private Category UpsertCategory(IReadOnlyList<string> names)
    {
        Category? parent = null;
        for (var n = 1; n <= names.Count; n++)
        {
            var path = string.Join(" > ", names.Take(n));
            if (!_categories.TryGetValue(path, out var c))
            {
                c = new Category { StoreId = store.Id, Path = path, Name = names[n - 1], Level = n, Parent = parent };
                db.Categories.Add(c);
                _categories[path] = c;
            }
            parent = c;
        }
        return parent!;
    }

    private void RecordPurchase(TrackedEvent e, Customer customer, List<Product> products)
    {
        // The same order sent again under another event id is still one order.
        if (_orders.ContainsKey(e.TransactionId!)) return;
        var order = new Order
        {
            StoreId = store.Id,
            ExternalId = e.TransactionId!,
            Customer = customer,
            PlacedAt = e.Timestamp ?? now,
            Value = e.Value ?? 0m,
            Currency = e.Currency ?? store.Currency,
            Coupon = e.Coupon,
            Shipping = e.Shipping,
            Tax = e.Tax,
        };
        for (var i = 0; i < e.Items.Count; i++)
            order.Lines.Add(new OrderLine
            {
                StoreId = store.Id,
                LineNo = i + 1,
                Product = products[i],
                Quantity = e.Items[i].Quantity,
                Price = e.Items[i].Price ?? products[i].Price ?? 0m,
            });
        db.Orders.Add(order);
        _orders[order.ExternalId] = order;
    }

    private void RecordRefund(TrackedEvent e)
    {
        if (!_orders.TryGetValue(e.TransactionId!, out var order)) return;
        var at = e.Timestamp ?? now;
        if (e.Items.Count == 0)
        {
            foreach (var line in order.Lines) line.RefundedQuantity = line.Quantity;
            order.RefundedValue = e.Value ?? order.Value;
        }
        else
        {
            foreach (var item in e.Items)
            {
                var remaining = item.Quantity;
                foreach (var line in order.Lines.Where(l => (l.Product?.ExternalId ?? _products.GetValueOrDefault(item.ItemId)?.ExternalId) == item.ItemId))
                {
                    var take = Math.Min(remaining, line.Quantity - line.RefundedQuantity);
                    if (take <= 0) continue;
                    line.RefundedQuantity += take;
                    order.RefundedValue += take * (item.Price ?? line.Price);
                    remaining -= take;
                }
            }
        }
        order.RefundedAt = at;
    }
}
