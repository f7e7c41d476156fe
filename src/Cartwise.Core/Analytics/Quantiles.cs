namespace Cartwise.Core.Analytics;

/// <summary>Quantiles and the round numbers a person would write, shared by every report that shows them.</summary>
public static class Quantiles
{
    /// <summary>
    /// The <paramref name="p"/>-quantile of ascending <paramref name="sorted"/> by linear interpolation between the
    /// closest ranks (R's type 7, numpy's default): the median of an even count is the mean of the middle two.
    /// </summary>
    public static decimal Of(IReadOnlyList<decimal> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var h = (sorted.Count - 1) * Math.Clamp(p, 0, 1);
        var lo = (int)Math.Floor(h);
        if (lo >= sorted.Count - 1) return sorted[^1];
        return sorted[lo] + (decimal)(h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>
    /// The same over values with counts (a price sold 40 times counts 40 times), without expanding them:
    /// <paramref name="sorted"/> ascending by value, each count at least 1.
    /// </summary>
    public static decimal OfCounted(IReadOnlyList<(decimal Value, long Count)> sorted, double p)
    {
        var n = sorted.Sum(x => x.Count);
        if (n == 0) return 0;
        var h = (n - 1) * Math.Clamp(p, 0, 1);
        var lo = (long)Math.Floor(h);
        decimal At(long rank)
        {
            foreach (var (value, count) in sorted)
            {
                if (rank < count) return value;
                rank -= count;
            }
            return sorted[^1].Value;
        }
        var low = At(lo);
        return lo >= n - 1 ? low : low + (decimal)(h - lo) * (At(lo + 1) - low);
    }

    /// <summary>The same over days (time between orders).</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var h = (sorted.Count - 1) * Math.Clamp(p, 0, 1);
        var lo = (int)Math.Floor(h);
        if (lo >= sorted.Count - 1) return sorted[^1];
        return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>1, 2 or 5 times a power of ten, the smallest at or above <paramref name="v"/> (a histogram's bucket width).</summary>
    public static decimal NiceStep(decimal v)
    {
        if (v <= 0) return 1;
        var magnitude = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)v)));
        var f = v / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    /// <summary>Two significant digits (347 → 350, 1,234 → 1,200), the way a marketer writes a bound.</summary>
    public static decimal TwoDigits(decimal v)
    {
        if (v <= 0) return 0;
        var magnitude = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)v)) - 1);
        return Math.Round(v / magnitude) * magnitude;
    }

    /// <summary>
    /// Up to the next multiple of 5 in the second digit (47 → 50, 163 → 200, 1,234 → 1,500; below 10 to halves): a
    /// threshold a shop would print.
    /// </summary>
    public static decimal UpToFive(decimal v)
    {
        if (v <= 0) return 0;
        var step = 5 * (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)v)) - 1);
        return Math.Ceiling(v / step) * step;
    }
}
