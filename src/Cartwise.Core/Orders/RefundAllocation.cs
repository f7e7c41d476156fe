namespace Cartwise.Core.Orders;

/// <summary>
/// Which order lines a refund of some units of a product takes them from. Pure; tracking (a refund names its order)
/// and order import (a cancellation names only customer and product) both allocate through it.
/// </summary>
public static class RefundAllocation
{
    /// <summary>
    /// Takes <paramref name="units"/> from lines in the order given, each up to its unrefunded quantity
    /// (<paramref name="unrefunded"/>, same order). Returns the units taken per line (same order, 0 for untouched)
    /// and the units no line could take.
    /// </summary>
    public static (int[] Taken, int Left) Allocate(int units, IReadOnlyList<int> unrefunded)
    {
        var taken = new int[unrefunded.Count];
        for (var i = 0; i < unrefunded.Count && units > 0; i++)
        {
            var take = Math.Min(units, Math.Max(0, unrefunded[i]));
            taken[i] = take;
            units -= take;
        }
        return (taken, units);
    }

    /// <summary>
    /// The purchases a cancellation at <paramref name="refundAt"/> may refund, most recent first: the data does not
    /// say which invoice it cancels, and a refund never reaches a purchase made after it.
    /// </summary>
    public static List<T> LatestFirst<T>(IEnumerable<T> purchases, Func<T, DateTimeOffset> placedAt, DateTimeOffset refundAt) =>
        purchases.Where(p => placedAt(p) <= refundAt).OrderByDescending(placedAt).ToList();
}
