namespace Cartwise.Core.Recommendations;

/// <summary>The strategies, each callable alone or blended.</summary>
public static class Strategies
{
    /// <summary>Products bought with the given ones (co-purchase, lift-weighted).</summary>
    public const string BoughtTogether = "bought_together";
    /// <summary>Products viewed in the same sessions.</summary>
    public const string ViewedTogether = "viewed_together";
    /// <summary>Rules whose antecedent is inside the cart.</summary>
    public const string Cart = "cart";
    /// <summary>Same item group, category, brand; close price.</summary>
    public const string Similar = "similar";
    /// <summary>A pricier item of the same category or item group.</summary>
    public const string Upsell = "upsell";
    /// <summary>Sets of 2–3 bought together.</summary>
    public const string Bundles = "bundles";
    /// <summary>Most ordered (store or category, per window).</summary>
    public const string Bestsellers = "bestsellers";
    /// <summary>The customer's recently viewed products.</summary>
    public const string RecentlyViewed = "recently_viewed";
    /// <summary>What customers bought in a later order after what this one bought (next-purchase rules, lag-weighted).</summary>
    public const string Next = "next";
    /// <summary>The customer's own products that are due again (how often they bought each, how long ago, the product's re-order interval).</summary>
    public const string BuyAgain = "buy_again";
    /// <summary>Item-to-item neighbours of the customer's whole history, recent purchases weighing more (shrunk cosine of co-purchases).</summary>
    public const string ItemKnn = "item_knn";
    /// <summary>EASE item-to-item weights over the customer's whole history (a closed-form linear model of co-purchases).</summary>
    public const string Ease = "ease";
    /// <summary>A weighted mix of the others.</summary>
    public const string Blend = "blend";

    /// <summary>All strategy names.</summary>
    public static IReadOnlyList<string> All { get; } = [BoughtTogether, ViewedTogether, Cart, Similar, Upsell, Bundles, Bestsellers, RecentlyViewed, Next, BuyAgain, ItemKnn, Ease, Blend];
}

/// <summary>What to leave out. Defaults: only available products, not the ones asked about, not already bought.</summary>
public sealed record RecommendationFilters(
    bool AvailableOnly = true,
    bool ExcludeBought = true,
    decimal? MinPrice = null,
    decimal? MaxPrice = null,
    IReadOnlyList<long>? IncludeCategories = null,
    IReadOnlyList<long>? ExcludeCategories = null);

/// <summary>One recommendation request, in product and category ids.</summary>
/// <param name="Strategy">A name of <see cref="Strategies"/>; null or "blend" mixes what fits the inputs.</param>
/// <param name="Weights">Blend weights by strategy name (missing: the default for the inputs).</param>
/// <param name="Purchased">What the customer bought before (for "not already bought" and as context).</param>
/// <param name="RecentlyViewed">The customer's viewed products, newest first.</param>
/// <param name="Window">Bestseller window: all, 30d, 90d or 365d.</param>
/// <param name="UpsellRatio">Up-sell: at most this many times the price of the product.</param>
/// <param name="PurchasedAt">When the customer last bought each of <paramref name="Purchased"/>, for <see cref="Strategies.Next"/>'s lag fit.</param>
/// <param name="Now">The moment the recommendation is for (a message's send time); with <paramref name="PurchasedAt"/>, how long ago each purchase was.</param>
/// <param name="PurchaseCounts">How many of the customer's orders held each of <paramref name="Purchased"/> (absent: one each), for <see cref="Strategies.BuyAgain"/>.</param>
/// <param name="RepurchaseShare">
/// For the blend of a customer who may be offered what they bought (<see cref="RecommendationFilters.ExcludeBought"/>
/// false): the share of the list given to buy-again, the rest to products new to them (null: <see cref="Recommender.DefaultRepurchaseShare"/>).
/// </param>
public sealed record RecommendationRequest(
    string? Strategy,
    IReadOnlyList<long> Products,
    IReadOnlyList<long> Cart,
    long? Category,
    int Limit,
    RecommendationFilters Filters,
    IReadOnlyList<long> Purchased,
    IReadOnlyList<long> RecentlyViewed,
    IReadOnlyDictionary<string, double>? Weights = null,
    string Window = "all",
    decimal UpsellRatio = 1.5m,
    IReadOnlyDictionary<long, DateTimeOffset>? PurchasedAt = null,
    DateTimeOffset? Now = null,
    IReadOnlyDictionary<long, int>? PurchaseCounts = null,
    double? RepurchaseShare = null);

