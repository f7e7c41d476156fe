using Cartwise.Catalog;
using Cartwise.Core.Catalog;
using Cartwise.Core.Customers;
using Cartwise.Core.Orders;
using Cartwise.Core.Tracking;
using Cartwise.Customers;
using Cartwise.Data;
using Cartwise.Messages;
using Cartwise.Orders;
using Cartwise.Stores;

namespace Cartwise.Tracking;

/// <summary>What happened to one event: stored, or already there (same event id).</summary>
public enum WriteStatus { Stored, Duplicate }

/// <summary>The outcome of one written event, with the profile it now belongs to.</summary>
public sealed record WriteOutcome(string EventId, WriteStatus Status, long? CustomerId);

/// <summary>
/// Writes validated events of one store as one unit of work: resolves and merges customer profiles, upserts products
/// and categories, records orders and refunds, and stores each event once (by event id). Plain SQL on a session
/// with an open transaction, no EF: reads through <see cref="Sql"/>, writes through <see cref="RowWriter"/>, because
/// this is the hottest path of the product (an EF scope and transaction were a sixth of a commit of single events).
/// The caller owns the transaction. Not thread-safe; one instance per batch.
/// </summary>
/// <remarks>
/// Rows new in this batch carry negative ids until they are inserted. A profile merged into another in the same
/// batch is never inserted at all: it only forwards to its survivor.
/// </remarks>
public sealed class EventIngestor(DbSession session, Store store, DateTimeOffset now, CatalogCache? cache = null)
{
    private sealed class CustomerRow : CustomerProfile
    {
        public bool Dirty;
        /// <summary>The indexed identity columns changed: only then does the update touch them (and their indexes).</summary>
        public bool IdentityDirty;
        public CustomerRow? MergedInto;
    }

    private sealed class ProductRow
    {
        public long Id;
        public required string ExternalId;
        public string? Name, Brand, Currency;
        public decimal? Price;
        public CategoryRow? Category;
        public long? CategoryId;
        public bool IsNew, Dirty;
        /// <summary>A feed has listed it: the feed owns its name, price, brand and category, events never change them.</summary>
        public bool FromFeed;
    }

    private sealed class CategoryRow
    {
        public long Id;
        public required string Path, Name;
        public CategoryRow? Parent;
        public int Level;
    }

    private sealed class LineRow
    {
        public int LineNo, Quantity, RefundedQuantity;
        /// <summary>Refunded units when loaded: a flush adds the difference.</summary>
        public int RefundedBefore;
        public required ProductRow Product;
        public decimal Price;
        public bool IsNew, Dirty;
    }

    private sealed class OrderRow
    {
        public long Id;
        public required string ExternalId;
        public CustomerRow? Customer;
        public DateTimeOffset PlacedAt;
        public decimal Value, RefundedValue;
        /// <summary>Refunded value when loaded: a flush adds the difference.</summary>
        public decimal RefundedBefore;
        public required string Currency;
        public string? Coupon;
        public decimal? Shipping, Tax;
        public DateTimeOffset? RefundedAt;
        public List<LineRow> Lines = [];
        public bool IsNew, Dirty;
    }

    private sealed record EventRow(TrackedEvent Event, CustomerRow Customer);

