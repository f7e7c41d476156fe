using Cartwise.Core.Mining;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Recommendations;

/// <summary>A next-purchase rule as the API and the CLI show it: the items or categories by id and name.</summary>
public sealed record NextRuleView(string Level, RuleItem Antecedent, RuleItem Consequent, int Support, double Confidence, double Lift, double MedianLagDays,
    double LagQ1Days, double LagQ3Days);

/// <summary>
/// The store's next-purchase rules (<see cref="NextPurchases.Mine"/>) over its customers' orders, refunded lines left
/// out, at product level or at a category level (each product counted under its category, or that category's
/// ancestor at <c>depth</c>).
/// </summary>
public static class NextPurchaseRules
{
    /// <summary>The window unless one is given.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(60);

    public static async Task<List<NextRuleView>> MineAsync(CartwiseDb db, string level, int? depth, TimeSpan window, int minSupport, CancellationToken ct)
    {
        var lines = await (from o in db.Orders.AsNoTracking()
                           join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                           where o.CustomerId != null && l.Quantity > l.RefundedQuantity
                           select new { Customer = o.CustomerId!.Value, o.Id, o.PlacedAt, l.ProductId }).ToListAsync(ct);
        var products = await db.Products.AsNoTracking().Select(p => new { p.Id, p.ExternalId, p.Name, p.CategoryId }).ToDictionaryAsync(p => p.Id, ct);
        var categories = await db.Categories.AsNoTracking().Select(c => new { c.Id, c.ParentId, c.Path, c.Level }).ToDictionaryAsync(c => c.Id, ct);
        long? CategoryOf(long product)
        {
            var c = products.GetValueOrDefault(product)?.CategoryId;
            while (depth is { } d && c is { } id && categories.TryGetValue(id, out var node) && node.Level > d) c = node.ParentId;
            return c;
        }
        var byCategory = level == "category";
        var customers = lines.GroupBy(l => l.Customer).Select(c => (IReadOnlyList<TimedBasket>)c.GroupBy(l => l.Id)
            .Select(o => new TimedBasket(o.First().PlacedAt, (byCategory ? o.Select(l => CategoryOf(l.ProductId)).OfType<long>() : o.Select(l => l.ProductId)).Distinct().ToArray()))
            .Where(b => b.Items.Count > 0).ToList()).ToList();
        RuleItem Item(long id) => byCategory
            ? new RuleItem(id.ToString(System.Globalization.CultureInfo.InvariantCulture), categories.GetValueOrDefault(id)?.Path)
            : products.TryGetValue(id, out var p) ? new RuleItem(p.ExternalId, p.Name) : new RuleItem(id.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        return NextPurchases.Mine(customers, window, minSupport).Select(r => new NextRuleView(level, Item(r.Antecedent), Item(r.Consequent), r.Support,
            Math.Round(r.Confidence, 6), Math.Round(r.Lift, 6), Math.Round(r.MedianLagDays, 2), Math.Round(r.LagQ1Days, 2), Math.Round(r.LagQ3Days, 2))).ToList();
    }
}
