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
        var lines = await (from o in db.Orders.AsNoTracking()
                           where o.CustomerId == customerId
                           join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                           where l.RefundedQuantity < l.Quantity
                           select new { l.ProductId, OrderId = o.Id, o.PlacedAt }).ToListAsync(ct);
        var byProduct = lines.GroupBy(l => l.ProductId).ToList();
        return new PurchaseHistory(
            byProduct.OrderBy(g => g.Min(l => l.PlacedAt)).ThenBy(g => g.Key).Select(g => g.Key).ToList(),
            byProduct.ToDictionary(g => g.Key, g => g.Max(l => l.PlacedAt)),
            byProduct.ToDictionary(g => g.Key, g => g.Select(l => l.OrderId).Distinct().Count()));
    }
}