/// <summary>Why an item was recommended: the strategy, and the rule with its figures when a rule chose it.</summary>
public sealed record Reason(string Strategy, string Text, long[]? Antecedent = null, int? Support = null, double? Confidence = null, double? Lift = null);

/// <summary>A recommended product with its score (0–1 within a strategy; blended scores are weighted sums).</summary>
public sealed record Recommendation(long Product, double Score, Reason Reason, Bundle? Bundle = null);

/// <summary>
/// Runs the strategies over a <see cref="RecommendationModel"/>. Cold start falls back, in this order: rules → the
/// category's bestsellers → the store's bestsellers, until the limit is filled. Pure and thread-safe.
/// </summary>
public static class Recommender
{
    /// <summary>Answers one request.</summary>
    public static IReadOnlyList<Recommendation> Recommend(RecommendationModel model, RecommendationRequest request)
    {
        var strategy = request.Strategy ?? Strategies.Blend;
        var (asked, allowed) = AllowedFor(model, request);
        var picked = strategy != Strategies.Blend ? Run(model, strategy, request, allowed)
            : Reorders(request) ? WithReorders(model, request, asked) : BlendOf(model, request, allowed);
        var result = picked.Take(request.Limit).ToList();
        if (result.Count < request.Limit && strategy is not (Strategies.RecentlyViewed or Strategies.Bundles))
            result.AddRange(Fallback(model, request, allowed.Fresh, result.Select(r => r.Product).ToHashSet()).Take(request.Limit - result.Count));
        return result;
    }

    /// <summary>
    /// The share of a customer's list given to re-orders when they are allowed. Measured with `cartwise evaluate` on
    /// the Online Retail time split (hit-rate on all of the next order's products / on its new ones): 0.5 gives 71.2% /
    /// 29.8%, 0.6 72.6% / 26.0%, 0.7 73.5% / 23.1%, against 71.9% for the customer's own most-bought products and
    /// 24.1% for the bestsellers on new ones. 0.6 is the least that matches the customer's own most-bought while
    /// still finding new products better than the bestsellers; mixing buy-again into the blend by weight instead
    /// gave re-orders or discovery, not both.
    /// </summary>
    public const double DefaultRepurchaseShare = 0.6;

    /// <summary>A customer blend that may offer what the customer bought: re-orders get their share of the list.</summary>
    private static bool Reorders(RecommendationRequest r) =>
        !r.Filters.ExcludeBought && r.Purchased.Count > 0 && r.Cart.Count == 0 && r.Products.Count == 0
        && r.Weights?.ContainsKey(Strategies.BuyAgain) != true;

    private static double ShareOf(RecommendationModel model, RecommendationRequest r) =>
        Math.Clamp(r.RepurchaseShare ?? model.TunedBlend?.RepurchaseShare ?? DefaultRepurchaseShare, 0, 1);

    /// <summary>Buy-again and the blend of products new to the customer, each with its share of the list.</summary>
    private static IEnumerable<Recommendation> WithReorders(RecommendationModel model, RecommendationRequest request, HashSet<long> asked)
    {
        var bought = request.Purchased.ToHashSet();
        Func<long, bool> passes = id => !asked.Contains(id) && Passes(model, id, request.Filters);
        var fresh = new Allowed(id => !bought.Contains(id) && passes(id), passes);
        return Interleave(BuyAgain(model, request, passes), BlendOf(model, request, fresh), ShareOf(model, request));
    }

    /// <summary>
    /// Two lists taken in turn so that the first holds <paramref name="share"/> of every prefix of the result (with
    /// 0.5: first, second, first, second…); when one runs out the other fills the rest. The lists must not overlap.
    /// </summary>
    internal static IEnumerable<Recommendation> Interleave(IEnumerable<Recommendation> first, IEnumerable<Recommendation> second, double share)
    {
        using var a = first.GetEnumerator();
        using var b = second.GetEnumerator();
        bool moreA = true, moreB = true;
        var taken = 0;
        var fromA = 0;
        while (moreA || moreB)
        {
            var wantA = moreA && (!moreB || fromA < share * (taken + 1) - 1e-9);
            if (wantA && (moreA = a.MoveNext()))
            {
                fromA++;
                taken++;
                yield return a.Current;
            }
            else if (moreB && (moreB = b.MoveNext()))
            {
                taken++;
                yield return b.Current;
            }
        }
    }

