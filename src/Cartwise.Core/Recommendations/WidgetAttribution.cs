namespace Cartwise.Core.Recommendations;

/// <summary>A widget shown: its items, by the strategy that picked them.</summary>
public sealed record WidgetImpression(string Widget, string Strategy, int Items);

/// <summary>A click on a widget's item (its link or its add-to-cart button; a bundle's button clicks all its items).</summary>
public sealed record WidgetClick(string Widget, string Strategy, long Customer, DateTimeOffset At, IReadOnlyList<string> Items);

/// <summary>Items a customer put in the cart.</summary>
public sealed record CartAddition(long Customer, DateTimeOffset At, IReadOnlyList<string> Items);

/// <summary>An order with what each of its items was worth (net of refunds).</summary>
public sealed record PlacedOrder(long Id, long Customer, DateTimeOffset At, decimal Value, IReadOnlyDictionary<string, decimal> Items);

/// <param name="AddedToCart">Clicked items the same customer then put in the cart within the window (each click's item once).</param>
/// <param name="Orders">Orders containing an item the customer had clicked in this widget within the window before (each once).</param>
/// <param name="Revenue">Those orders' whole value.</param>
/// <param name="ItemRevenue">The part of it that the clicked items make.</param>
public sealed record WidgetFigures(string Widget, string Strategy, int Impressions, int ItemsShown, int Clicks, double? ClickThroughRate,
    int AddedToCart, int Orders, decimal Revenue, decimal ItemRevenue);

/// <summary>
/// What each storefront widget and strategy earned: impressions, clicks, click-through rate, and the additions to
/// the cart and orders that followed a click of the same customer on the same item within <see cref="Window"/>.
/// </summary>
public static class WidgetAttribution
{
    /// <summary>How long after a click an addition or an order is credited to the widget.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    /// <summary>A row per (widget, strategy), most clicked first, and the total (an order counts once in it, however many widgets led to it).</summary>
    public static (IReadOnlyList<WidgetFigures> Rows, WidgetFigures Total) Compute(IEnumerable<WidgetImpression> impressions, IReadOnlyList<WidgetClick> clicks,
        IEnumerable<CartAddition> additions, IEnumerable<PlacedOrder> orders)
    {
        var shown = impressions.GroupBy(i => (i.Widget, i.Strategy)).ToDictionary(g => g.Key, g => (Count: g.Count(), Items: g.Sum(i => i.Items)));
        var clicksByCustomer = clicks.GroupBy(c => c.Customer).ToDictionary(g => g.Key, g => g.ToList());

        var added = new Dictionary<(string, string), int>();
        var addsByCustomer = additions.Where(a => clicksByCustomer.ContainsKey(a.Customer)).GroupBy(a => a.Customer).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var click in clicks)
        {
            if (!addsByCustomer.TryGetValue(click.Customer, out var adds)) continue;
            var n = click.Items.Count(item => adds.Any(a => a.At >= click.At && a.At <= click.At + Window && a.Items.Contains(item)));
            if (n > 0) added[(click.Widget, click.Strategy)] = added.GetValueOrDefault((click.Widget, click.Strategy)) + n;
        }

        var earned = new Dictionary<(string, string), (int Orders, decimal Revenue, decimal Items)>();
        var total = (Orders: 0, Revenue: 0m, Items: 0m);
        foreach (var order in orders)
        {
            if (!clicksByCustomer.TryGetValue(order.Customer, out var theirs)) continue;
            var before = theirs.Where(c => c.At <= order.At && order.At - c.At <= Window).ToList();
            var credited = false;
            var allItems = new HashSet<string>(StringComparer.Ordinal);
            foreach (var group in before.GroupBy(c => (c.Widget, c.Strategy)))
            {
                var items = group.SelectMany(c => c.Items).Where(order.Items.ContainsKey).ToHashSet(StringComparer.Ordinal);
                if (items.Count == 0) continue;
                var e = earned.GetValueOrDefault(group.Key);
                earned[group.Key] = (e.Orders + 1, e.Revenue + order.Value, e.Items + items.Sum(i => order.Items[i]));
                allItems.UnionWith(items);
                credited = true;
            }
            if (credited) total = (total.Orders + 1, total.Revenue + order.Value, total.Items + allItems.Sum(i => order.Items[i]));
        }

        var keys = shown.Keys.Concat(clicks.Select(c => (c.Widget, c.Strategy))).Distinct();
        var clickCounts = clicks.GroupBy(c => (c.Widget, c.Strategy)).ToDictionary(g => g.Key, g => g.Count());
        var rows = keys.Select(k =>
        {
            var s = shown.GetValueOrDefault(k);
            var c = clickCounts.GetValueOrDefault(k);
            var e = earned.GetValueOrDefault(k);
            return new WidgetFigures(k.Widget, k.Strategy, s.Count, s.Items, c, s.Count == 0 ? null : Math.Round((double)c / s.Count, 4),
                added.GetValueOrDefault(k), e.Orders, e.Revenue, e.Items);
        }).OrderByDescending(r => r.Clicks).ThenByDescending(r => r.Impressions).ThenBy(r => r.Widget, StringComparer.Ordinal).ThenBy(r => r.Strategy, StringComparer.Ordinal).ToList();
        var impressionsTotal = rows.Sum(r => r.Impressions);
        var clicksTotal = rows.Sum(r => r.Clicks);
        return (rows, new WidgetFigures("all", "all", impressionsTotal, rows.Sum(r => r.ItemsShown), clicksTotal,
            impressionsTotal == 0 ? null : Math.Round((double)clicksTotal / impressionsTotal, 4), rows.Sum(r => r.AddedToCart), total.Orders, total.Revenue, total.Items));
    }
}
