using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Recommendations;

/// <summary>
/// A customer's purchases as recommendations read them (refunded lines left out): the products in the order first
/// bought, when each was last bought, and how many orders held each.
/// </summary>
public sealed record PurchaseHistory(IReadOnlyList<long> Products, IReadOnlyDictionary<long, DateTimeOffset> LastAt, IReadOnlyDictionary<long, int> Orders)
{
    public static readonly PurchaseHistory None = new([], new Dictionary<long, DateTimeOffset>(), new Dictionary<long, int>());

    public static async Task<PurchaseHistory> LoadAsync(CartwiseDb db, long customerId, CancellationToken ct)
    {
        var lines = await UnrefundedLines(db, db.Orders.Where(o => o.CustomerId == customerId)).ToListAsync(ct);
        return From(lines.Select(l => l.Line));
    }

    /// <summary>
    /// The histories of several customers in one query (the outbox loads a claimed batch's at once): every id asked
    /// for is in the answer, <see cref="None"/> for a customer without purchases.
    /// </summary>
    public static async Task<Dictionary<long, PurchaseHistory>> LoadManyAsync(CartwiseDb db, IEnumerable<long> customerIds, CancellationToken ct)
    {
        var ids = customerIds.Distinct().ToList();
        var histories = ids.ToDictionary(id => id, _ => None);
        if (ids.Count == 0) return histories;
        var lines = await UnrefundedLines(db, db.Orders.Where(o => o.CustomerId != null && ids.Contains(o.CustomerId.Value))).ToListAsync(ct);
        foreach (var customer in lines.GroupBy(l => l.Customer)) histories[customer.Key] = From(customer.Select(l => l.Line));
        return histories;
    }

    /// <summary>A purchased product: which one, in which order, when.</summary>
    private sealed record Bought(long ProductId, long OrderId, DateTimeOffset PlacedAt);

    /// <summary>The unrefunded lines of <paramref name="orders"/> (orders of known customers), with their customer.</summary>
    private static IQueryable<CustomerLine> UnrefundedLines(CartwiseDb db, IQueryable<Orders.Order> orders) =>
        from o in orders.AsNoTracking()
        join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
        where l.RefundedQuantity < l.Quantity
        select new CustomerLine(o.CustomerId!.Value, new Bought(l.ProductId, o.Id, o.PlacedAt));

    private sealed record CustomerLine(long Customer, Bought Line);

    private static PurchaseHistory From(IEnumerable<Bought> lines)
    {
        var byProduct = lines.GroupBy(l => l.ProductId).ToList();
        return new PurchaseHistory(
            byProduct.OrderBy(g => g.Min(l => l.PlacedAt)).ThenBy(g => g.Key).Select(g => g.Key).ToList(),
            byProduct.ToDictionary(g => g.Key, g => g.Max(l => l.PlacedAt)),
            byProduct.ToDictionary(g => g.Key, g => g.Select(l => l.OrderId).Distinct().Count()));
    }
}
