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
    /// <summary>What is wrong with a query's parameters (the field and why), or null; the window they give.</summary>
    public static (string Field, string Error)? Problem(string level, int? depth, string? window, int? minSupport, string? sort, out TimeSpan span)
    {
        span = NextPurchases.DefaultWindow;
        if (level is not ("product" or "category")) return ("level", "Must be product or category.");
        if (depth is < 1) return ("depth", "Must be 1 (the top level) or more.");
        if (window is { Length: > 0 } && (!Core.Scenarios.Durations.TryParse(window, out span) || span <= TimeSpan.Zero || span > TimeSpan.FromDays(730)))
            return ("window", $"'{window}' is not a window: write e.g. 30d, 8w (at most 730 days).");
        if (minSupport is < 1) return ("minSupport", "Must be 1 or more.");
        if (sort is not (null or "" or "lift" or "confidence" or "support" or "lag")) return ("sort", "Must be lift, confidence, support or lag.");
        return null;
    }

    /// <summary>The rules of one antecedent (by id or name) when given, in the order asked (lift unless said).</summary>
    public static IEnumerable<NextRuleView> Select(IEnumerable<NextRuleView> rules, string? antecedent, string? sort)
    {
        if (antecedent is { Length: > 0 }) rules = rules.Where(r => r.Antecedent.Id == antecedent || r.Antecedent.Name == antecedent);
        return sort switch
        {
            "confidence" => rules.OrderByDescending(r => r.Confidence),
            "support" => rules.OrderByDescending(r => r.Support),
            "lag" => rules.OrderBy(r => r.MedianLagDays),
            _ => rules,
        };
    }

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
