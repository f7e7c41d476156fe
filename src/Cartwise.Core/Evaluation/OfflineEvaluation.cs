using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Evaluation;

/// <summary>One customer's orders, oldest first, each the distinct products kept.</summary>
public sealed record CustomerHistory(long Customer, IReadOnlyList<OrderBasket> Orders);

/// <summary>A customer judged: the orders known when recommending (oldest first), the moment of it, and the order to predict.</summary>
public sealed record EvaluationCase(long Customer, IReadOnlyList<OrderBasket> Known, DateTimeOffset At, OrderBasket Test);

/// <summary>
/// What the model may learn from and whom it is judged on. <see cref="SplitAt"/> is the date of a time split (null:
/// leave-last-out); <see cref="Unseen"/> the products first sold after it, which the model must not know.
/// </summary>
public sealed record EvaluationSplit(IReadOnlyList<OrderBasket> Training, IReadOnlyList<EvaluationCase> Cases, DateTimeOffset? SplitAt, IReadOnlySet<long> Unseen)
{
    /// <summary>
    /// Leave-last-out: each repeat customer's last order is predicted from their earlier ones, recommending right after
    /// the one before it; the model learns from every other order (other customers' later orders included).
    /// </summary>
    public static EvaluationSplit LeaveLastOut(IReadOnlyList<CustomerHistory> customers, IReadOnlyList<OrderBasket> guests)
    {
        var training = new List<OrderBasket>(guests);
        var cases = new List<EvaluationCase>();
        foreach (var c in customers)
        {
            if (c.Orders.Count < 2)
            {
                training.AddRange(Owned(c, c.Orders));
                continue;
            }
            var known = c.Orders.Take(c.Orders.Count - 1).ToList();
            training.AddRange(Owned(c, known));
            cases.Add(new EvaluationCase(c.Customer, known, known[^1].PlacedAt, c.Orders[^1]));
        }
        return new EvaluationSplit(training, cases, null, new HashSet<long>());
    }

    /// <summary>
    /// A time split: the model learns only from orders placed before <paramref name="at"/>; each customer with an
    /// order before it and one after is judged on their first order after it, recommending at the split.
    /// </summary>
    public static EvaluationSplit ByDate(IReadOnlyList<CustomerHistory> customers, IReadOnlyList<OrderBasket> guests, DateTimeOffset at)
    {
        var training = guests.Where(o => o.PlacedAt < at).ToList();
        var cases = new List<EvaluationCase>();
        foreach (var c in customers)
        {
            var known = c.Orders.Where(o => o.PlacedAt < at).ToList();
            training.AddRange(Owned(c, known));
            if (known.Count > 0 && c.Orders.FirstOrDefault(o => o.PlacedAt >= at) is { Products: not null } test)
                cases.Add(new EvaluationCase(c.Customer, known, at, test));
        }
        var before = training.SelectMany(o => o.Products).ToHashSet();
        var unseen = customers.SelectMany(c => c.Orders).Concat(guests).Where(o => o.PlacedAt >= at).SelectMany(o => o.Products).Where(p => !before.Contains(p)).ToHashSet();
        return new EvaluationSplit(training, cases, at, unseen);
    }

    /// <summary>A store's orders as customers' histories (oldest first) and the guests' orders.</summary>
    public static (IReadOnlyList<CustomerHistory> Customers, IReadOnlyList<OrderBasket> Guests) Histories(IReadOnlyList<OrderBasket> orders) =>
        (orders.Where(o => o.Customer is not null).GroupBy(o => o.Customer!.Value).Select(g => new CustomerHistory(g.Key, g.OrderBy(b => b.PlacedAt).ToList())).ToList(),
         orders.Where(o => o.Customer is null).ToList());

    /// <summary>The orders marked as the customer's, so that the model can follow what one customer bought next.</summary>
    private static IEnumerable<OrderBasket> Owned(CustomerHistory c, IEnumerable<OrderBasket> orders) => orders.Select(o => o with { Customer = c.Customer });
}

/// <summary>
/// Figures over the customers judged: hit-rate@k (a customer with at least one recommended product in the order) with
/// its bootstrap 95% interval, precision@k, recall@k, NDCG@k (binary relevance) and MRR (reciprocal rank of the first hit).
/// </summary>
public sealed record Metrics(int Customers, double HitRate, double HitRateLow, double HitRateHigh, double Precision, double Recall, double Ndcg, double Mrr);

