using Cartwise.Core.Catalog;
using Cartwise.Data;

namespace Cartwise.Catalog;

/// <summary>
/// Finds or creates category paths (and their ancestors) of one store inside the caller's transaction. Loads the
/// store's tree once; a tree has thousands of nodes at most. Not thread-safe.
/// </summary>
/// <param name="known">The paths and ids a tree of an earlier, committed transaction of the same import found (<see cref="Known"/>).</param>
public sealed class CategoryTree(DbSession db, long storeId, ProductWriter writer, Dictionary<string, long>? known = null)
{
    private Dictionary<string, long>? _ids = known;

    /// <summary>The paths and ids this tree has loaded or made, to carry into the next transaction once this one commits.</summary>
    public Dictionary<string, long>? Known => _ids;

    public async Task<long?> EnsureAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        if (names.Count == 0) return null;
        _ids ??= (await Sql.QueryAsync(db, $"""SELECT "Path", "Id" FROM "Categories" WHERE {StoreSql.Filter()}""", [storeId], r => (r.GetString(0), r.GetInt64(1)), ct))
            .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
        long? parent = null;
        for (var n = 1; n <= names.Count; n++)
        {
            var path = CategoryPaths.Join(names.Take(n));
            if (!_ids.TryGetValue(path, out var id))
            {
                id = await writer.InsertCategoryAsync(path, names[n - 1], parent, n, ct);
                _ids[path] = id;
            }
            parent = id;
        }
        return parent;
    }
}
