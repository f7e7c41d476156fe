using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Evaluation;

/// <summary>One customer's orders, oldest first, each the distinct products kept.</summary>
public sealed record CustomerHistory(long Customer, IReadOnlyList<OrderBasket> Orders);

/// <summary>The figures of one strategy: means over the evaluated customers.</summary>
public sealed record StrategyScore(string Strategy, int Customers, double HitRate, double Precision, double Recall, double Coverage);

/// <summary>
/// Leave-last-out evaluation: each repeat customer's last order is held out, the model is built from every other
/// order, and each strategy recommends k products from the customer's earlier history. A hit is a held-out product the
/// customer had not bought before (what a cross-sell must find). Popularity (store bestsellers) is the baseline.
/// Pure and thread-safe.
/// </summary>
public static class OfflineEvaluation
{
    /// <summary>The strategies evaluated, popularity first.</summary>
    public static readonly IReadOnlyList<string> Evaluated = ["popularity", Strategies.BoughtTogether, Strategies.Cart, Strategies.Similar, Strategies.Upsell, Strategies.Blend];

    /// <summary>Runs the evaluation.</summary>
    public static IReadOnlyList<StrategyScore> Run(IReadOnlyList<CustomerHistory> customers, IReadOnlyList<OrderBasket> otherOrders,
        IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> parents, DateTimeOffset now, int k, ModelOptions options)
    {
        var heldOut = new List<(CustomerHistory Customer, OrderBasket Last)>();
        var training = new List<OrderBasket>(otherOrders);
        foreach (var c in customers)
        {
            if (c.Orders.Count >= 2) heldOut.Add((c, c.Orders[^1]));
            training.AddRange(c.Orders.Count >= 2 ? c.Orders.Take(c.Orders.Count - 1) : c.Orders);
        }
        var (model, _) = ModelBuilder.Build(0, now, products, parents, new Dictionary<long, string>(), training, [], options);
        var catalogue = products.Values.Count(p => p.Available);
        var results = new List<StrategyScore>();
        foreach (var strategy in Evaluated)
        {
            double hits = 0, precision = 0, recall = 0;
            var evaluated = 0;
            var shown = new HashSet<long>();
            foreach (var (customer, last) in heldOut)
            {
                var earlier = customer.Orders.Take(customer.Orders.Count - 1).ToList();
                var bought = earlier.SelectMany(o => o.Products).ToHashSet();
                var target = last.Products.Where(p => !bought.Contains(p)).ToHashSet();
                if (target.Count == 0) continue;
                var previous = earlier[^1].Products;
                var request = new RecommendationRequest(strategy == "popularity" ? Strategies.Bestsellers : strategy,
                    strategy is Strategies.Cart or Strategies.Blend ? [] : previous,
                    strategy is Strategies.Cart or Strategies.Blend ? previous : [],
                    null, k, new RecommendationFilters(), [.. bought], []);
                var recs = Recommender.Recommend(model, request);
                var found = recs.Count(r => target.Contains(r.Product));
                evaluated++;
                if (found > 0) hits++;
                precision += (double)found / k;
                recall += (double)found / target.Count;
                foreach (var r in recs) shown.Add(r.Product);
            }
            results.Add(new StrategyScore(strategy, evaluated, evaluated == 0 ? 0 : hits / evaluated, evaluated == 0 ? 0 : precision / evaluated,
                evaluated == 0 ? 0 : recall / evaluated, catalogue == 0 ? 0 : (double)shown.Count / catalogue));
        }
        return results;
    }
}
