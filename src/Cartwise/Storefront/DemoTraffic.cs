using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Stores;
using Cartwise.Tracking;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Storefront;

/// <summary>
/// The demo's light synthetic traffic (<c>serve --demo</c> only; <c>--demo-traffic off</c> stops it): now and then a
/// visitor views a product of the demo catalogue, sometimes puts it in the cart, and once in a while one of the demo's
/// customers orders it. The events go through the tracking path a shop's own take (the parser, then the one event
/// writer) and are labelled: <c>utm_source=demo-traffic</c>, <c>utm_medium=synthetic</c>, ids starting with
/// <c>demo-traffic-</c>.
/// </summary>
public sealed class DemoTraffic(DatabaseTarget target, EventWriter writer, TimeProvider clock, Random? random = null)
{
    public const string Source = "demo-traffic";
    public const string Medium = "synthetic";

    private readonly Random _random = random ?? new Random();
    private (long Store, List<(string Id, string? Name, decimal Price, string? Category)> Products, List<(string Id, string Email)> Customers)? _demo;

    /// <summary>One visit of one visitor; returns the events stored (none until the demo has products).</summary>
    public async Task<int> VisitAsync(CancellationToken ct)
    {
        _demo ??= await LoadAsync(ct);
        if (_demo is not { Products.Count: > 0 } demo) return 0;
        var now = clock.GetUtcNow();
        var product = demo.Products[_random.Next(demo.Products.Count)];
        var known = demo.Customers.Count > 0 && _random.NextDouble() < 0.3 ? demo.Customers[_random.Next(demo.Customers.Count)] : ((string Id, string Email)?)null;
        var visit = $"{Source}-{now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{_random.Next(1_000_000).ToString(CultureInfo.InvariantCulture)}";
        var who = known is { } c ? new Dictionary<string, object?> { ["customer_id"] = c.Id, ["email"] = c.Email } : new Dictionary<string, object?> { ["anonymous_id"] = visit };
        var item = new Dictionary<string, object?> { ["item_id"] = product.Id, ["item_name"] = product.Name, ["price"] = product.Price, ["quantity"] = 1, ["item_category"] = product.Category };
        var names = new List<string> { EventNames.ViewItem };
        if (_random.NextDouble() < 0.3) names.Add(EventNames.AddToCart);
        if (known is not null && names.Count == 2 && _random.NextDouble() < 0.3) names.Add(EventNames.Purchase);
        var events = new List<TrackedEvent>();
        for (var i = 0; i < names.Count; i++)
        {
            var e = new Dictionary<string, object?>(who)
            {
                ["event_id"] = $"{visit}-{i}", ["name"] = names[i], ["timestamp"] = now.AddSeconds(i * 20 - 60).ToString("O", CultureInfo.InvariantCulture),
                ["utm_source"] = Source, ["utm_medium"] = Medium, ["items"] = new[] { item },
            };
            if (names[i] == EventNames.Purchase)
                (e["transaction_id"], e["value"], e["currency"]) = ($"{visit}-order", product.Price, "GBP");
            using var doc = JsonDocument.Parse(JsonSerializer.Serialize(e));
            var parsed = EventParser.ParseEvent(doc.RootElement, i, "", new ParseContext(now, "GB", null));
            // The demo speaks for its own customers, as a shop's server does with the admin key.
            if (parsed.Event is { } ok) events.Add(ok with { Verified = true });
        }
        await writer.WriteAsync(demo.Store, events, ct);
        return events.Count;
    }

    private async Task<(long, List<(string, string?, decimal, string?)>, List<(string, string)>)?> LoadAsync(CancellationToken ct)
    {
        await using var db = target.CreateContext();
        var store = await db.Stores.AsNoTracking().Where(s => s.Slug == DemoStore.Slug).Select(s => (long?)s.Id).SingleOrDefaultAsync(ct);
        if (store is not { } id) return null;
        db.CurrentStoreId = id;
        var products = await db.Products.AsNoTracking().Where(p => p.Available && p.Price != null).OrderBy(p => p.Id).Take(300)
            .Select(p => new { p.ExternalId, p.Name, p.Price, Category = p.Category == null ? null : p.Category.Path }).ToListAsync(ct);
        var customers = await db.Customers.AsNoTracking().Where(c => c.ExternalId != null && c.Email != null && c.MergedIntoId == null && c.ErasedAt == null)
            .OrderBy(c => c.Id).Take(200).Select(c => new { c.ExternalId, c.Email }).ToListAsync(ct);
        return products.Count == 0 ? null
            : (id, products.Select(p => (p.ExternalId, p.Name, p.Price!.Value, p.Category)).ToList(), customers.Select(c => (c.ExternalId!, c.Email!)).ToList());
    }
}

/// <summary>A demo visit every 30 seconds (on the injected clock).</summary>
internal sealed class DemoTrafficWorker(DemoTraffic traffic, TimeProvider clock, ILogger<DemoTrafficWorker> log) : Hosting.PollingWorker(clock, TimeSpan.FromSeconds(30), log)
{
    internal override Task PassAsync(CancellationToken ct) => traffic.VisitAsync(ct);
}
