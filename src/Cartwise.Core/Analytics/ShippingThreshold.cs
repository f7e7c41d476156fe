namespace Cartwise.Core.Analytics;

/// <summary>
/// A possible free-shipping threshold: the share of orders already at or above it (shipping given away without a
/// change) and the share within one typical item below it (the orders it may grow).
/// </summary>
public sealed record ThresholdCandidate(decimal Threshold, double ShareAbove, double ShareWithinOneItem);

/// <summary>The suggestion and the candidates it was chosen from.</summary>
/// <param name="TypicalItemPrice">The median price of the units sold.</param>
/// <param name="Suggested">Null when there are no orders.</param>
public sealed record ThresholdSuggestion(int Orders, decimal MedianOrderValue, decimal TypicalItemPrice, decimal? Suggested, IReadOnlyList<ThresholdCandidate> Candidates);

/// <summary>Where a free-shipping threshold would pay (SPEC S4, seed 003).</summary>
public static class ShippingThreshold
{
    /// <summary>A threshold most orders already reach gives shipping away: at most this share may be above it.</summary>
    public const double MaxShareAbove = 0.35;

    private static readonly double[] CandidateQuantiles = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9];

    /// <summary>
    /// Seed 003's reasoning: a threshold works a little above where most orders end, close enough that one more
    /// typical item crosses it (with products at 30–45 a threshold of 50 does not feel worth reaching). Candidates
    /// are the order values at the 50th to 90th percentiles and the median order plus one typical item, each rounded
    /// up to a price a shop would print (<see cref="Quantiles.UpToFive"/>); the suggestion is the candidate with the
    /// most orders within one typical item below it, among those with at most <see cref="MaxShareAbove"/> of orders
    /// already above (the lowest when several tie).
    /// </summary>
    /// <param name="orderValues">Net values of the sales, any order.</param>
    /// <param name="unitPrices">Prices with the units sold at each (the typical item is the median unit's price).</param>
    public static ThresholdSuggestion Suggest(IEnumerable<decimal> orderValues, IEnumerable<(decimal Price, long Units)> unitPrices)
    {
        var values = orderValues.Where(v => v > 0).Order().ToList();
        var prices = unitPrices.Where(p => p.Price > 0 && p.Units > 0).GroupBy(p => p.Price).Select(g => (g.Key, g.Sum(p => p.Units))).OrderBy(p => p.Key).ToList();
        if (values.Count == 0) return new ThresholdSuggestion(0, 0, 0, null, []);
        var median = Quantiles.Of(values, 0.5);
        var item = prices.Count == 0 ? 0 : Quantiles.OfCounted(prices, 0.5);
        var raw = CandidateQuantiles.Select(p => Quantiles.Of(values, p)).Append(median + item);
        var candidates = raw.Select(Quantiles.UpToFive).Where(t => t > 0).Distinct().Order().Select(t => Candidate(values, t, item)).ToList();
        var suggested = candidates.Where(c => c.ShareAbove <= MaxShareAbove).OrderByDescending(c => c.ShareWithinOneItem).ThenBy(c => c.Threshold).FirstOrDefault()
            ?? candidates.MaxBy(c => c.Threshold);
        return new ThresholdSuggestion(values.Count, Math.Round(median, 2), Math.Round(item, 2), suggested?.Threshold, candidates);
    }

    /// <summary>The shares of <paramref name="threshold"/> over ascending order values.</summary>
    public static ThresholdCandidate Candidate(IReadOnlyList<decimal> sorted, decimal threshold, decimal typicalItem)
    {
        var above = sorted.Count(v => v >= threshold);
        var within = sorted.Count(v => v < threshold && v >= threshold - typicalItem);
        return new ThresholdCandidate(threshold, Math.Round((double)above / sorted.Count, 4), Math.Round((double)within / sorted.Count, 4));
    }
}
