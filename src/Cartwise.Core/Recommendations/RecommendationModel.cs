using Cartwise.Core.Mining;

namespace Cartwise.Core.Recommendations;

/// <summary>What a recommendation may show of a product: public catalogue data only.</summary>
/// <param name="Labels">The feed's custom labels (attributes such as author, collection, material), for "similar".</param>
public sealed record ProductInfo(
    long Id, string ExternalId, string? Name, decimal? Price, string? Currency, string? Link, string? ImageLink,
    long? CategoryId, string? Brand, string? ItemGroupId, bool Available, IReadOnlyList<string>? Labels = null)
{
    /// <summary>Custom labels as stored (tab-separated, positions kept), without the empty ones.</summary>
    public static IReadOnlyList<string>? ParseLabels(string? stored) =>
        stored is null ? null : stored.Split('\t').Where(l => l.Length > 0).ToArray() is { Length: > 0 } labels ? labels : null;
}

/// <summary>A rule over product (or category) ids, with its figures.</summary>
public sealed record ProductRule(long[] Antecedent, long Consequent, int Support, double Confidence, double Lift, double Leverage, double Conviction);

/// <summary>A product bought (or viewed) together with another in <see cref="Count"/> baskets, with the pair rule's figures from the other's side.</summary>
public readonly record struct Neighbour(long Product, int Count, double Confidence, double Lift);

/// <summary>
/// How a product is re-ordered across customers: <see cref="Buyers"/> who bought it, <see cref="Repeaters"/> who
/// bought it again in a later order, and the median days between one order of it and a customer's next.
/// </summary>
public sealed record Reorder(int Buyers, int Repeaters, double MedianDays);

/// <summary>A "frequently bought together" set of 2–3 products.</summary>
public sealed record Bundle(long[] Products, int Support);

/// <summary>
/// Everything the strategies need, built by a mining run and never changed after: requests read it without locks and
/// a rebuild swaps in a new instance. Thread-safe (immutable).
/// </summary>
public sealed class RecommendationModel
{
    /// <summary>The store the model belongs to.</summary>
    public required long StoreId { get; init; }
    /// <summary>When the mining run built it.</summary>
    public required DateTimeOffset BuiltAt { get; init; }
    /// <summary>How many baskets it was mined from.</summary>
    public required int Baskets { get; init; }
    /// <summary>Products by id (all of the store's, available or not).</summary>
    public required IReadOnlyDictionary<long, ProductInfo> Products { get; init; }
    /// <summary>Category id → parent id (null for roots).</summary>
    public required IReadOnlyDictionary<long, long?> CategoryParents { get; init; }
    /// <summary>Category id → its path ("Home &gt; Decor"), for reasons.</summary>
    public IReadOnlyDictionary<long, string> CategoryNames { get; init; } = new Dictionary<long, string>();
    /// <summary>Product rules, strongest first (lift, then confidence).</summary>
    public required IReadOnlyList<ProductRule> Rules { get; init; }
    /// <summary>Category-level rules (ids are category ids).</summary>
    public required IReadOnlyList<ProductRule> CategoryRules { get; init; }
    /// <summary>Products bought together with a product, best first.</summary>
    public required IReadOnlyDictionary<long, Neighbour[]> BoughtTogether { get; init; }
    /// <summary>Products viewed in the same session as a product, best first.</summary>
    public required IReadOnlyDictionary<long, Neighbour[]> ViewedTogether { get; init; }
    /// <summary>Bundles containing a product, strongest first.</summary>
    public required IReadOnlyDictionary<long, Bundle[]> Bundles { get; init; }
    /// <summary>Bestsellers by window ("all", "30d", "90d", "365d"): product ids, most orders first.</summary>
    public required IReadOnlyDictionary<string, long[]> Bestsellers { get; init; }
    /// <summary>Orders per product (all time), for ranking and popularity.</summary>
    public required IReadOnlyDictionary<long, int> OrderCounts { get; init; }
    /// <summary>What customers bought in a later order after a product (and re-orders of it), strongest first.</summary>
    public IReadOnlyDictionary<long, NextPurchaseRule[]> BoughtNext { get; init; } = new Dictionary<long, NextPurchaseRule[]>();
    /// <summary>Each product's EASE weights towards others, largest first (<see cref="Ease"/>).</summary>
    public IReadOnlyDictionary<long, WeightedProduct[]> EaseWeights { get; init; } = new Dictionary<long, WeightedProduct[]>();
    /// <summary>Each product's re-orders (of products some customer bought twice).</summary>
    public IReadOnlyDictionary<long, Reorder> Reorders { get; init; } = new Dictionary<long, Reorder>();
    /// <summary>The median re-order interval over all products' re-orders (days), for a product re-ordered too rarely to have its own.</summary>
    public double ReorderMedianDays { get; init; } = 30;
    /// <summary>The store's customer blend tuned on its own history (<c>cartwise evaluate --tune</c>); null: the built-in one.</summary>
    public TunedBlend? TunedBlend { get; init; }

