namespace Cartwise.Core.Attribution;

/// <summary>The attribution models (SPEC R3) and their names on the API and the command line.</summary>
public static class AttributionModels
{
    /// <summary>All credit to the last touch.</summary>
    public const string Last = "last";
    /// <summary>All credit to the first touch.</summary>
    public const string First = "first";
    /// <summary>Equal shares to every touch.</summary>
    public const string Linear = "linear";
    /// <summary>More to touches nearer the purchase, halving every half-life.</summary>
    public const string TimeDecay = "time-decay";
    /// <summary>40% to the first and the last touch, 20% to those between.</summary>
    public const string Position = "position";
    /// <summary>Data-driven: the removal effect of a first-order Markov chain.</summary>
    public const string Markov = "markov";

    /// <summary>In the order reports list them.</summary>
    public static readonly IReadOnlyList<string> All = [Last, First, Linear, TimeDecay, Position, Markov];

    /// <summary>The half-life of time decay, unless one is given.</summary>
    public const double DefaultHalfLifeDays = 7;

    /// <summary>
    /// Runs <paramref name="model"/> over <paramref name="paths"/>. The rule-based models share each converting
    /// path's conversions and value among its touches by weights that sum to 1: last or first touch all of it;
    /// linear equally; position-based 40% to the first and the last and 20% shared by those between (one touch: all;
    /// two: half each); time decay in proportion to 2^(−age / half-life), where a path without ages counts each
    /// step back from its end as one half-life. Markov: <see cref="MarkovAttribution.Compute"/>.
    /// </summary>
    public static ModelResult Run(string model, IReadOnlyList<ConversionPath> paths, double halfLifeDays = DefaultHalfLifeDays)
    {
        if (model == Markov) return MarkovAttribution.Compute(paths);
        var conversions = new Dictionary<string, double>(StringComparer.Ordinal);
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (path.Conversions <= 0 || path.Channels.Count == 0) continue;
            var weights = Weights(model, path, halfLifeDays);
            for (var i = 0; i < weights.Length; i++)
            {
                var c = path.Channels[i];
                conversions[c] = conversions.GetValueOrDefault(c) + weights[i] * path.Conversions;
                values[c] = values.GetValueOrDefault(c) + (decimal)weights[i] * path.Value;
            }
        }
        return new ModelResult(model, Order(conversions.Keys.Union(Channels(paths)).Distinct()
            .Select(c => new ChannelCredit(c, Math.Round(conversions.GetValueOrDefault(c), 6), Math.Round(values.GetValueOrDefault(c), 2)))));
    }

    /// <summary>Every channel on any path, converting or not (a model credits some of them nothing).</summary>
    internal static IEnumerable<string> Channels(IEnumerable<ConversionPath> paths) => paths.SelectMany(p => p.Channels).Distinct(StringComparer.Ordinal);

    internal static IReadOnlyList<ChannelCredit> Order(IEnumerable<ChannelCredit> credits) =>
        credits.OrderByDescending(c => c.Value).ThenByDescending(c => c.Conversions).ThenBy(c => c.Channel, StringComparer.Ordinal).ToList();

    private static double[] Weights(string model, ConversionPath path, double halfLifeDays)
    {
        var n = path.Channels.Count;
        var w = new double[n];
        switch (model)
        {
            case Last: w[n - 1] = 1; break;
            case First: w[0] = 1; break;
            case Linear: Array.Fill(w, 1.0 / n); break;
            case Position:
                if (n == 1) w[0] = 1;
                else if (n == 2) w[0] = w[1] = 0.5;
                else
                {
                    w[0] = w[n - 1] = 0.4;
                    for (var i = 1; i < n - 1; i++) w[i] = 0.2 / (n - 2);
                }
                break;
            case TimeDecay:
                for (var i = 0; i < n; i++)
                {
                    var age = path.AgesDays is { } ages && ages.Count == n ? ages[i] : (n - 1 - i) * halfLifeDays;
                    w[i] = Math.Pow(2, -age / halfLifeDays);
                }
                var sum = w.Sum();
                for (var i = 0; i < n; i++) w[i] /= sum;
                break;
            default: throw new ArgumentOutOfRangeException(nameof(model), model, $"Must be one of {string.Join(", ", All)}.");
        }
        return w;
    }

    /// <summary>Identical paths together, most conversions first, then most occurrences.</summary>
    public static IReadOnlyList<PathSummary> TopPaths(IEnumerable<ConversionPath> paths, int limit) =>
        paths.GroupBy(p => p.Key, StringComparer.Ordinal)
            .Select(g => (Path: g.Key, Steps: g.First().Channels.Count, Conv: g.Sum(p => p.Conversions), Value: g.Sum(p => p.Value), Nulls: g.Sum(p => p.Nulls)))
            .Select(g => new PathSummary(g.Path, g.Steps, g.Conv, g.Value, g.Nulls, g.Conv + g.Nulls == 0 ? 0 : Math.Round(g.Conv / (g.Conv + g.Nulls), 4)))
            .OrderByDescending(p => p.Conversions).ThenByDescending(p => p.Conversions + p.Nulls).ThenBy(p => p.Path, StringComparer.Ordinal)
            .Take(limit).ToList();
}