    /// <summary>One strategy's list for the request, filtered as <see cref="Recommend"/> filters it, without the fallback.</summary>
    internal static IEnumerable<Recommendation> Ranked(RecommendationModel model, string strategy, RecommendationRequest request) =>
        Run(model, strategy, request, AllowedFor(model, request).Allowed);

    private static (HashSet<long> Asked, Allowed Allowed) AllowedFor(RecommendationModel model, RecommendationRequest request)
    {
        var asked = new HashSet<long>(request.Products.Concat(request.Cart));
        var bought = request.Filters.ExcludeBought ? request.Purchased.ToHashSet() : [];
        // Buy-again recommends what the customer bought; every other strategy what they have not (unless told otherwise).
        return (asked, new Allowed(id => !asked.Contains(id) && !bought.Contains(id) && Passes(model, id, request.Filters),
            id => !asked.Contains(id) && Passes(model, id, request.Filters)));
    }

    /// <summary>What a strategy may recommend: <see cref="Fresh"/> for products new to the customer, <see cref="Again"/> for buy-again.</summary>
    private sealed record Allowed(Func<long, bool> Fresh, Func<long, bool> Again);

    private static bool Passes(RecommendationModel model, long id, RecommendationFilters f)
    {
        if (!model.Products.TryGetValue(id, out var p)) return false;
        if (f.AvailableOnly && !p.Available) return false;
        if (f.MinPrice is { } min && (p.Price ?? 0) < min) return false;
        if (f.MaxPrice is { } max && (p.Price ?? 0) > max) return false;
        if (f.IncludeCategories is { Count: > 0 } inc && !inc.Any(c => model.IsWithin(p.CategoryId, c))) return false;
        if (f.ExcludeCategories is { Count: > 0 } exc && exc.Any(c => model.IsWithin(p.CategoryId, c))) return false;
        return true;
    }

    /// <summary>One strategy, best first, already filtered.</summary>
    private static IEnumerable<Recommendation> Run(RecommendationModel model, string strategy, RecommendationRequest request, Allowed filters) =>
        strategy == Strategies.BuyAgain ? BuyAgain(model, request, filters.Again) : Run(model, strategy, request, filters.Fresh);

    private static IEnumerable<Recommendation> Run(RecommendationModel model, string strategy, RecommendationRequest request, Func<long, bool> allowed) => strategy switch
    {
        Strategies.BoughtTogether => Together(model.BoughtTogether, Strategies.BoughtTogether, "bought together with", model, Seeds(request), allowed),
        Strategies.ViewedTogether => Together(model.ViewedTogether, Strategies.ViewedTogether, "viewed together with", model, Seeds(request), allowed),
        Strategies.Cart => CartAware(model, request.Cart.Count > 0 ? request.Cart : Seeds(request), allowed),
        Strategies.Similar => Similar(model, Seeds(request), allowed),
        Strategies.Upsell => Upsell(model, Seeds(request), request.UpsellRatio, allowed),
        Strategies.Bundles => BundlesOf(model, Seeds(request), allowed),
        Strategies.Bestsellers => Bestsellers(model, request.Category, request.Window, allowed),
        Strategies.Next => BoughtNext(model, request, allowed),
        Strategies.ItemKnn => ItemKnn(model, request, allowed),
        Strategies.Ease => EaseOf(model, request, allowed),
        Strategies.RecentlyViewed => request.RecentlyViewed.Distinct().Where(allowed)
            .Select((p, i) => new Recommendation(p, 1.0 / (1 + i), new Reason(Strategies.RecentlyViewed, "recently viewed"))),
        _ => throw new ArgumentException($"Unknown strategy '{strategy}'; use one of {string.Join(", ", Strategies.All)}.", nameof(strategy)),
    };

    /// <summary>The products the request is about: the product(s), else the cart, else the customer's 20 latest purchases.</summary>
    private static IReadOnlyList<long> Seeds(RecommendationRequest r) =>
        r.Products.Count > 0 ? r.Products : r.Cart.Count > 0 ? r.Cart
        : r.PurchasedAt is { Count: > 0 } at ? at.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(20).Select(kv => kv.Key).ToList()
        : r.Purchased.TakeLast(20).ToList();