    private readonly Dictionary<string, CustomerRow> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<long, CustomerRow> _customers = [];
    private readonly List<CustomerRow> _newCustomers = [];
    private readonly List<(CustomerRow Loser, CustomerRow Survivor)> _merges = [];
    private readonly List<(string Key, CustomerRow Customer)> _newIdentities = [];
    private readonly Dictionary<string, ProductRow> _products = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CategoryRow> _categories = new(StringComparer.Ordinal);
    private readonly List<CategoryRow> _newCategories = [];
    private readonly Dictionary<string, OrderRow> _orders = new(StringComparer.Ordinal);
    private readonly List<EventRow> _events = [];
    private readonly List<(CustomerRow Customer, string EventId, string Reason)> _conflicts = [];
    private readonly List<(CustomerRow Customer, string Email)> _confirmations = [];
    private long _nextTemporaryId = -1;

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<TrackedEvent> events, CancellationToken ct)
    {
        // The batch's reads, in one round trip on PostgreSQL: which events are already stored, and what the events
        // refer to (for every event: the few that turn out to be duplicates cost a lookup, not a round trip).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await Sql.QueryBatchAsync(session, [StoredEvents.Seen(session.Kind, store.Id, events.Select(e => e.EventId).Distinct().ToList(), seen), .. Preload(events)], ct);
        var fresh = new List<TrackedEvent>(events.Count);
        foreach (var e in events)
            if (seen.Add(e.EventId)) fresh.Add(e);

        var byEvent = new Dictionary<string, CustomerRow>(StringComparer.Ordinal);
        foreach (var e in fresh)
        {
            var customer = ResolveCustomer(e);
            var products = e.Items.Select(UpsertProduct).ToList();
            _events.Add(new EventRow(e, customer));
            if (e.Name == EventNames.Purchase) RecordPurchase(e, customer, products);
            else if (e.Name == EventNames.Refund) RecordRefund(e);
            byEvent[e.EventId] = customer;
        }
        await FlushAsync(RowWriter.For(session), ct);

        var freshIds = fresh.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        return events.Select(e => new WriteOutcome(e.EventId, freshIds.Remove(e.EventId) ? WriteStatus.Stored : WriteStatus.Duplicate,
            byEvent.TryGetValue(e.EventId, out var c) ? Survivor(c).Id : null)).ToList();
    }

    private static IEnumerable<string> KeysOf(EventIdentity id)
    {
        if (id.CustomerId is { } c) yield return CustomerIdentity.ForCustomerId(c);
        if (id.Email is { } e) yield return CustomerIdentity.ForEmail(e);
        if (id.Phone is { } p) yield return CustomerIdentity.ForPhone(p);
        if (id.AnonymousId is { } a) yield return CustomerIdentity.ForAnonymous(a);
    }

    /// <summary>
    /// The reads of what <paramref name="events"/> refer to and this instance does not know yet: profiles by their
    /// keys, products and categories not in the cache, and orders by transaction id (after the products: their lines
    /// point at them).
    /// </summary>
    private List<Sql.BatchQuery> Preload(IReadOnlyList<TrackedEvent> events)
    {
        var kind = session.Kind;
        var queries = new List<Sql.BatchQuery>();
        var keys = events.SelectMany(e => KeysOf(e.Identity)).Distinct().ToList();
        if (keys.Count > 0)
            queries.Add(Sql.BatchQuery.In(kind,
                $$"""
                SELECT i."Key", c."Id", c."ExternalId", c."Email", c."Phone", c."Language", c."EmailConsent", c."EmailConsentAt", c."EmailConsentSource",
                       c."CreatedAt", c."LastSeenAt", c."IsIdentified"
                FROM "CustomerIdentities" i JOIN "Customers" c ON c."Id" = i."CustomerId"
                WHERE {{StoreSql.Filter("i")}} AND i."Key" IN ({in})
                """, [store.Id], keys,
                r =>
                {
                    var id = r.GetInt64(1);
                    if (!_customers.TryGetValue(id, out var row))
                        _customers[id] = row = new CustomerRow
                        {
                            Id = id, ExternalId = Sql.Text(r, 2), Email = Sql.Text(r, 3), Phone = Sql.Text(r, 4), Language = Sql.Text(r, 5),
                            Consent = r.IsDBNull(6) ? null : r.GetBoolean(6), ConsentAt = r.IsDBNull(7) ? null : Sql.Time(r, 7), ConsentSource = Sql.Text(r, 8),
                            CreatedAt = Sql.Time(r, 9), LastSeenAt = Sql.Time(r, 10), IsIdentified = r.GetBoolean(11),
                        };
                    _byKey[r.GetString(0)] = row;
                }));
        var itemIds = new List<string>();
        foreach (var itemId in events.SelectMany(e => e.Items).Select(i => i.ItemId).Distinct())
        {
            if (cache is not null && cache.TryGetProduct(store.Id, itemId, out var cached))
                _products[itemId] = new ProductRow
                {
                    Id = cached.Id, ExternalId = itemId, Name = cached.Name, Brand = cached.Brand, Price = cached.Price, Currency = cached.Currency, CategoryId = cached.CategoryId,
                    FromFeed = cached.FromFeed,
                };
            else itemIds.Add(itemId);
        }
        if (itemIds.Count > 0)
            queries.Add(Sql.BatchQuery.In(kind,
                $$"""
                SELECT "Id", "ExternalId", "Name", "Brand", "Price", "Currency", "CategoryId", "LastFeedRunId" IS NOT NULL
                FROM "Products" WHERE {{StoreSql.Filter()}} AND "ExternalId" IN ({in})
                """, [store.Id], itemIds,
                r => _products[r.GetString(1)] = new ProductRow
                {
                    Id = r.GetInt64(0), ExternalId = r.GetString(1), Name = Sql.Text(r, 2), Brand = Sql.Text(r, 3), Price = r.IsDBNull(4) ? null : Sql.Money(r, 4),
                    Currency = Sql.Text(r, 5), CategoryId = r.IsDBNull(6) ? null : r.GetInt64(6), FromFeed = r.GetBoolean(7),
                }));
        var paths = new List<string>();
        foreach (var path in events.SelectMany(e => e.Items).Where(i => i.Categories.Count > 0)
            .SelectMany(i => Enumerable.Range(1, i.Categories.Count).Select(n => CategoryPaths.Join(i.Categories.Take(n)))).Distinct())
        {
            if (cache is not null && cache.TryGetCategory(store.Id, path, out var cached))
                _categories[path] = new CategoryRow { Id = cached.Id, Path = path, Name = cached.Name, Level = cached.Level };
            else paths.Add(path);
        }
        if (paths.Count > 0)
            queries.Add(Sql.BatchQuery.In(kind,
                $$"""SELECT "Id", "Path", "Name", "Level" FROM "Categories" WHERE {{StoreSql.Filter()}} AND "Path" IN ({in})""", [store.Id], paths,
                r => _categories[r.GetString(1)] = new CategoryRow { Id = r.GetInt64(0), Path = r.GetString(1), Name = r.GetString(2), Level = r.GetInt32(3) }));
        var transactions = events.Where(e => e.TransactionId is not null).Select(e => e.TransactionId!).Distinct().ToList();
        if (transactions.Count > 0)
            queries.Add(Sql.BatchQuery.In(kind,
                $$"""
                SELECT o."Id", o."ExternalId", o."PlacedAt", o."Value", o."Currency", o."RefundedValue", o."RefundedAt",
                       l."LineNo", l."Quantity", l."RefundedQuantity", l."Price", l."ProductId", p."ExternalId"
                FROM "Orders" o LEFT JOIN "OrderLines" l ON l."OrderId" = o."Id" LEFT JOIN "Products" p ON p."Id" = l."ProductId"
                WHERE {{StoreSql.Filter("o")}} AND o."ExternalId" IN ({in})
                ORDER BY o."Id", l."LineNo"
                """, [store.Id], transactions,
                r =>
                {
                    var external = r.GetString(1);
                    if (!_orders.TryGetValue(external, out var order))
                        _orders[external] = order = new OrderRow
                        {
                            Id = r.GetInt64(0), ExternalId = external, PlacedAt = Sql.Time(r, 2), Value = Sql.Money(r, 3), Currency = r.GetString(4),
                            RefundedValue = Sql.Money(r, 5), RefundedBefore = Sql.Money(r, 5), RefundedAt = r.IsDBNull(6) ? null : Sql.Time(r, 6),
                        };
                    if (r.IsDBNull(7)) return;
                    order.Lines.Add(new LineRow
                    {
                        LineNo = r.GetInt32(7), Quantity = r.GetInt32(8), RefundedQuantity = r.GetInt32(9), RefundedBefore = r.GetInt32(9), Price = Sql.Money(r, 10),
                        Product = _products.GetValueOrDefault(r.GetString(12)) ?? new ProductRow { Id = r.GetInt64(11), ExternalId = r.GetString(12) },
                    });
                }));
        return queries;
    }

    private static CustomerRow Survivor(CustomerRow c)
    {
        while (c.MergedInto is not null) c = c.MergedInto;
        return c;
    }

    private CustomerRow ResolveCustomer(TrackedEvent e)
    {
        var keys = KeysOf(e.Identity).ToList();
        var found = keys.Where(_byKey.ContainsKey).Select(k => Survivor(_byKey[k])).Distinct().ToList();
        var at = e.Timestamp ?? now;
        CustomerRow customer;
        if (!e.Verified && found.Count(c => c.IsIdentified) > 1)
        {
            // The public key cannot say that two known people are one: the event stays with the profile of its
            // strongest key (customer id, then email, phone), anonymous profiles may still join it.
            var first = found.First(c => c.IsIdentified);
            Conflict(first, e, $"would merge profiles {string.Join(", ", found.Where(c => c.IsIdentified).Select(c => c.Id))}");
            found = found.Where(c => c == first || !c.IsIdentified).ToList();
        }
        if (found.Count == 0)
        {
            customer = new CustomerRow { Id = _nextTemporaryId--, CreatedAt = at, LastSeenAt = at, IsNew = true };
            _newCustomers.Add(customer);
        }
        else if (found.Count == 1) customer = found[0];
        else customer = Merge(found);

        // An identified profile's identity (customer id, email, phone) changes only through a verified event; an
        // anonymous id may always join it (the visitor signing in).
        var locked = !e.Verified && customer.IsIdentified;
        foreach (var key in keys)
        {
            if (_byKey.ContainsKey(key)) continue;
            if (locked && !key.StartsWith(CustomerIdentity.ForAnonymous(""), StringComparison.Ordinal))
            {
                Conflict(customer, e, $"would add {key} to profile {customer.Id}");
                continue;
            }
            _newIdentities.Add((key, customer));
            _byKey[key] = customer;
        }

        var id = e.Identity;
        if (!locked && ((customer.ExternalId is null && id.CustomerId is not null) || (customer.Email is null && id.Email is not null)
            || (customer.Phone is null && id.Phone is not null) || (id.IsIdentified && !customer.IsIdentified)))
        {
            customer.ExternalId ??= id.CustomerId;
            customer.Email ??= id.Email;
            customer.Phone ??= id.Phone;
            customer.IsIdentified |= id.IsIdentified;
            customer.Dirty = customer.IdentityDirty = true;
        }
        if (at >= customer.LastSeenAt)
        {
            customer.LastSeenAt = at;
            customer.Dirty = true;
            if (e.Language is not null) customer.Language = e.Language;
            if (e.EmailConsent is { } consent && (customer.ConsentAt is null || at >= customer.ConsentAt))
            {
                if (consent && !e.Verified && store.DoubleOptIn)
                {
                    // Anyone can type an address into a storefront: the owner of the mailbox confirms it first.
                    if (customer.Consent != true && customer.Email is not null) _confirmations.Add((customer, customer.Email));
                }
                else
                {
                    customer.Consent = consent;
                    customer.ConsentAt = at;
                    customer.ConsentSource = "tracking:" + e.Name;
                }
            }
        }
        else if (customer.Language is null && e.Language is not null)
        {
            customer.Language = e.Language;
            customer.Dirty = true;
        }
        return customer;
    }

    private void Conflict(CustomerRow customer, TrackedEvent e, string reason) => _conflicts.Add((customer, e.EventId, reason));

    /// <summary>
    /// Several profiles turn out to be one person: the oldest survives and takes over what the others knew. Profiles
    /// already stored stay as tombstones and their rows move at flush; profiles new in this batch just forward.
    /// </summary>
    private CustomerRow Merge(List<CustomerRow> found)
    {
        var ordered = ProfileMerge.SurvivorFirst(found);
        var survivor = ordered[0];
        foreach (var loser in ordered.Skip(1))
        {
            ProfileMerge.Absorb(survivor, loser);
            survivor.Dirty = survivor.IdentityDirty = true;
            loser.MergedInto = survivor;
            if (!loser.IsNew) _merges.Add((loser, survivor));
        }
        return survivor;
    }

    private ProductRow UpsertProduct(EventItem item)
    {
        if (!_products.TryGetValue(item.ItemId, out var p))
        {
            p = new ProductRow { Id = _nextTemporaryId--, ExternalId = item.ItemId, IsNew = true };
            _products[item.ItemId] = p;
        }
        // Events describe a product only when no feed does: the tracking key is public, and a feed is the shop's word.
        if (!p.IsNew && (p.FromFeed || !store.EventsUpdateProducts)) return p;
        if (item.Name is not null && item.Name != p.Name) { p.Name = item.Name; p.Dirty = true; }
        if (item.Brand is not null && item.Brand != p.Brand) { p.Brand = item.Brand; p.Dirty = true; }
        if (item.Price is { } price && price != p.Price)
        {
            p.Price = price;
            p.Currency ??= store.Currency;
            p.Dirty = true;
        }
        if (item.Categories.Count > 0)
        {
            var category = UpsertCategory(item.Categories);
            if (p.Category != category && p.CategoryId != category.Id)
            {
                p.Category = category;
                p.Dirty = true;
            }
        }
        return p;
    }

    private CategoryRow UpsertCategory(IReadOnlyList<string> names)
    {
        CategoryRow? parent = null;
        for (var n = 1; n <= names.Count; n++)
        {
            var path = CategoryPaths.Join(names.Take(n));
            if (!_categories.TryGetValue(path, out var c))
            {
                c = new CategoryRow { Id = _nextTemporaryId--, Path = path, Name = names[n - 1], Level = n, Parent = parent };
                _categories[path] = c;
                _newCategories.Add(c);
            }
            parent = c;
        }
        return parent!;
    }

    private void RecordPurchase(TrackedEvent e, CustomerRow customer, List<ProductRow> products)
    {
        // The same order sent again under another event id is still one order.
        if (_orders.ContainsKey(e.TransactionId!)) return;
        var order = new OrderRow
        {
            Id = _nextTemporaryId--,
            ExternalId = e.TransactionId!,
            Customer = customer,
            PlacedAt = e.Timestamp ?? now,
            Value = e.Value ?? 0m,
            Currency = e.Currency ?? store.Currency,
            Coupon = e.Coupon,
            Shipping = e.Shipping,
            Tax = e.Tax,
            IsNew = true,
        };
        for (var i = 0; i < e.Items.Count; i++)
            order.Lines.Add(new LineRow { LineNo = i + 1, Product = products[i], Quantity = e.Items[i].Quantity, Price = e.Items[i].Price ?? products[i].Price ?? 0m, IsNew = true });
        _orders[order.ExternalId] = order;
    }

    private void RecordRefund(TrackedEvent e)
    {
        if (!_orders.TryGetValue(e.TransactionId!, out var order)) return;
        if (e.Items.Count == 0)
        {
            foreach (var line in order.Lines.Where(l => l.RefundedQuantity != l.Quantity))
            {
                line.RefundedQuantity = line.Quantity;
                line.Dirty = true;
            }
            order.RefundedValue = e.Value ?? order.Value;
        }
        else
        {
            foreach (var item in e.Items)
            {
                var lines = order.Lines.Where(l => l.Product.ExternalId == item.ItemId).ToList();
                var (taken, _) = RefundAllocation.Allocate(item.Quantity, lines.Select(l => l.Quantity - l.RefundedQuantity).ToList());
                for (var i = 0; i < lines.Count; i++)
                {
                    if (taken[i] == 0) continue;
                    lines[i].RefundedQuantity += taken[i];
                    lines[i].Dirty = true;
                    order.RefundedValue += taken[i] * (item.Price ?? lines[i].Price);
                }
            }
        }
        order.RefundedAt = e.Timestamp ?? now;
        order.Dirty = true;
    }

    /// <summary>Tells the cache what this batch left in the catalogue. Call only after the transaction committed.</summary>
    public void Committed()
    {
        if (cache is null) return;
        foreach (var c in _categories.Values) cache.SetCategory(store.Id, c.Path, new CatalogCache.CachedCategory(c.Id, c.Name, c.Level));
        foreach (var p in _products.Values)
            cache.SetProduct(store.Id, p.ExternalId, new CatalogCache.CachedProduct(p.Id, p.Name, p.Brand, p.Price, p.Currency, p.CategoryId, p.FromFeed));
    }

    private async Task FlushAsync(RowWriter w, CancellationToken ct)
    {
        var s = store.Id;
        var products = new ProductWriter(w, s);
        var customers = new CustomerWriter(w, s);
        // Categories parents first (they were created in that order).
        foreach (var c in _newCategories) c.Id = await products.InsertCategoryAsync(c.Path, c.Name, c.Parent?.Id, c.Level, ct);
        foreach (var p in _products.Values) if (p.Category is not null) p.CategoryId = p.Category.Id;

        var newProducts = _products.Values.Where(p => p.IsNew).ToList();
        var productIds = await products.InsertAsync(newProducts.Select(Record).ToList(), now, ct);
        for (var i = 0; i < newProducts.Count; i++) newProducts[i].Id = productIds[i];
        await products.UpdateFromEventsAsync(_products.Values.Where(p => p.Dirty && !p.IsNew).Select(p => (p.Id, Record(p))).ToList(), now, ct);

        var newCustomers = _newCustomers.Where(c => c.MergedInto is null).ToList();
        var customerIds = await customers.InsertAsync(newCustomers, ct);
        for (var i = 0; i < newCustomers.Count; i++) newCustomers[i].Id = customerIds[i];
        var changed = _customers.Values.Where(c => c.Dirty && c.MergedInto is null).ToList();
        await customers.UpdateAsync(changed.Where(c => c.IdentityDirty).ToList(), ct);
        await customers.UpdateSeenAsync(changed.Where(c => !c.IdentityDirty).ToList(), ct);
        foreach (var (loser, _) in _merges) await customers.MergeAsync(loser.Id, Survivor(loser).Id, ct);
        await customers.AddIdentitiesAsync(_newIdentities.Select(i => (i.Key, Survivor(i.Customer).Id)).ToList(), now, ct);
        await customers.AddConflictsAsync(_conflicts.Select(c => (Survivor(c.Customer).Id, c.EventId, c.Reason)).ToList(), now, ct);
        // One confirmation a week per address at most (the outbox key), however often a storefront asks.
        await new OutboxWriter(w, s).EnqueueAsync(_confirmations.DistinctBy(c => c.Email)
            .Select(c => OutboxWriter.Confirmation(s, store.ConfirmationMessageId, Survivor(c.Customer).Id, c.Email, now)).ToList(), now, ct);

        var orders = new OrderWriter(w, s);
        var newOrders = _orders.Values.Where(o => o.IsNew).ToList();
        var orderIds = await orders.InsertAsync(newOrders.Select(o => new Order
        {
            ExternalId = o.ExternalId, CustomerId = o.Customer is null ? null : Survivor(o.Customer).Id, PlacedAt = o.PlacedAt, Value = o.Value, Currency = o.Currency,
            Coupon = o.Coupon, Shipping = o.Shipping, Tax = o.Tax, RefundedValue = o.RefundedValue, RefundedAt = o.RefundedAt,
        }).ToList(), ct);
        for (var i = 0; i < newOrders.Count; i++) newOrders[i].Id = orderIds[i];
        await orders.AddLinesAsync(_orders.Values.SelectMany(o => o.Lines.Where(l => l.IsNew)
            .Select(l => new OrderLine { OrderId = o.Id, LineNo = l.LineNo, ProductId = l.Product.Id, Quantity = l.Quantity, Price = l.Price, RefundedQuantity = l.RefundedQuantity }))
            .ToList(), ct);
        var stored = _orders.Values.Where(o => !o.IsNew).ToList();
        await orders.RefundAsync(
            stored.SelectMany(o => o.Lines.Where(l => l.Dirty && !l.IsNew).Select(l => (o.Id, l.LineNo, l.RefundedQuantity - l.RefundedBefore))).ToList(),
            stored.Where(o => o.Dirty).Select(o => (o.Id, o.RefundedValue - o.RefundedBefore, o.RefundedAt ?? now)).ToList(), ct);

        // Last: on PostgreSQL it takes the store's event lock, held until the commit.
        await new StoredEvents(w, s).AppendAsync(_events.Select(r =>
        {
            var e = r.Event;
            return new StoredEvent
            {
                EventId = e.EventId, Name = e.Name, CustomerId = Survivor(r.Customer).Id, OccurredAt = e.Timestamp ?? now, Payload = e.RawJson,
                AnonymousId = e.Identity.AnonymousId, TransactionId = e.TransactionId, Value = e.Value, Currency = e.Currency,
                UtmSource = e.Utm.Source, UtmMedium = e.Utm.Medium, UtmCampaign = e.Utm.Campaign,
            };
        }).ToList(), now, ct);
    }

    private static Product Record(ProductRow p) =>
        new() { ExternalId = p.ExternalId, Name = p.Name, Brand = p.Brand, Price = p.Price, Currency = p.Currency, CategoryId = p.CategoryId };
}
