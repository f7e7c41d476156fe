using Cartwise.Core.Mining;

namespace Cartwise.Core.Recommendations;

/// <summary>One order as a basket: when, the distinct products kept (refunded ones removed), and whose (null: a guest).</summary>
public readonly record struct OrderBasket(DateTimeOffset PlacedAt, long[] Products, long? Customer = null);

/// <summary>How to build a model. Validated when built.</summary>
/// <param name="ProductSupport">Minimum support of product itemsets; null picks one from the data (see <see cref="ModelBuilder"/>).</param>
/// <param name="MinConfidence">Rules below this confidence are dropped.</param>
/// <param name="MaxLength">Largest itemset mined.</param>
/// <param name="CategorySupport">Minimum support of category itemsets (fraction).</param>
/// <param name="Neighbours">Bought/viewed-together neighbours kept per product.</param>
public sealed record ModelOptions(MiningOptions? ProductSupport = null, double MinConfidence = 0.1, int MaxLength = 4, double CategorySupport = 0.01, int Neighbours = 50)
{
    /// <summary>Rules kept at most (strongest first), so that a low support cannot flood memory.</summary>
    public int MaxRules { get; init; } = 50_000;

    /// <summary>Next-purchase rules: customers who must have bought B after A (at least 2).</summary>
    public int NextSupport { get; init; } = 2;

    /// <summary>EASE covers the most ordered products up to this many (0: no EASE); its inverse costs the cube of it.</summary>
    public int EaseItems { get; init; } = 2000;

    /// <summary>
    /// EASE's regularisation λ (added to the Gram matrix's diagonal). On the Online Retail time split, λ of 50, 200, 500
    /// and 1,000 found new products for 39.8%, 40.7%, 41.9% and 40.9% of customers; 3,000 products instead of 2,000
    /// 41.5%, in twice the time.
    /// </summary>
    public double EaseLambda { get; init; } = 500;

    /// <summary>Next-purchase rules kept per product, the strongest (<see cref="NextPurchases.Strength"/>).</summary>
    public int NextPerProduct { get; init; } = 30;
}

/// <summary>What a build found, for the run record and the CLI summary.</summary>
public sealed record ModelStats(int Baskets, int Items, int MinSupportCount, IReadOnlyDictionary<int, int> ItemsetsBySize, int Rules, int CategoryRules, int Pairs);

/// <summary>
/// Builds a <see cref="RecommendationModel"/> from order baskets and view sessions: FP-Growth rules on products and on
/// each level of the category tree, co-purchase and co-view neighbours, bundles, bestsellers. Pure and thread-safe.
/// </summary>
public static class ModelBuilder
{
    /// <summary>
    /// Without a given support, the product support is 0.5% of baskets but at least 5 baskets: a shop with a few
    /// thousand orders gets rules for its regular sellers, and a wholesale history like Online Retail (25 products an
    /// order) mines in about a second (at 0.2% it makes 1.3 million itemsets). Rarer pairs still reach customers
    /// through the bought-together neighbours, which need only 2 baskets.
    /// </summary>
    public static MiningOptions DefaultSupport(int baskets, int maxLength) =>
        new(minSupportCount: Math.Max(5, (int)Math.Ceiling(baskets * 0.005 - 1e-9)), maxLength: maxLength);