    /// <summary>
    /// Item-kNN over the customer's whole history: each product they bought weighs (1 + log2 of the orders that held
    /// it) halved every <c>half-life</c> days since they last bought it (the products asked about and the cart count as
    /// bought now, twice); its co-purchase neighbours score that weight times their cosine similarity
    /// (baskets with both / √(baskets with each)), shrunk for pairs seen in few baskets; summed per neighbour.
    /// </summary>
    private static IEnumerable<Recommendation> ItemKnn(RecommendationModel model, RecommendationRequest request, Func<long, bool> allowed)
    {
        var weights = HistoryWeights(request, HistoryHalfLifeDays);
        var best = new Dictionary<long, (double Score, double Part, long From, Neighbour N)>();
        foreach (var (seed, w) in weights)
        {
            if (!model.BoughtTogether.TryGetValue(seed, out var list)) continue;
            var ns = Math.Max(1, model.OrderCounts.GetValueOrDefault(seed));
            foreach (var n in list)
            {
                if (!allowed(n.Product)) continue;
                var cosine = n.Count / Math.Sqrt(ns * (double)Math.Max(1, model.OrderCounts.GetValueOrDefault(n.Product)));
                var part = w * cosine * n.Count / (n.Count + KnnShrink);
                best[n.Product] = best.TryGetValue(n.Product, out var b)
                    ? (b.Score + part, Math.Max(b.Part, part), b.Part >= part ? b.From : seed, b.Part >= part ? b.N : n)
                    : (part, part, seed, n);
            }
        }
        return best.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key).Select(kv => new Recommendation(kv.Key, kv.Value.Score,
            new Reason(Strategies.ItemKnn, $"often bought by customers who bought {Name(model, kv.Value.From)} ({kv.Value.N.Count} baskets with both)", [kv.Value.From],
                kv.Value.N.Count, kv.Value.N.Confidence, kv.Value.N.Lift)));
    }

    /// <summary>
    /// How much each product of the request says about the customer: the products asked about and the cart 2; a product
    /// of the history 1 + log2 of the orders that held it, halved every <paramref name="halfLife"/> days since it was last bought.
    /// </summary>
    private static Dictionary<long, double> HistoryWeights(RecommendationRequest request, double halfLife)
    {
        var weights = new Dictionary<long, double>();
        foreach (var p in request.Products.Concat(request.Cart)) weights[p] = 2;
        foreach (var p in request.Purchased.Distinct())
        {
            if (weights.ContainsKey(p)) continue;
            var times = Math.Max(1, request.PurchaseCounts?.GetValueOrDefault(p) ?? 1);
            weights[p] = (1 + Math.Log2(times)) * Math.Pow(0.5, (DaysSincePurchase(request, p) ?? 0) / halfLife);
        }
        return weights;
    }

    /// <summary>Days from the customer's last purchase of <paramref name="product"/> to the request's moment; null when either is unknown.</summary>
    private static double? DaysSincePurchase(RecommendationRequest request, long product) =>
        request.PurchasedAt?.GetValueOrDefault(product) is { } last && last != default && request.Now is { } now ? Math.Max(0, (now - last).TotalDays) : null;

    /// <summary>EASE: each product of the history (weighted as for item-kNN) adds its EASE weights to the products they point to.</summary>
    private static IEnumerable<Recommendation> EaseOf(RecommendationModel model, RecommendationRequest request, Func<long, bool> allowed)
    {
        var best = new Dictionary<long, (double Score, double Part, long From)>();
        foreach (var (seed, w) in HistoryWeights(request, HistoryHalfLifeDays))
        {
            if (!model.EaseWeights.TryGetValue(seed, out var list)) continue;
            foreach (var x in list)
            {
                if (!allowed(x.Product)) continue;
                var part = w * x.Weight;
                best[x.Product] = best.TryGetValue(x.Product, out var b) ? (b.Score + part, Math.Max(b.Part, part), b.Part >= part ? b.From : seed) : (part, part, seed);
            }
        }
        return best.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key).Select(kv => new Recommendation(kv.Key, kv.Value.Score,
            new Reason(Strategies.Ease, $"goes with {Name(model, kv.Value.From)} in customers' histories", [kv.Value.From])));
    }

    /// <summary>
    /// The customer's own products, each scored by how many of their orders held it, how likely any buyer is to order
    /// it again (customers who did, of its buyers, shrunk towards nothing for few buyers), and whether it is due: the
    /// time since the customer last bought it against the product's median re-order interval (the store's for a
    /// product re-ordered by fewer than 3 customers), highest when they match, low the day after a purchase, fading
    /// slowly once long overdue.
    /// </summary>
    private static IEnumerable<Recommendation> BuyAgain(RecommendationModel model, RecommendationRequest request, Func<long, bool> allowed)
    {
        var scored = new List<(long Product, double Score, int Times, double? Since, double Interval, Reorder? Reorder)>();
        foreach (var p in request.Purchased.Distinct())
        {
            if (!allowed(p)) continue;
            var times = Math.Max(1, request.PurchaseCounts?.GetValueOrDefault(p) ?? 1);
            var reorder = model.Reorders.GetValueOrDefault(p);
            var buyers = reorder?.Buyers ?? Math.Max(1, model.OrderCounts.GetValueOrDefault(p));
            var rate = ((reorder?.Repeaters ?? 0) + 1.0) / (buyers + 2.0);
            var interval = reorder is { Repeaters: >= 3 } r ? r.MedianDays : model.ReorderMedianDays;
            var since = DaysSincePurchase(request, p);
            var gap = Math.Log((since ?? interval) + 1) - Math.Log(interval + 1);
            var due = Math.Exp(-gap * gap / 8); // a bump in log time (σ = 2): half as due at about 10× or a tenth of the interval
            scored.Add((p, times * rate * (0.5 + 0.5 * due), times, since, interval, reorder));
        }
        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Product).Select(x => new Recommendation(x.Product, x.Score, new Reason(Strategies.BuyAgain,
            $"bought {(x.Times == 1 ? "once" : $"{x.Times} times")}{(x.Since is { } d ? $", last {Days(d)} ago" : "")}; customers re-order it about every {Days(x.Interval)}",
            [x.Product], x.Reorder?.Repeaters)));
    }

    /// <summary>Default weights for what the request gives; for a customer, the store's tuned ones when it has them.</summary>
    public static IReadOnlyDictionary<string, double> DefaultWeights(RecommendationModel model, RecommendationRequest r) =>
        r.Cart.Count == 0 && r.Products.Count == 0 && (r.Purchased.Count > 0 || r.RecentlyViewed.Count > 0) && model.TunedBlend is { } tuned
            ? tuned.Weights
            : BuiltInWeights(r);

    /// <summary>The weights for what the request gives when the store has tuned none.</summary>
    public static IReadOnlyDictionary<string, double> BuiltInWeights(RecommendationRequest r) =>
        // Measured with `cartwise evaluate` on the Online Retail data: for a product or a cart, co-purchase neighbours
        // predict best and rules add to them; for a customer, EASE over the whole history finds the most new products
        // (no other strategy added to it); re-orders, when wanted, take their share of the list (DefaultRepurchaseShare).
        r.Cart.Count > 0 ? new Dictionary<string, double> { [Strategies.BoughtTogether] = 1.0, [Strategies.Cart] = 0.5, [Strategies.ViewedTogether] = 0.3, [Strategies.Similar] = 0.1 }
        : r.Products.Count > 0 ? new Dictionary<string, double> { [Strategies.BoughtTogether] = 1.0, [Strategies.Cart] = 0.5, [Strategies.ViewedTogether] = 0.5, [Strategies.Similar] = 0.25, [Strategies.Upsell] = 0.15 }
        : r.Purchased.Count > 0 || r.RecentlyViewed.Count > 0
            ? new Dictionary<string, double> { [Strategies.Ease] = 1.0, [Strategies.Next] = 0.2, [Strategies.RecentlyViewed] = 0.3 }
        : new Dictionary<string, double> { [Strategies.Bestsellers] = 1.0 };

    private static IEnumerable<Recommendation> BlendOf(RecommendationModel model, RecommendationRequest request, Allowed allowed)
    {
        var weights = request.Weights is { Count: > 0 } w ? w : DefaultWeights(model, request);
        return Combine(weights.Where(kv => kv.Value > 0 && kv.Key != Strategies.Blend)
            .Select(kv => (kv.Value, (IReadOnlyList<Recommendation>)Run(model, kv.Key, request, allowed).Take(BlendDepth(request.Limit)).ToList())));
    }

    /// <summary>How deep into each strategy's list the blend reads.</summary>
    internal static int BlendDepth(int limit) => Math.Max(50, limit * 5);

    /// <summary>
    /// The blend of weighted lists: each list's scores scaled to its best one (so that weights compare like with like),
    /// summed per product; a product keeps the reason of the list that gave it most.
    /// </summary>
    internal static IEnumerable<Recommendation> Combine(IEnumerable<(double Weight, IReadOnlyList<Recommendation> List)> lists)
    {
        var scores = new Dictionary<long, (double Score, Recommendation Best, double BestPart)>();
        foreach (var (weight, list) in lists)
        {
            if (list.Count == 0) continue;
            var top = list.Max(x => x.Score);
            foreach (var rec in list)
            {
                var part = weight * (top > 0 ? rec.Score / top : 0);
                scores[rec.Product] = scores.TryGetValue(rec.Product, out var s)
                    ? (s.Score + part, part > s.BestPart ? rec : s.Best, Math.Max(part, s.BestPart))
                    : (part, rec, part);
            }
        }
        return scores.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key)
            .Select(kv => kv.Value.Best with { Score = kv.Value.Score });
    }

    private static IEnumerable<Recommendation> Together(IReadOnlyDictionary<long, Neighbour[]> neighbours, string strategy, string verb,
        RecommendationModel model, IReadOnlyList<long> seeds, Func<long, bool> allowed)
    {
        var best = new Dictionary<long, (double Score, long From, Neighbour N)>();
        foreach (var seed in seeds.Distinct())
        {
            if (!neighbours.TryGetValue(seed, out var list)) continue;
            foreach (var n in list)
            {
                if (!allowed(n.Product)) continue;
                // Lift-weighted co-occurrence: confident pairs first, lift breaks the popularity bias of plain counts.
                var score = n.Confidence * Math.Log2(1 + n.Lift);
                if (best.TryGetValue(n.Product, out var b)) best[n.Product] = (b.Score + score, b.Score >= score ? b.From : seed, b.Score >= score ? b.N : n);
                else best[n.Product] = (score, seed, n);
            }
        }
        return best.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key).Select(kv => new Recommendation(kv.Key, kv.Value.Score,
            new Reason(strategy, $"{verb} {Name(model, kv.Value.From)} in {kv.Value.N.Count} baskets", [kv.Value.From], kv.Value.N.Count, kv.Value.N.Confidence, kv.Value.N.Lift)));
    }

    /// <summary>
    /// For each thing the customer bought (the products asked about and the cart count as bought now; of the history,
    /// the 30 most recent), the next-purchase rules from it, each scored <see cref="Mining.NextPurchases.Strength"/>
    /// times its lag fit, summed over what led to the same product. The lag fit is 1 while the time since the purchase
    /// is at most the rule's upper quartile of lags (the next order is still ahead), then halves every interquartile
    /// range (at least a day) past it: a customer who bought a coffee machine 3 months ago is past the coffee moment.
    /// Re-orders of the same product are left to buy-again. A rule followed by few customers is shrunk towards
    /// nothing (support / (support + <see cref="NextSupportShrink"/>)): a 2-customer rule's confidence is mostly chance.
    /// </summary>
    private static IEnumerable<Recommendation> BoughtNext(RecommendationModel model, RecommendationRequest request, Func<long, bool> allowed)
    {
        var now = request.Now;
        var seeds = new Dictionary<long, double>();
        foreach (var p in request.Products.Concat(request.Cart)) seeds[p] = 0;
        if (request.PurchasedAt is { } times && now is { } at)
            foreach (var (p, when) in times.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(30))
                seeds.TryAdd(p, Math.Max(0, (at - when).TotalDays));
        else
            foreach (var p in request.Purchased.Distinct().TakeLast(30)) seeds.TryAdd(p, 0);
        var best = new Dictionary<long, (double Score, double Part, long From, Mining.NextPurchaseRule Rule)>();
        foreach (var (seed, days) in seeds)
        {
            if (!model.BoughtNext.TryGetValue(seed, out var rules)) continue;
            foreach (var r in rules)
            {
                if (r.Consequent == seed || !allowed(r.Consequent)) continue;
                var past = days - r.LagQ3Days;
                var fit = past <= 0 ? 1 : Math.Pow(0.5, past / Math.Max(1, r.LagQ3Days - r.LagQ1Days));
                var part = Mining.NextPurchases.Strength(r.Confidence, r.Lift) * fit * r.Support / (r.Support + NextSupportShrink);
                if (part <= 0) continue;
                best[r.Consequent] = best.TryGetValue(r.Consequent, out var b)
                    ? (b.Score + part, Math.Max(b.Part, part), b.Part >= part ? b.From : seed, b.Part >= part ? b.Rule : r)
                    : (part, part, seed, r);
            }
        }
        return best.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key).Select(kv => new Recommendation(kv.Key, kv.Value.Score,
            new Reason(Strategies.Next, $"bought next by {kv.Value.Rule.Support} customers who bought {Name(model, kv.Value.From)}, typically {Days(kv.Value.Rule.MedianLagDays)} later",
                [kv.Value.From], kv.Value.Rule.Support, kv.Value.Rule.Confidence, kv.Value.Rule.Lift)));
    }

    // Measured with `cartwise evaluate --split-date 2011-09-01` on Online Retail (new products, hit-rate@10 against
    // popularity): no shrink ×1.18, 3 ×1.21, 20 ×1.26.
    private const double NextSupportShrink = 20;

    // Measured on the Online Retail time split (new products, hit-rate@10): half-lives of 30, 90, 180 and 365 days
    // give 41.1%, 41.7%, 42.0% and 42.1% for EASE; what a customer bought long ago still says a lot about them.
    private const double HistoryHalfLifeDays = 180;

    // Item-kNN: a pair's cosine is scaled by count / (count + 10), so that two baskets do not make a near neighbour.
    private const double KnnShrink = 10;

    private static string Days(double days) => days < 1.5 ? "a day" : $"{Math.Round(days).ToString(System.Globalization.CultureInfo.InvariantCulture)} days";

    private static IEnumerable<Recommendation> CartAware(RecommendationModel model, IReadOnlyList<long> cart, Func<long, bool> allowed)
    {
        var inCart = cart.ToHashSet();
        var best = new Dictionary<long, ProductRule>();
        foreach (var item in inCart)
        {
            if (!model.RulesByItem.TryGetValue(item, out var rules)) continue;
            foreach (var r in rules)
            {
                if (inCart.Contains(r.Consequent) || !allowed(r.Consequent) || !r.Antecedent.All(inCart.Contains)) continue;
                if (!best.TryGetValue(r.Consequent, out var b) || Strength(r) > Strength(b)) best[r.Consequent] = r;
            }
        }
        return best.Values.OrderByDescending(Strength).ThenBy(r => r.Consequent).Select(r => new Recommendation(r.Consequent, Strength(r),
            new Reason(Strategies.Cart, $"{string.Join(" + ", r.Antecedent.Select(a => Name(model, a)))} ⇒ {Name(model, r.Consequent)}", r.Antecedent, r.Support, r.Confidence, r.Lift)));
    }

    /// <summary>Rules with more of the cart behind them and higher confidence and lift come first.</summary>
    private static double Strength(ProductRule r) => r.Confidence * Math.Log2(1 + r.Lift) * (1 + 0.25 * (r.Antecedent.Length - 1));

    private static IEnumerable<Recommendation> Similar(RecommendationModel model, IReadOnlyList<long> seeds, Func<long, bool> allowed)
    {
        var scores = new Dictionary<long, (double Score, string Why)>();
        foreach (var seed in seeds.Distinct())
        {
            if (!model.Products.TryGetValue(seed, out var p)) continue;
            IEnumerable<long> candidates = p.CategoryId is { } c && model.ProductsByCategory.TryGetValue(c, out var same) ? same : [];
            if (p.ItemGroupId is not null && model.ByItemGroup.TryGetValue(p.ItemGroupId, out var group)) candidates = group.Concat(candidates);
            // Same author or collection across categories (seed 003: "same author, same genre").
            foreach (var label in p.Labels ?? [])
                if (model.ByLabel.TryGetValue(label, out var labelled)) candidates = candidates.Concat(labelled.Take(200));
            foreach (var id in candidates.Distinct().Take(500))
            {
                if (id == seed || !allowed(id)) continue;
                var q = model.Products[id];
                var score = 0.0;
                var why = new List<string>();
                if (p.ItemGroupId is not null && q.ItemGroupId == p.ItemGroupId) { score += 1.0; why.Add("same item group"); }
                if (p.CategoryId is not null && q.CategoryId == p.CategoryId) { score += 0.5; why.Add("same category"); }
                if (p.Brand is not null && q.Brand == p.Brand) { score += 0.3; why.Add("same brand"); }
                // Feed attributes (custom labels: author, collection, material…): each shared one counts.
                if (p.Labels is { Count: > 0 } mine && q.Labels is { Count: > 0 } theirs && mine.Intersect(theirs, StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } shared)
                {
                    score += 0.3 * shared.Count;
                    why.Add($"also {string.Join(", ", shared)}");
                }
                if (p.Price is > 0 && q.Price is > 0) score += 0.2 * (double)(Math.Min(p.Price.Value, q.Price.Value) / Math.Max(p.Price.Value, q.Price.Value));
                score += 0.1 * Math.Log10(1 + model.OrderCounts.GetValueOrDefault(id)) / 4;
                if (score <= 0.2) continue;
                if (!scores.TryGetValue(id, out var s) || s.Score < score) scores[id] = (score, $"{string.Join(", ", why)} as {Name(model, seed)}");
            }
        }
        return scores.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key)
            .Select(kv => new Recommendation(kv.Key, kv.Value.Score, new Reason(Strategies.Similar, kv.Value.Why)));
    }

    private static IEnumerable<Recommendation> Upsell(RecommendationModel model, IReadOnlyList<long> seeds, decimal ratio, Func<long, bool> allowed)
    {
        var scores = new Dictionary<long, (double Score, long Seed)>();
        foreach (var seed in seeds.Distinct())
        {
            if (!model.Products.TryGetValue(seed, out var p) || p.Price is not > 0) continue;
            var candidates = (p.CategoryId is { } c && model.ProductsByCategory.TryGetValue(c, out var same) ? same : [])
                .Concat(p.ItemGroupId is not null && model.ByItemGroup.TryGetValue(p.ItemGroupId, out var group) ? group : []);
            foreach (var id in candidates.Distinct())
            {
                var q = model.Products[id];
                if (id == seed || !allowed(id) || q.Price is not { } price || price <= p.Price || price > p.Price * ratio) continue;
                // A better item that sells: popularity first, then a price close to the original (an easier step up).
                var score = Math.Log10(2 + model.OrderCounts.GetValueOrDefault(id)) * (1 - 0.5 * (double)((price - p.Price.Value) / (p.Price.Value * ratio)));
                if (!scores.TryGetValue(id, out var s) || s.Score < score) scores[id] = (score, seed);
            }
        }
        return scores.OrderByDescending(kv => kv.Value.Score).ThenBy(kv => kv.Key).Select(kv => new Recommendation(kv.Key, kv.Value.Score,
            new Reason(Strategies.Upsell, $"a step up from {Name(model, kv.Value.Seed)} ({model.Products[kv.Value.Seed].Price} → {model.Products[kv.Key].Price})", [kv.Value.Seed])));
    }

    private static IEnumerable<Recommendation> BundlesOf(RecommendationModel model, IReadOnlyList<long> seeds, Func<long, bool> allowed)
    {
        var seen = new HashSet<string>();
        foreach (var seed in seeds.Distinct())
        {
            if (!model.Bundles.TryGetValue(seed, out var bundles)) continue;
            foreach (var b in bundles)
            {
                var others = b.Products.Where(p => p != seed).ToArray();
                if (!others.All(allowed) || !seen.Add(string.Join(",", b.Products.Order()))) continue;
                yield return new Recommendation(others[0], b.Support, new Reason(Strategies.Bundles,
                    $"bought together as a set in {b.Support} baskets", [seed], b.Support), b);
            }
        }
    }

    private static IEnumerable<Recommendation> Bestsellers(RecommendationModel model, long? category, string window, Func<long, bool> allowed)
    {
        // A window with no orders (old history) falls back to all time.
        var ranked = model.Bestsellers.TryGetValue(window, out var list) && list.Length > 0 ? list : model.Bestsellers.GetValueOrDefault("all") ?? [];
        var rank = 0;
        foreach (var id in ranked)
        {
            if (category is { } c && !model.IsWithin(model.Products.GetValueOrDefault(id)?.CategoryId, c)) continue;
            if (!allowed(id)) continue;
            yield return new Recommendation(id, 1.0 / (1 + rank++), new Reason(Strategies.Bestsellers,
                category is null ? $"a bestseller ({window})" : $"a bestseller of {model.CategoryNames.GetValueOrDefault(category.Value) ?? "the category"} ({window})"));
        }
    }

    /// <summary>Cold start: the category's bestsellers (of the products asked about), then the store's.</summary>
    private static IEnumerable<Recommendation> Fallback(RecommendationModel model, RecommendationRequest request, Func<long, bool> allowed, HashSet<long> taken)
    {
        var categories = Seeds(request).Select(p => model.Products.GetValueOrDefault(p)?.CategoryId).OfType<long>().Distinct().ToList();
        if (request.Category is { } c) categories.Insert(0, c);
        var fallback = categories.SelectMany(cat => Bestsellers(model, cat, request.Window, allowed)).Concat(Bestsellers(model, null, request.Window, allowed));
        foreach (var r in fallback)
            if (taken.Add(r.Product)) yield return r with { Score = r.Score * 0.01 };
    }

    private static string Name(RecommendationModel model, long id) =>
        model.Products.TryGetValue(id, out var p) ? p.Name ?? p.ExternalId : id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
