namespace Cartwise.Core.Analytics;

/// <summary>Orders whose net value is at least <see cref="From"/> and below <see cref="To"/> (null: no upper end).</summary>
public sealed record ValueBucket(decimal From, decimal? To, int Orders);

/// <summary>The value below which a share <see cref="P"/> of the orders end.</summary>
public sealed record QuantileValue(double P, decimal Value);

/// <summary>The order values of a range: counts, sums, their distribution.</summary>
/// <param name="Orders">Sales: orders of which something was kept.</param>
/// <param name="Revenue">Their value net of refunds.</param>
/// <param name="CouponShare">Share of the sales placed with a coupon.</param>
/// <param name="RefundedOrders">Orders wholly refunded (left out of the other figures).</param>
/// <param name="Refunded">What refunds took back from all the range's orders.</param>
public sealed record OrderValueReport(int Orders, decimal Revenue, decimal AverageOrderValue, decimal Median, IReadOnlyList<QuantileValue> Quantiles,
    decimal BucketWidth, IReadOnlyList<ValueBucket> Histogram, double CouponShare, int RefundedOrders, decimal Refunded);

/// <summary>Order values (SPEC R2): what a shop's orders are worth, for tiers and thresholds.</summary>
public static class OrderValues
{
    /// <summary>The quantiles every report lists.</summary>
    public static readonly double[] ListedQuantiles = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

    /// <summary>
    /// The figures of <paramref name="orders"/> (already limited to the range). Sales are orders with something
    /// kept after refunds; their net values give the revenue, the average, the quantiles (<see cref="Quantiles.Of(IReadOnlyList{decimal}, double)"/>)
    /// and the histogram (<see cref="Histogram"/>).
    /// </summary>
    public static OrderValueReport Compute(IEnumerable<OrderFact> orders, decimal? bucketWidth = null)
    {
        var all = orders.ToList();
        var sales = all.Where(o => o.IsSale).ToList();
        var values = sales.Select(o => o.Net).Order().ToList();
        var revenue = values.Sum();
        var (width, buckets) = Histogram(values, bucketWidth);
        return new OrderValueReport(values.Count, revenue, values.Count == 0 ? 0 : Math.Round(revenue / values.Count, 2), Math.Round(Quantiles.Of(values, 0.5), 2),
            ListedQuantiles.Select(p => new QuantileValue(p, Math.Round(Quantiles.Of(values, p), 2))).ToList(), width, buckets,
            sales.Count == 0 ? 0 : Math.Round((double)sales.Count(o => o.HasCoupon) / sales.Count, 4),
            all.Count(o => o.Value > 0 && !o.IsSale), all.Sum(o => o.Refunded));
    }

    /// <summary>
    /// Ascending values in buckets of <paramref name="width"/>, or, when none is given, of a width a person would
    /// pick (1, 2 or 5 times a power of ten) giving about 20 buckets up to the 95th percentile; values above the
    /// last bucket share one open-ended bucket.
    /// </summary>
    public static (decimal Width, IReadOnlyList<ValueBucket> Buckets) Histogram(IReadOnlyList<decimal> sorted, decimal? width = null)
    {
        if (sorted.Count == 0) return (width ?? 0, []);
        var top = sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(0.95 * sorted.Count))];
        var w = width is > 0 ? width.Value : Quantiles.NiceStep(Math.Max(top, 1) / 20);
        // A given width covers everything, up to 200 buckets; the chosen one stops at the 95th percentile.
        var count = width is > 0 ? (int)Math.Clamp(Math.Floor(sorted[^1] / w) + 1, 1, 200) : (int)Math.Max(1, Math.Ceiling(top / w));
        var counts = new int[count + 1];
        foreach (var v in sorted) counts[(int)Math.Min(count, Math.Floor(Math.Max(v, 0) / w))]++;
        var result = Enumerable.Range(0, count).Select(i => new ValueBucket(i * w, (i + 1) * w, counts[i])).ToList();
        if (counts[count] > 0) result.Add(new ValueBucket(count * w, null, counts[count]));
        return (w, result);
    }
}