/// <summary>
/// One strategy's figures on all of the order's products (<see cref="All"/>) and on the products the customer had
/// never bought (<see cref="New"/>, over the customers whose order had one); the share of the available catalogue
/// ever recommended, and the share of recommendations that were products the customer had bought before.
/// </summary>
public sealed record StrategyScore(string Strategy, Metrics All, Metrics New, double Coverage, double RepurchaseShare);

/// <summary>A whole evaluation: how it was split, how many orders trained the model, how many customers were judged.</summary>
public sealed record EvaluationReport(DateTimeOffset? SplitAt, int TrainingOrders, int Customers, int K, IReadOnlyList<StrategyScore> Strategies);

/// <summary>
/// Offline evaluation (SPEC M4): builds the model from the split's training orders only, asks each strategy for k
/// products per judged customer from what was known then, and scores them against the order the customer placed.
/// Baselines: popularity (the store's bestsellers) and <see cref="Own"/> (the customer's own most-bought products).
/// Pure, deterministic (the bootstrap has a fixed seed) and thread-safe.
/// </summary>
public static class OfflineEvaluation
{
    /// <summary>The store's bestsellers, the first baseline.</summary>
    public const string Popularity = "popularity";

    /// <summary>The customer's own products, most often bought first (then most recent): the re-order baseline.</summary>
    public const string Own = "own";

    /// <summary>The default blend with re-orders allowed (what the customer bought is not left out), so buy-again joins it.</summary>
    public const string BlendWithReorders = "blend+reorders";

    /// <summary>The strategies evaluated, the baselines first.</summary>
    public static readonly IReadOnlyList<string> Evaluated = [Popularity, Own, Strategies.BoughtTogether, Strategies.Cart, Strategies.Similar, Strategies.Upsell,
        Strategies.Next, Strategies.BuyAgain, Strategies.ItemKnn, Strategies.Ease, Strategies.Blend, BlendWithReorders];

    private const int BootstrapSamples = 1000;

    /// <summary>Runs the evaluation of <paramref name="split"/>.</summary>
    /// <param name="products">The catalogue (the split's unseen products are left out of it).</param>
    /// <param name="blendWeights">The blend's weights (null: the default for the request).</param>
    /// <param name="repurchaseShare">The share of re-orders in <see cref="BlendWithReorders"/> (null: <see cref="Recommender.DefaultRepurchaseShare"/>).</param>
    public static EvaluationReport Run(EvaluationSplit split, IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> parents, int k,
        ModelOptions options, IReadOnlyDictionary<string, double>? blendWeights = null, double? repurchaseShare = null)
    {
        var model = ModelOf(split, products, parents, options);
        var available = model.Products.Values.Count(p => p.Available);
        var results = new List<StrategyScore>();
        foreach (var strategy in Evaluated)
        {
            var all = new Tally(k);
            var fresh = new Tally(k);
            var shown = new HashSet<long>();
            long recommended = 0, repurchases = 0;
            foreach (var c in split.Cases)
            {
                var bought = c.Known.SelectMany(o => o.Products).ToHashSet();
                var recs = Recommend(model, strategy, c, k, blendWeights, repurchaseShare);
                all.Add(recs, c.Test.Products.ToHashSet());
                var target = c.Test.Products.Where(p => !bought.Contains(p)).ToHashSet();
                if (target.Count > 0) fresh.Add(recs, target);
                shown.UnionWith(recs);
                recommended += recs.Count;
                repurchases += recs.Count(bought.Contains);
            }
            results.Add(new StrategyScore(strategy, all.Metrics(), fresh.Metrics(), available == 0 ? 0 : (double)shown.Count / available,
                recommended == 0 ? 0 : (double)repurchases / recommended));
        }
        return new EvaluationReport(split.SplitAt, split.Training.Count, split.Cases.Count, k, results);
    }

