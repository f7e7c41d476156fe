namespace Cartwise.Core.Attribution;

/// <summary>
/// Data-driven attribution by the removal effect of a first-order Markov chain over channels, solved exactly.
/// </summary>
public static class MarkovAttribution
{
    /// <summary>
    /// The chain's states are a start, each channel, and two absorbing ends: conversion and null. Every path adds its
    /// weight (conversions + nulls) to start → first channel and to each step between channels, its conversions to
    /// last channel → conversion and its nulls to last channel → null; rows are normalised to probabilities. The
    /// probability of converting from the start is x₀ of (I − Q)x = r (Q: transitions among start and channels, r:
    /// into conversion), solved by Gaussian elimination. A channel's removal effect is 1 − x₀′/x₀, with x₀′ the same
    /// probability when the channel leads to null; conversions and value are shared in proportion to the removal
    /// effects. Cost: one solve per channel, O(k⁴) for k channels (k in the tens for a shop).
    /// </summary>
    public static ModelResult Compute(IReadOnlyList<ConversionPath> paths)
    {
        var channels = AttributionModels.Channels(paths).Order(StringComparer.Ordinal).ToList();
        var index = channels.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i + 1, StringComparer.Ordinal);
        var n = channels.Count + 1;
        var counts = new double[n, n];
        var toConversion = new double[n];
        var toNull = new double[n];
        double totalConversions = 0;
        decimal totalValue = 0;
        foreach (var path in paths)
        {
            if (path.Channels.Count == 0) continue;
            var weight = path.Conversions + path.Nulls;
            var previous = 0;
            foreach (var c in path.Channels)
            {
                var state = index[c];
                counts[previous, state] += weight;
                previous = state;
            }
            toConversion[previous] += path.Conversions;
            toNull[previous] += path.Nulls;
            totalConversions += path.Conversions;
            totalValue += path.Value;
        }
        var q = new double[n, n];
        var r = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = toConversion[i] + toNull[i];
            for (var j = 0; j < n; j++) row += counts[i, j];
            if (row <= 0) continue;
            for (var j = 0; j < n; j++) q[i, j] = counts[i, j] / row;
            r[i] = toConversion[i] / row;
        }
        var baseline = ConversionProbability(q, r, removed: -1);
        var effects = new double[channels.Count];
        for (var c = 0; c < channels.Count; c++)
            effects[c] = baseline <= 0 ? 0 : Math.Max(0, 1 - ConversionProbability(q, r, removed: c + 1) / baseline);
        var sum = effects.Sum();
        return new ModelResult(AttributionModels.Markov, AttributionModels.Order(channels.Select((c, i) =>
        {
            var share = sum <= 0 ? 0 : effects[i] / sum;
            return new ChannelCredit(c, Math.Round(totalConversions * share, 6), Math.Round(totalValue * (decimal)share, 2), Math.Round(effects[i], 6));
        })));
    }

    /// <summary>x₀ of (I − Q)x = r with state <paramref name="removed"/> (if any) sent to null: its row and column dropped.</summary>
    private static double ConversionProbability(double[,] q, double[] r, int removed)
    {
        var states = Enumerable.Range(0, r.Length).Where(i => i != removed).ToArray();
        var m = states.Length;
        var a = new double[m, m + 1];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++) a[i, j] = (i == j ? 1 : 0) - q[states[i], states[j]];
            a[i, m] = r[states[i]];
        }
        // Gaussian elimination with partial pivoting; I − Q is non-singular because every state reaches an end.
        for (var col = 0; col < m; col++)
        {
            var pivot = col;
            for (var i = col + 1; i < m; i++) if (Math.Abs(a[i, col]) > Math.Abs(a[pivot, col])) pivot = i;
            if (Math.Abs(a[pivot, col]) < 1e-15) continue;
            if (pivot != col)
                for (var j = col; j <= m; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var i = col + 1; i < m; i++)
            {
                var f = a[i, col] / a[col, col];
                if (f == 0) continue;
                for (var j = col; j <= m; j++) a[i, j] -= f * a[col, j];
            }
        }
        var x = new double[m];
        for (var i = m - 1; i >= 0; i--)
        {
            if (Math.Abs(a[i, i]) < 1e-15) continue;
            var s = a[i, m];
            for (var j = i + 1; j < m; j++) s -= a[i, j] * x[j];
            x[i] = s / a[i, i];
        }
        return x[0];
    }
}
