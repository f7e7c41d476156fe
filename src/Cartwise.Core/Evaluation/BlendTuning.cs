using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Evaluation;

/// <summary>What tuning found: the blend, or why there is none (too little history).</summary>
public sealed record TuningResult(TunedBlend? Blend, string? Refusal);

/// <summary>
/// Tunes a store's customer blend on its own history (SPEC M4): a time split at the moment before which 80% of the
/// orders were placed, the model learnt from the orders before it, each customer who ordered on both sides judged on
/// their next order. The weights of the strategies that read a customer's history are searched one at a time over a
/// grid (three passes, or until none moves) for the hit-rate on products new to the customer; then the share of the
/// list given to re-orders for the mean of the hit-rate on all of the order's products and on the new ones — the
/// order as it will be and something it did not have yet count alike. Each strategy's list is computed once per
/// customer and the candidates are blended from them (<see cref="Recommender.Combine"/>, as the blend itself does);
/// the figures reported are then measured through <see cref="Recommender.Recommend"/> itself, built-in against tuned.
/// Below <see cref="MinimumCustomers"/> customers judged the figures are too noisy to choose by, and the built-in
/// blend stays. Pure and deterministic.
/// </summary>
public static class BlendTuning
{
    /// <summary>Customers the validation split must judge for a tuning to be kept.</summary>
    public const int MinimumCustomers = 200;

    /// <summary>The latest share of the orders that the validation split judges on.</summary>
    public const double ValidationShare = 0.2;

    /// <summary>
    /// The strategies whose weights are searched: those that read a customer's purchases. Recently viewed keeps its
    /// built-in weight: views are not in the order history the split replays, so nothing here could measure it.
    /// </summary>
    public static readonly IReadOnlyList<string> Searched = [Strategies.Ease, Strategies.ItemKnn, Strategies.Next, Strategies.BoughtTogether];

    private static readonly double[] Grid = [0, 0.1, 0.2, 0.5, 1, 2];
    private const int Passes = 3;

    /// <summary>The validation split's moment: the placing time of the order before which 80% of the orders fall.</summary>
    public static DateTimeOffset ValidationDate(IReadOnlyList<OrderBasket> orders)
    {
        var times = orders.Select(o => o.PlacedAt).Order().ToList();
        return times.Count == 0 ? DateTimeOffset.UnixEpoch : times[(int)Math.Floor(times.Count * (1 - ValidationShare))];
    }

    /// <summary>Tunes the blend on <paramref name="split"/>, judging <paramref name="k"/> recommendations per customer.</summary>
    public static TuningResult Tune(EvaluationSplit split, IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> parents, int k,
        ModelOptions options, DateTimeOffset now)
    {
        if (split.SplitAt is not { } at) throw new ArgumentException("Tuning needs a time split.", nameof(split));
        if (split.Cases.Count < MinimumCustomers)
            return new TuningResult(null, $"{split.Cases.Count:N0} customers ordered both before and after the validation split ({at:yyyy-MM-dd}); " +
                $"tuning needs {MinimumCustomers:N0}: the built-in blend stays");
        // The customer strategies read neighbours, next-purchase rules, EASE and re-orders, not association rules or
        // bundles: the model is built without mining itemsets past single products.
        var model = OfflineEvaluation.ModelOf(split, products, parents, options with { MaxLength = 1, CategorySupport = 1 });
        var depth = Recommender.BlendDepth(k);
        var cases = split.Cases.AsParallel().AsOrdered().Select(c =>
        {
            var request = OfflineEvaluation.CustomerRequest(c, Strategies.Blend, k, excludeBought: true);
            var bought = request.Purchased.ToHashSet();
            var lists = Searched.ToDictionary(s => s, s => (IReadOnlyList<Recommendation>)Recommender.Ranked(model, s, request with { Strategy = s }).Take(depth).ToList());
            var again = Recommender.Ranked(model, Strategies.BuyAgain, request with { Strategy = Strategies.BuyAgain, Filters = new RecommendationFilters(ExcludeBought: false) })
                .Take(k).ToList();
            var popular = Recommender.Ranked(model, Strategies.Bestsellers, request with { Strategy = Strategies.Bestsellers }).Take(k).ToList();
            return new Case(lists, again, popular, c.Test.Products.ToHashSet(), c.Test.Products.Where(p => !bought.Contains(p)).ToHashSet());
        }).ToList();

        var builtIn = Recommender.BuiltInWeights(OfflineEvaluation.CustomerRequest(split.Cases[0], Strategies.Blend, k, true));
        var weights = Searched.ToDictionary(s => s, s => builtIn.GetValueOrDefault(s));
        var best = NewHits(cases, weights, k);
        for (var pass = 0; pass < Passes; pass++)
        {
            var moved = false;
            foreach (var strategy in Searched)
                foreach (var value in Grid)
                {
                    if (value == weights[strategy]) continue;
                    var trial = new Dictionary<string, double>(weights) { [strategy] = value };
                    if (trial.Values.All(v => v <= 0)) continue;
                    var hits = NewHits(cases, trial, k);
                    if (hits <= best) continue;
                    (weights, best, moved) = (trial, hits, true);
                }
            if (!moved) break;
        }
        var tunedWeights = weights.Where(kv => kv.Value > 0).Concat(builtIn.Where(kv => !Searched.Contains(kv.Key)))
            .ToDictionary(kv => kv.Key, kv => kv.Value);

        var share = Enumerable.Range(0, 11).Select(i => i / 10.0)
            .Select(s => (Share: s, Score: ShareScore(cases, weights, s, k))).OrderByDescending(x => x.Score).ThenBy(x => Math.Abs(x.Share - Recommender.DefaultRepurchaseShare)).First().Share;

        return new TuningResult(new TunedBlend(tunedWeights, share, now, at, split.Cases.Count, k,
            Measure(model, split, builtIn, Recommender.DefaultRepurchaseShare, k), Measure(model, split, tunedWeights, share, k)), null);
    }

