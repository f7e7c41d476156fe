namespace Cartwise.Catalog;

/// <summary>
/// What one writer knows of stores' products and categories, so that each batch of events does not look them up
/// again. Products and categories are never deleted and their ids never change, so an entry can only be stale in its
/// descriptive fields (which the next event rewrites) or missing (then it is looked up). Updated only after a commit,
/// cleared for a store when a write fails. Not thread-safe: one writer owns it.
/// </summary>
public sealed class CatalogCache
{
    public sealed record CachedProduct(long Id, string? Name, string? Brand, decimal? Price, string? Currency, long? CategoryId, bool FromFeed);

    public sealed record CachedCategory(long Id, string Name, int Level);

    private sealed class StoreEntries
    {
        public readonly Dictionary<string, CachedProduct> Products = new(StringComparer.Ordinal);
        public readonly Dictionary<string, CachedCategory> Categories = new(StringComparer.Ordinal);
    }

    // Bounded so that a store with a huge catalogue does not grow the writer without limit.
    private const int MaxProductsPerStore = 200_000;

    private readonly Dictionary<long, StoreEntries> _stores = [];

    private StoreEntries For(long storeId) => _stores.TryGetValue(storeId, out var e) ? e : _stores[storeId] = new StoreEntries();

    public bool TryGetProduct(long storeId, string externalId, out CachedProduct product) => For(storeId).Products.TryGetValue(externalId, out product!);

    public bool TryGetCategory(long storeId, string path, out CachedCategory category) => For(storeId).Categories.TryGetValue(path, out category!);

    public void SetProduct(long storeId, string externalId, CachedProduct product)
    {
        var entries = For(storeId);
        if (entries.Products.Count >= MaxProductsPerStore && !entries.Products.ContainsKey(externalId)) entries.Products.Clear();
        entries.Products[externalId] = product;
    }

    public void SetCategory(long storeId, string path, CachedCategory category) => For(storeId).Categories[path] = category;

    public void Forget(long storeId) => _stores.Remove(storeId);
}
