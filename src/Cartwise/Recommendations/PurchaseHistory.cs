using Cartwise.Data;

namespace Cartwise.Recommendations;

/// <summary>
/// A customer's purchases as recommendations read them (refunded lines left out): the products in the order first
/// bought, when each was last bought, and how many orders held each.
/// </summary>
public sealed record PurchaseHistory(IReadOnlyList<long> Products, IReadOnlyDictionary<long, DateTimeOffset> LastAt, IReadOnlyDictionary<long, int> Orders)
{
    public static readonly PurchaseHistory None = new([], new Dictionary<long, DateTimeOffset>(), new Dictionary<long, int>());

    public static async Task<PurchaseHistory> LoadAsync(CartwiseDb db, long customerId, CancellationToken ct) =>
        (await LoadManyAsync(db, [customerId], ct))[customerId];

    /// <summary>
    /// The histories of several customers in one query (the outbox loads a claimed batch's at once): every id asked
    /// for is in the answer, <see cref="None"/> for a customer without purchases. Plain SQL summed up here: the lines
    /// through EF's materialisation, or a GROUP BY in SQLite (a temporary B-tree per query), cost three times as much.
    /// </summary>
    public static async Task<Dictionary<long, PurchaseHistory>> LoadManyAsync(CartwiseDb db, IEnumerable<long> customerIds, CancellationToken ct)
    {
        var ids = customerIds.Distinct().ToList();
        var histories = ids.ToDictionary(id => id, _ => None);
        if (ids.Count == 0) return histories;
        var bought = new Dictionary<(long Customer, long Product), (DateTimeOffset First, DateTimeOffset Last, int Orders)>();
        var counted = new HashSet<(long Order, long Product)>();
        await Sql.QueryInAsync(DbSession.From(db),
            $$"""
            SELECT o."CustomerId", l."ProductId", o."PlacedAt", o."Id"
            FROM "Orders" o JOIN "OrderLines" l ON l."OrderId" = o."Id"
            WHERE {{StoreSql.Check("o")}} AND o."CustomerId" IN ({in}) AND l."RefundedQuantity" < l."Quantity"
            """,
            [db.CurrentStoreId], ids, r =>
            {
                var key = (r.GetInt64(0), r.GetInt64(1));
                var at = Sql.Time(r, 2);
                var again = counted.Add((r.GetInt64(3), key.Item2)) ? 1 : 0;
                bought[key] = bought.TryGetValue(key, out var b) ? (at < b.First ? at : b.First, at > b.Last ? at : b.Last, b.Orders + again) : (at, at, again);
                return 0;
            }, ct);
        foreach (var customer in bought.GroupBy(kv => kv.Key.Customer))
            histories[customer.Key] = new PurchaseHistory(
                customer.OrderBy(p => p.Value.First).ThenBy(p => p.Key.Product).Select(p => p.Key.Product).ToList(),
                customer.ToDictionary(p => p.Key.Product, p => p.Value.Last),
                customer.ToDictionary(p => p.Key.Product, p => p.Value.Orders));
        return histories;
    }
}
