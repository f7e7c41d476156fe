namespace Cartwise.Core;

/// <summary>A difference between two groups with its 95% interval (normal approximation).</summary>
public readonly record struct Difference(double Value, double Low, double High)
{
    /// <summary>True when the interval lies wholly above zero: the first group is better beyond chance.</summary>
    public bool Significant => Low > 0;
}

/// <summary>95% intervals for the differences reports and A/B tests compare: of two proportions, of two means.</summary>
public static class Intervals
{
    private const double Z95 = 1.959963984540054;

    /// <summary>p₁ − p₂ for <paramref name="k1"/> of <paramref name="n1"/> against <paramref name="k2"/> of <paramref name="n2"/>; [0, 0] when a group is empty.</summary>
    public static Difference OfProportions(long k1, long n1, long k2, long n2)
    {
        if (n1 == 0 || n2 == 0) return default;
        double p1 = (double)k1 / n1, p2 = (double)k2 / n2;
        var se = Math.Sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
        return new Difference(p1 - p2, p1 - p2 - Z95 * se, p1 - p2 + Z95 * se);
    }

    /// <summary>
    /// μ₁ − μ₂ from each group's count, sum and sum of squares (Welch's standard error, normal quantile: the groups
    /// compared here hold hundreds of customers).
    /// </summary>
    public static Difference OfMeans(long n1, double sum1, double squares1, long n2, double sum2, double squares2)
    {
        if (n1 < 2 || n2 < 2) return default;
        double m1 = sum1 / n1, m2 = sum2 / n2;
        var v1 = Math.Max(0, (squares1 - n1 * m1 * m1) / (n1 - 1));
        var v2 = Math.Max(0, (squares2 - n2 * m2 * m2) / (n2 - 1));
        var se = Math.Sqrt(v1 / n1 + v2 / n2);
        return new Difference(m1 - m2, m1 - m2 - Z95 * se, m1 - m2 + Z95 * se);
    }
}