    /// <summary>Builds the model of one store from its catalogue, order baskets and view sessions.</summary>
    public static (RecommendationModel Model, ModelStats Stats) Build(
        long storeId, DateTimeOffset builtAt, IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> categoryParents,
        IReadOnlyDictionary<long, string> categoryNames, IReadOnlyList<OrderBasket> orders, IReadOnlyList<long[]> viewSessions, ModelOptions options,
        TunedBlend? tunedBlend = null)
    {
        // Dense ids for the miner.
        var dense = new Dictionary<long, int>();
        var ids = new List<long>();
        int Dense(long id)
        {
            if (!dense.TryGetValue(id, out var d)) { dense[id] = d = ids.Count; ids.Add(id); }
            return d;
        }
        var baskets = orders.Where(o => o.Products.Length > 0).Select(o => o.Products.Distinct().Select(Dense).ToArray()).ToList();
        var mining = options.ProductSupport ?? DefaultSupport(baskets.Count, options.MaxLength);
        if (options.ProductSupport is not null && mining.MaxLength == 0) mining = new MiningOptions(mining.MinSupport, mining.MinSupportCount, options.MaxLength);
        var mined = FpGrowth.Mine(baskets, mining);
        var rules = AssociationRules.Generate(mined, new RuleOptions(options.MinConfidence))
            .Where(r => r.Lift > 1)
            // Past the cap, keep the rules a cart meets most: confident, lifted and frequent, not rare curiosities.
            .OrderByDescending(r => r.Confidence * Math.Log2(1 + r.Lift) * Math.Log2(1 + r.Support)).ThenBy(r => r.Support).Take(options.MaxRules)
            .OrderByDescending(r => r.Lift).ThenByDescending(r => r.Confidence)
            .Select(r => new ProductRule(r.Antecedent.Select(a => ids[a]).ToArray(), ids[r.Consequent[0]], r.Support, r.Confidence, r.Lift, r.Leverage, r.Conviction))
            .ToList();
        var bySize = mined.Itemsets.GroupBy(s => s.Items.Length).ToDictionary(g => g.Key, g => g.Count());
        var bundles = mined.Itemsets.Where(s => s.Items.Length is 2 or 3)
            .SelectMany(s => s.Items.Select(i => (Product: ids[i], Bundle: new Bundle(s.Items.Select(x => ids[x]).ToArray(), s.Support))))
            .GroupBy(x => x.Product)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Bundle).OrderByDescending(b => b.Support).ThenByDescending(b => b.Products.Length).Take(5).ToArray());

        var orderCounts = new Dictionary<long, int>();
        foreach (var o in orders)
            foreach (var p in o.Products.Distinct()) orderCounts[p] = orderCounts.GetValueOrDefault(p) + 1;
        var bought = Neighbours(orders.Select(o => o.Products).ToList(), options.Neighbours, out var pairs);
        var viewed = Neighbours(viewSessions, options.Neighbours, out _);

        var windows = new Dictionary<string, long[]>();
        foreach (var (name, days) in new[] { ("30d", 30), ("90d", 90), ("365d", 365), ("all", 0) })
        {
            var since = days == 0 ? DateTimeOffset.MinValue : builtAt.AddDays(-days);
            var counts = new Dictionary<long, int>();
            foreach (var o in orders)
                if (o.PlacedAt >= since)
                    foreach (var p in o.Products.Distinct()) counts[p] = counts.GetValueOrDefault(p) + 1;
            windows[name] = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(1000).Select(kv => kv.Key).ToArray();
        }

        var categoryRules = CategoryRules(products, categoryParents, orders, options);
        var next = BoughtNext(orders, options);
        var (reorders, reorderMedian) = Reorders(orders);
        var ease = EaseOf(orders, options);
        var model = new RecommendationModel
        {
            StoreId = storeId, BuiltAt = builtAt, Baskets = baskets.Count, Products = products, CategoryParents = categoryParents, CategoryNames = categoryNames,
            Rules = rules, CategoryRules = categoryRules, BoughtTogether = bought, ViewedTogether = viewed, Bundles = bundles, Bestsellers = windows,
            OrderCounts = orderCounts, BoughtNext = next, Reorders = reorders, ReorderMedianDays = reorderMedian, EaseWeights = ease, TunedBlend = tunedBlend,
        };
        return (model, new ModelStats(baskets.Count, ids.Count, mined.MinCount, bySize, rules.Count, categoryRules.Count, pairs));
    }

    /// <summary>
    /// Per product, the best <paramref name="keep"/> partners seen in the same basket at least twice. Counted one
    /// product at a time over an inverted index (baskets of each product) with one reusable counter array, so memory
    /// is the index plus the kept partners, not every pair (a 20,000-order wholesale history has 1.5 million pairs).
    /// Baskets over 200 products (wholesale orders) are left out: they would add 20,000 pairs each and say little.
    /// </summary>
    public static Dictionary<long, Neighbour[]> Neighbours(IReadOnlyList<long[]> baskets, int keep, out int pairCount)
    {
        var counts = new Dictionary<long, int>();
        var n = 0;
        foreach (var raw in baskets)
        {
            if (raw.Length == 0) continue;
            n++;
            foreach (var p in raw.Distinct()) counts[p] = counts.GetValueOrDefault(p) + 1;
        }
        // Only products in 2 baskets or more can have a partner seen twice.
        var dense = new Dictionary<long, int>();
        var ids = new List<long>();
        foreach (var (p, c) in counts)
            if (c >= 2) { dense[p] = ids.Count; ids.Add(p); }
        var kept = new List<int[]>();
        var postings = new List<int>[ids.Count];
        for (var i = 0; i < postings.Length; i++) postings[i] = [];
        var buffer = new List<int>();
        foreach (var raw in baskets)
        {
            buffer.Clear();
            foreach (var p in raw)
                if (dense.TryGetValue(p, out var d)) buffer.Add(d);
            if (buffer.Count < 2 || buffer.Count > 200) continue;
            var basket = buffer.Distinct().ToArray();
            if (basket.Length < 2) continue;
            foreach (var d in basket) postings[d].Add(kept.Count);
            kept.Add(basket);
        }
        var counter = new int[ids.Count];
        var touched = new List<int>();
        var result = new Dictionary<long, Neighbour[]>();
        var pairs = 0L;
        for (var a = 0; a < ids.Count; a++)
        {
            foreach (var bi in postings[a])
                foreach (var b in kept[bi])
                    if (b != a && counter[b]++ == 0) touched.Add(b);
            var countA = counts[ids[a]];
            var partners = new List<Neighbour>();
            foreach (var b in touched)
            {
                var c = counter[b];
                counter[b] = 0;
                if (c < 2) continue;
                if (b > a) pairs++;
                var countB = counts[ids[b]];
                partners.Add(new Neighbour(ids[b], c, (double)c / countA, (double)c * n / ((double)countA * countB)));
            }
            touched.Clear();
            if (partners.Count > 0)
                result[ids[a]] = partners.OrderByDescending(x => x.Confidence * Math.Log2(1 + x.Lift)).ThenBy(x => x.Product).Take(keep).ToArray();
        }
        pairCount = (int)Math.Min(int.MaxValue, pairs);
        return result;
    }

    /// <summary>
    /// Product-level next-purchase rules over the customers' orders (guests have no sequence), within the default
    /// window, the strongest <see cref="ModelOptions.NextPerProduct"/> of each product, strongest first.
    /// </summary>
    private static Dictionary<long, NextPurchaseRule[]> BoughtNext(IReadOnlyList<OrderBasket> orders, ModelOptions options)
    {
        var histories = orders.Where(o => o.Customer is not null && o.Products.Length > 0).GroupBy(o => o.Customer!.Value)
            .Select(g => (IReadOnlyList<TimedBasket>)g.Select(o => new TimedBasket(o.PlacedAt, o.Products)).ToList()).ToList();
        return NextPurchases.Mine(histories, NextPurchases.DefaultWindow, options.NextSupport, options.NextPerProduct)
            .GroupBy(r => r.Antecedent)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => NextPurchases.Strength(r.Confidence, r.Lift)).ThenBy(r => r.Consequent).ToArray());
    }

    /// <summary>EASE over customers' histories (each customer one row of the products they bought; a guest order its own row).</summary>
    private static Dictionary<long, WeightedProduct[]> EaseOf(IReadOnlyList<OrderBasket> orders, ModelOptions options)
    {
        if (options.EaseItems <= 0) return [];
        var rows = orders.Where(o => o.Customer is null && o.Products.Length > 0).Select(o => (IReadOnlyCollection<long>)o.Products.Distinct().ToArray())
            .Concat(orders.Where(o => o.Customer is not null).GroupBy(o => o.Customer!.Value).Select(g => (IReadOnlyCollection<long>)g.SelectMany(o => o.Products).ToHashSet()))
            .ToList();
        return Ease.Build(rows, options.EaseItems, options.EaseLambda, options.Neighbours);
    }

    /// <summary>
    /// Per product, its buyers, those who ordered it again, and the median days from an order of it to the customer's
    /// next order of it (every interval of every customer counts); with the median over all intervals.
    /// </summary>
    private static (Dictionary<long, Reorder> Reorders, double MedianDays) Reorders(IReadOnlyList<OrderBasket> orders)
    {
        var intervals = new Dictionary<long, List<double>>();
        var buyers = new Dictionary<long, int>();
        var repeaters = new Dictionary<long, int>();
        var all = new List<double>();
        foreach (var customer in orders.Where(o => o.Customer is not null && o.Products.Length > 0).GroupBy(o => o.Customer!.Value))
        {
            var last = new Dictionary<long, DateTimeOffset>();
            var again = new HashSet<long>();
            foreach (var o in customer.OrderBy(o => o.PlacedAt))
                foreach (var p in o.Products.Distinct())
                {
                    if (last.TryGetValue(p, out var before))
                    {
                        var days = (o.PlacedAt - before).TotalDays;
                        if (days <= 0) continue; // the same moment: one order split in two
                        (intervals.TryGetValue(p, out var list) ? list : intervals[p] = []).Add(days);
                        all.Add(days);
                        again.Add(p);
                    }
                    else buyers[p] = buyers.GetValueOrDefault(p) + 1;
                    last[p] = o.PlacedAt;
                }
            foreach (var p in again) repeaters[p] = repeaters.GetValueOrDefault(p) + 1;
        }
        var result = new Dictionary<long, Reorder>();
        foreach (var (p, list) in intervals)
        {
            list.Sort();
            result[p] = new Reorder(buyers[p], repeaters[p], Analytics.Quantiles.Of(list, 0.5));
        }
        all.Sort();
        return (result, all.Count == 0 ? 30 : Analytics.Quantiles.Of(all, 0.5));
    }

    /// <summary>Rules between categories, mined separately at each depth of the tree (a child never implies its parent).</summary>
    private static List<ProductRule> CategoryRules(IReadOnlyDictionary<long, ProductInfo> products, IReadOnlyDictionary<long, long?> parents,
        IReadOnlyList<OrderBasket> orders, ModelOptions options)
    {
        var paths = new Dictionary<long, List<long>>();
        List<long> PathOf(long category)
        {
            if (paths.TryGetValue(category, out var path)) return path;
            path = [];
            for (long? c = category; c is { } id; c = parents.GetValueOrDefault(id)) path.Insert(0, id);
            return paths[category] = path;
        }
        var depth = products.Values.Where(p => p.CategoryId is not null).Select(p => PathOf(p.CategoryId!.Value).Count).DefaultIfEmpty(0).Max();
        var result = new List<ProductRule>();
        for (var level = 1; level <= depth; level++)
        {
            var dense = new Dictionary<long, int>();
            var ids = new List<long>();
            var baskets = new List<int[]>();
            foreach (var o in orders)
            {
                var set = new HashSet<int>();
                foreach (var p in o.Products)
                    if (products.TryGetValue(p, out var info) && info.CategoryId is { } c && PathOf(c) is { } path && path.Count >= level)
                    {
                        var cat = path[level - 1];
                        if (!dense.TryGetValue(cat, out var d)) { dense[cat] = d = ids.Count; ids.Add(cat); }
                        set.Add(d);
                    }
                if (set.Count > 0) baskets.Add([.. set]);
            }
            if (baskets.Count == 0) continue;
            var mined = FpGrowth.Mine(baskets, new MiningOptions(minSupport: options.CategorySupport, maxLength: 3));
            result.AddRange(AssociationRules.Generate(mined, new RuleOptions(options.MinConfidence)).Where(r => r.Lift > 1)
                .Select(r => new ProductRule(r.Antecedent.Select(a => ids[a]).ToArray(), ids[r.Consequent[0]], r.Support, r.Confidence, r.Lift, r.Leverage, r.Conviction)));
        }
        return result.OrderByDescending(r => r.Lift).ThenByDescending(r => r.Confidence).Take(options.MaxRules).ToList();
    }
}
