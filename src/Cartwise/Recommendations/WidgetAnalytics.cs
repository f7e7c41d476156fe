using System.Text.Json;
using Cartwise.Core.Recommendations;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Recommendations;

/// <summary>The widgets' figures over a range of the store's days (clicks in the range; what followed them up to 7 days after).</summary>
public sealed record WidgetReport(DateOnly From, DateOnly To, int AttributionDays, string Currency, IReadOnlyList<WidgetFigures> Rows, WidgetFigures Total);

/// <summary>
/// Reads what the storefront script reported (<c>view_item_list</c> and <c>select_item</c> events whose list id starts
/// with <see cref="ListPrefix"/>), the additions and orders of the customers who clicked, and lets
/// <see cref="WidgetAttribution"/> count them. The API's <c>/analytics/recommendations</c> and the admin page read it here.
/// </summary>
public static class WidgetAnalytics
{
    /// <summary>The storefront script's item_list_id is this and the widget's kind (cartwise_cart, cartwise_upsell…).</summary>
    public const string ListPrefix = "cartwise_";

    public static async Task<WidgetReport> ComputeAsync(CartwiseDb db, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var (start, end) = StoreFigures.Bounds(store, from, to);
        var impressions = new List<WidgetImpression>();
        var clicks = new List<WidgetClick>();
        var events = db.Events.AsNoTracking()
            .Where(e => (e.Name == EventNames.ViewItemList || e.Name == EventNames.SelectItem) && e.OccurredAt >= start && e.OccurredAt < end)
            .Select(e => new { e.Name, e.CustomerId, e.OccurredAt, e.Payload }).AsAsyncEnumerable();
        await foreach (var e in events.WithCancellation(ct))
        {
            if (Read(e.Payload) is not { } list) continue;
            if (e.Name == EventNames.ViewItemList) impressions.Add(new WidgetImpression(list.Widget, list.Strategy, list.Items.Count));
            else if (e.CustomerId is { } customer) clicks.Add(new WidgetClick(list.Widget, list.Strategy, customer, e.OccurredAt, list.Items));
        }

        // What the clicking customers did afterwards, up to the window past the range's end.
        var until = end + WidgetAttribution.Window;
        var additions = new List<CartAddition>();
        var orders = new List<PlacedOrder>();
        foreach (var chunk in clicks.Select(c => c.Customer).Distinct().Chunk(2000))
        {
            foreach (var a in await db.Events.AsNoTracking()
                         .Where(e => e.Name == EventNames.AddToCart && e.CustomerId != null && chunk.Contains(e.CustomerId.Value) && e.OccurredAt >= start && e.OccurredAt < until)
                         .Select(e => new { Customer = e.CustomerId!.Value, e.OccurredAt, e.Payload }).ToListAsync(ct))
                additions.Add(new CartAddition(a.Customer, a.OccurredAt, EventParser.ItemIds(a.Payload)));
            var placed = await db.Orders.AsNoTracking()
                .Where(o => o.CustomerId != null && chunk.Contains(o.CustomerId.Value) && o.PlacedAt >= start && o.PlacedAt < until)
                .Select(o => new { o.Id, Customer = o.CustomerId!.Value, o.PlacedAt, Net = o.Value - o.RefundedValue }).ToListAsync(ct);
            var ids = placed.Select(o => o.Id).ToList();
            var lines = await (from l in db.OrderLines.AsNoTracking()
                               where ids.Contains(l.OrderId)
                               join p in db.Products.AsNoTracking() on l.ProductId equals p.Id
                               select new { l.OrderId, p.ExternalId, Value = l.Price * (l.Quantity - l.RefundedQuantity) }).ToListAsync(ct);
            var byOrder = lines.GroupBy(l => l.OrderId).ToDictionary(g => g.Key, g => g.GroupBy(l => l.ExternalId).ToDictionary(x => x.Key, x => x.Sum(l => l.Value), StringComparer.Ordinal));
            orders.AddRange(placed.Select(o => new PlacedOrder(o.Id, o.Customer, o.PlacedAt, o.Net,
                byOrder.GetValueOrDefault(o.Id) ?? new Dictionary<string, decimal>(StringComparer.Ordinal))));
        }
        var (rows, total) = WidgetAttribution.Compute(impressions, clicks, additions, orders);
        return new WidgetReport(from, to, (int)WidgetAttribution.Window.TotalDays, store.Currency, rows, total);
    }

    /// <summary>A widget's list from an event: (widget, strategy, item ids), or null for lists that are not Cartwise's.</summary>
    private static (string Widget, string Strategy, IReadOnlyList<string> Items)? Read(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        if (!root.TryGetProperty("item_list_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { } listId
            || !listId.StartsWith(ListPrefix, StringComparison.Ordinal)) return null;
        var strategy = root.TryGetProperty("item_list_name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "";
        return (listId[ListPrefix.Length..], strategy, EventParser.ItemIds(root));
    }

    /// <summary>The range a report opens with: the last 30 days up to today in the store's time zone.</summary>
    public static async Task<(DateOnly From, DateOnly To)> DefaultRangeAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var today = StoreFigures.DayOf(store, now);
        return (today.AddDays(-29), today);
    }
}