    /// <summary>Customers with a hit among new products, blending the precomputed lists with <paramref name="weights"/>.</summary>
    private static int NewHits(List<Case> cases, IReadOnlyDictionary<string, double> weights, int k)
    {
        var hits = 0;
        foreach (var c in cases)
            if (c.New.Count > 0 && Blend(c, weights, k).Any(r => c.New.Contains(r.Product))) hits++;
        return hits;
    }

    /// <summary>The mean hit-rate, on all of the order's products and on the new ones, of the list with re-orders.</summary>
    private static double ShareScore(List<Case> cases, IReadOnlyDictionary<string, double> weights, double share, int k)
    {
        int all = 0, fresh = 0, withNew = 0;
        foreach (var c in cases)
        {
            var list = Recommender.Interleave(c.Again, Blend(c, weights, k), share).Take(k).ToList();
            if (list.Any(r => c.All.Contains(r.Product))) all++;
            if (c.New.Count == 0) continue;
            withNew++;
            if (list.Any(r => c.New.Contains(r.Product))) fresh++;
        }
        return ((double)all / cases.Count + (withNew == 0 ? 0 : (double)fresh / withNew)) / 2;
    }

    /// <summary>The blend of one customer's lists, filled from the bestsellers as the recommender's fallback fills it.</summary>
    private static List<Recommendation> Blend(Case c, IReadOnlyDictionary<string, double> weights, int k)
    {
        var blended = Recommender.Combine(weights.Where(kv => kv.Value > 0).Select(kv => (kv.Value, c.Lists[kv.Key]))).Take(k).ToList();
        if (blended.Count < k)
        {
            var taken = blended.Select(r => r.Product).ToHashSet();
            blended.AddRange(c.Popular.Where(r => taken.Add(r.Product)).Take(k - blended.Count));
        }
        return blended;
    }

    /// <summary>The figures of a blend through the recommender itself.</summary>
    private static BlendFigures Measure(RecommendationModel model, EvaluationSplit split, IReadOnlyDictionary<string, double> weights, double share, int k)
    {
        var fresh = new OfflineEvaluation.Tally(k);
        var all = new OfflineEvaluation.Tally(k);
        var allNew = new OfflineEvaluation.Tally(k);
        foreach (var c in split.Cases)
        {
            var bought = c.Known.SelectMany(o => o.Products).ToHashSet();
            var target = c.Test.Products.Where(p => !bought.Contains(p)).ToHashSet();
            var plain = Recommender.Recommend(model, OfflineEvaluation.CustomerRequest(c, Strategies.Blend, k, true, weights)).Select(r => r.Product).ToList();
            var reorders = Recommender.Recommend(model, OfflineEvaluation.CustomerRequest(c, Strategies.Blend, k, false, weights, share)).Select(r => r.Product).ToList();
            all.Add(reorders, c.Test.Products.ToHashSet());
            if (target.Count == 0) continue;
            fresh.Add(plain, target);
            allNew.Add(reorders, target);
        }
        return new BlendFigures(fresh.HitRate, all.HitRate, allNew.HitRate);
    }

    private sealed record Case(Dictionary<string, IReadOnlyList<Recommendation>> Lists, List<Recommendation> Again, List<Recommendation> Popular,
        HashSet<long> All, HashSet<long> New);
}
