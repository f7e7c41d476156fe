namespace Cartwise.Core.Mining;

/// <summary>An order of one customer: when it was placed and the items (or categories) it held.</summary>
public sealed record TimedBasket(DateTimeOffset At, IReadOnlyList<long> Items);

/// <summary>
/// "Customers who bought <see cref="Antecedent"/> bought <see cref="Consequent"/> in a later order within the window":
/// <see cref="Support"/> customers, <see cref="Confidence"/> of those who bought the antecedent, <see cref="Lift"/>
/// against the consequent's base rate, and the days from the first antecedent order to the next consequent order.
/// An antecedent equal to its consequent is a re-order of itself.
/// </summary>
public sealed record NextPurchaseRule(long Antecedent, long Consequent, int Support, double Confidence, double Lift, double MedianLagDays, double LagQ1Days,
    double LagQ3Days);

/// <summary>Next-purchase rules (SPEC M1): what customers buy after, and how long after, from their orders in time order.</summary>
public static class NextPurchases
{
    /// <summary>The window unless one is given: 60 days.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(60);

    /// <summary>
    /// How a rule ranks among its antecedent's when only the best are kept, and how the <c>next</c> strategy weighs it:
    /// confident first, lift breaking the pull of what everyone buys anyway.
    /// </summary>
    public static double Strength(double confidence, double lift) => confidence * Math.Log2(1 + lift);

    /// <summary>
    /// Mines every rule with at least <paramref name="minSupport"/> customers. For a customer and an item A, the
    /// reference is their first order holding A; B counts when it is in a later order (placed after that one) at most
    /// <paramref name="window"/> after it — B in the A order itself does not count — and the lag is the time to the
    /// first such order. Confidence: of the customers who bought A, the share with such a B. B's base rate: of all
    /// customers, the share who bought B in a later order within the window of their first order; lift is confidence
    /// over that rate. Lags are whole and fractional days; quartiles by linear interpolation (R's type 7).
    /// </summary>
    /// <param name="customers">Each customer's orders (any order; same-time orders are one order).</param>
    /// <param name="perAntecedent">When given, only this many rules of each antecedent are kept, the strongest by
    /// <see cref="Strength"/> (lags are then collected only for those).</param>
    /// <remarks>
    /// One antecedent at a time over an index of who bought it first when: its consequents are counted in an array
    /// over dense item ids, and lags are kept only for those with enough customers, so memory follows the items and
    /// the rules, not the pairs a history holds (millions at product level).
    /// </remarks>
    public static IReadOnlyList<NextPurchaseRule> Mine(IReadOnlyList<IReadOnlyList<TimedBasket>> customers, TimeSpan window, int minSupport,
        int? perAntecedent = null)
    {
        minSupport = Math.Max(1, minSupport);
        var dense = new Dictionary<long, int>();
        var items = new List<long>();
        int Dense(long item)
        {
            if (dense.TryGetValue(item, out var d)) return d;
            dense[item] = items.Count;
            items.Add(item);
            return items.Count - 1;
        }
        var histories = new List<(DateTimeOffset At, int[] Items)[]>();
        foreach (var history in customers)
        {
            if (history.Count == 0) continue;
            histories.Add(history.GroupBy(b => b.At).OrderBy(g => g.Key)
                .Select(g => (g.Key, g.SelectMany(b => b.Items).Distinct().Select(Dense).ToArray())).ToArray());
        }
        var n = items.Count;
        // Who bought each item first, and in which of their orders.
        var firsts = new List<(int Customer, int Order)>[n];
        for (var c = 0; c < histories.Count; c++)
        {
            var seen = new HashSet<int>();
            for (var o = 0; o < histories[c].Length; o++)
                foreach (var item in histories[c][o].Items)
                    if (seen.Add(item)) (firsts[item] ??= []).Add((c, o));
        }
        var stamp = new int[n];
        var call = 0;
        // The items of the customer's orders after order o and within the window of it, each once with its first lag.
        IEnumerable<(int Item, double Lag)> Later(int c, int o)
        {
            var orders = histories[c];
            var mark = ++call;
            for (var j = o + 1; j < orders.Length && orders[j].At - orders[o].At <= window; j++)
                foreach (var item in orders[j].Items)
                    if (stamp[item] != mark)
                    {
                        stamp[item] = mark;
                        yield return (item, (orders[j].At - orders[o].At).TotalDays);
                    }
        }
        var baseCount = new int[n];
        for (var c = 0; c < histories.Count; c++)
            foreach (var (b, _) in Later(c, 0)) baseCount[b]++;

        double Lift(int count, int buyers, int b)
        {
            var rate = (double)baseCount[b] / histories.Count;
            return rate == 0 ? 0 : (double)count / buyers / rate;
        }
        var rules = new List<NextPurchaseRule>();
        var counts = new int[n];
        var touched = new List<int>();
        var lags = new Dictionary<int, List<double>>();
        for (var a = 0; a < n; a++)
        {
            if (firsts[a] is not { } buyers || buyers.Count < minSupport) continue;
            touched.Clear();
            foreach (var (c, o) in buyers)
                foreach (var (b, _) in Later(c, o))
                    if (counts[b]++ == 0) touched.Add(b);
            lags.Clear();
            var kept = touched.Where(b => counts[b] >= minSupport);
            if (perAntecedent is { } cap)
                kept = kept.Select(b => (b, Score: Strength((double)counts[b] / buyers.Count, Lift(counts[b], buyers.Count, b))))
                    .OrderByDescending(x => x.Score).ThenBy(x => items[x.b]).Take(cap).Select(x => x.b);
            foreach (var b in kept) lags[b] = new List<double>(counts[b]);
            foreach (var b in touched) counts[b] = 0;
            if (lags.Count == 0) continue;
            foreach (var (c, o) in buyers)
                foreach (var (b, lag) in Later(c, o))
                    if (lags.TryGetValue(b, out var list)) list.Add(lag);
            foreach (var (b, list) in lags)
            {
                list.Sort();
                rules.Add(new NextPurchaseRule(items[a], items[b], list.Count, (double)list.Count / buyers.Count, Lift(list.Count, buyers.Count, b),
                    Quantile(list, 0.5), Quantile(list, 0.25), Quantile(list, 0.75)));
            }
        }
        return rules.OrderByDescending(r => r.Lift).ThenByDescending(r => r.Support).ThenBy(r => r.Antecedent).ThenBy(r => r.Consequent).ToList();
    }

    private static double Quantile(List<double> sorted, double p) => Analytics.Quantiles.Of(sorted, p);
}