    private IReadOnlyDictionary<string, long>? _byExternalId;

    /// <summary>Product ids by the shop's item id.</summary>
    public IReadOnlyDictionary<string, long> ByExternalId => _byExternalId ??= Products.Values.ToDictionary(p => p.ExternalId, p => p.Id, StringComparer.Ordinal);

    private IReadOnlyDictionary<string, long[]>? _byItemGroup;

    /// <summary>Products by item group (variants of one product).</summary>
    public IReadOnlyDictionary<string, long[]> ByItemGroup => _byItemGroup ??= Products.Values.Where(p => p.ItemGroupId is not null)
        .GroupBy(p => p.ItemGroupId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToArray(), StringComparer.Ordinal);

    private IReadOnlyDictionary<string, long[]>? _byLabel;

    /// <summary>Products by custom label (case-insensitive).</summary>
    public IReadOnlyDictionary<string, long[]> ByLabel => _byLabel ??= Products.Values.Where(p => p.Labels is not null)
        .SelectMany(p => p.Labels!.Select(l => (Label: l, p.Id))).GroupBy(x => x.Label, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Select(x => x.Id).Distinct().ToArray(), StringComparer.OrdinalIgnoreCase);

    private IReadOnlyDictionary<long, ProductRule[]>? _rulesByItem;

    /// <summary>Rules indexed by each item of their antecedent.</summary>
    public IReadOnlyDictionary<long, ProductRule[]> RulesByItem => _rulesByItem ??= Rules
        .SelectMany(r => r.Antecedent.Select(a => (a, r))).GroupBy(x => x.a).ToDictionary(g => g.Key, g => g.Select(x => x.r).ToArray());

    private IReadOnlyDictionary<long, long[]>? _byCategory;

    /// <summary>Products per category, the category's descendants included, most ordered first.</summary>
    public IReadOnlyDictionary<long, long[]> ProductsByCategory => _byCategory ??= BuildByCategory();

    private Dictionary<long, long[]> BuildByCategory()
    {
        var lists = new Dictionary<long, List<long>>();
        foreach (var p in Products.Values)
            for (var c = p.CategoryId; c is { } id; c = CategoryParents.GetValueOrDefault(id))
            {
                if (!lists.TryGetValue(id, out var list)) lists[id] = list = [];
                list.Add(p.Id);
            }
        return lists.ToDictionary(kv => kv.Key, kv => kv.Value.OrderByDescending(p => OrderCounts.GetValueOrDefault(p)).ThenBy(p => p).ToArray());
    }

    /// <summary>Whether <paramref name="category"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsWithin(long? category, long ancestor) => IsWithin(CategoryParents, category, ancestor);

    /// <summary>Whether <paramref name="category"/> is <paramref name="ancestor"/> or lies below it in the tree of <paramref name="parents"/>.</summary>
    public static bool IsWithin(IReadOnlyDictionary<long, long?> parents, long? category, long ancestor)
    {
        for (var c = category; c is { } id; c = parents.GetValueOrDefault(id))
            if (id == ancestor) return true;
        return false;
    }
}