    /// <summary>What <paramref name="strategy"/> recommends to the customer of <paramref name="c"/>, best first.</summary>
    private static List<long> Recommend(RecommendationModel model, string strategy, EvaluationCase c, int k, IReadOnlyDictionary<string, double>? weights,
        double? repurchaseShare)
    {
        if (strategy == Own)
            return c.Known.SelectMany((o, i) => o.Products.Select(p => (Product: p, Order: i))).GroupBy(x => x.Product)
                .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Max(x => x.Order)).ThenBy(g => g.Key).Take(k).Select(g => g.Key).ToList();
        // The basket strategies start from the last order (as a cart for the rules); the customer's strategies ("next",
        // buy-again) and the blend read the whole history with its dates, as a message to the customer does.
        var personal = strategy is Strategies.Next or Strategies.BuyAgain or Strategies.ItemKnn or Strategies.Ease or Strategies.Blend or BlendWithReorders;
        var blend = strategy is Strategies.Blend or BlendWithReorders;
        var request = CustomerRequest(c, strategy == BlendWithReorders ? Strategies.Blend : strategy, k, strategy != BlendWithReorders, blend ? weights : null,
            strategy == BlendWithReorders ? repurchaseShare : null);
        if (!personal)
        {
            var previous = c.Known[^1].Products;
            request = request with
            {
                Strategy = strategy == Popularity ? Strategies.Bestsellers : strategy,
                Products = strategy == Strategies.Cart ? [] : previous,
                Cart = strategy == Strategies.Cart ? previous : [],
            };
        }
        return Recommender.Recommend(model, request).Select(r => r.Product).ToList();
    }

    /// <summary>
    /// A request for the customer of <paramref name="c"/> at the moment of it, as a message to them asks: their whole
    /// history with when and how often they bought each product, no cart.
    /// </summary>
    internal static RecommendationRequest CustomerRequest(EvaluationCase c, string strategy, int k, bool excludeBought,
        IReadOnlyDictionary<string, double>? weights = null, double? repurchaseShare = null)
    {
        var purchasedAt = new Dictionary<long, DateTimeOffset>();
        var counts = new Dictionary<long, int>();
        foreach (var o in c.Known)
            foreach (var p in o.Products)
            {
                purchasedAt[p] = o.PlacedAt;
                counts[p] = counts.GetValueOrDefault(p) + 1;
            }
        return new RecommendationRequest(strategy, [], [], null, k, new RecommendationFilters(ExcludeBought: excludeBought), [.. counts.Keys], [],
            weights, PurchasedAt: purchasedAt, Now: c.At, PurchaseCounts: counts, RepurchaseShare: repurchaseShare);
    }

    /// <summary>The model of what the split's training orders teach, without the products first sold after the split.</summary>
    internal static RecommendationModel ModelOf(EvaluationSplit split, IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> parents,
        ModelOptions options)
    {
        // A product the shop first sold after the split was unknown then: the model must not see it.
        var catalogue = split.Unseen.Count == 0 ? products : products.Where(kv => !split.Unseen.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var builtAt = split.SplitAt ?? split.Training.Select(o => o.PlacedAt).DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max();
        return ModelBuilder.Build(0, builtAt, catalogue, parents, new Dictionary<long, string>(), split.Training, [], options).Model;
    }

    /// <summary>Per-customer figures of one strategy on one target, summed.</summary>
    internal sealed class Tally(int k)
    {
        private readonly List<bool> _hits = [];
        private double _precision, _recall, _ndcg, _mrr;

        public void Add(List<long> recs, HashSet<long> target)
        {
            double dcg = 0, ideal = 0;
            var found = 0;
            var first = 0;
            for (var i = 0; i < recs.Count; i++)
                if (target.Contains(recs[i]))
                {
                    found++;
                    dcg += 1 / Math.Log2(i + 2);
                    if (first == 0) first = i + 1;
                }
            for (var i = 0; i < Math.Min(k, target.Count); i++) ideal += 1 / Math.Log2(i + 2);
            _hits.Add(found > 0);
            _precision += (double)found / k;
            _recall += (double)found / target.Count;
            _ndcg += ideal == 0 ? 0 : dcg / ideal;
            _mrr += first == 0 ? 0 : 1.0 / first;
        }

        /// <summary>The share of customers with a hit, without the bootstrap <see cref="Metrics"/> runs.</summary>
        public double HitRate => _hits.Count == 0 ? 0 : (double)_hits.Count(h => h) / _hits.Count;

        public Metrics Metrics()
        {
            var n = _hits.Count;
            if (n == 0) return new Metrics(0, 0, 0, 0, 0, 0, 0, 0);
            var hits = _hits.Count(h => h);
            // Percentile bootstrap over customers (resampled with replacement), fixed seed: the same data gives the same interval.
            var random = new Random(20190421);
            var rates = new double[BootstrapSamples];
            for (var b = 0; b < BootstrapSamples; b++)
            {
                var sum = 0;
                for (var i = 0; i < n; i++)
                    if (_hits[random.Next(n)]) sum++;
                rates[b] = (double)sum / n;
            }
            Array.Sort(rates);
            return new Metrics(n, (double)hits / n, Analytics.Quantiles.Of(rates, 0.025), Analytics.Quantiles.Of(rates, 0.975), _precision / n, _recall / n,
                _ndcg / n, _mrr / n);
        }
    }
}
