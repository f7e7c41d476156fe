using Cartwise.Core.Catalog;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Catalog;

/// <summary>
/// Finds or creates category paths (and their ancestors) of one store inside the caller's transaction. Loads the
/// store's tree once; a tree has thousands of nodes at most. Not thread-safe.
/// </summary>
public sealed class CategoryWriter(CartwiseDb db, long storeId, RowWriter writer)
{
    private Dictionary<string, long>? _ids;

    public async Task<long?> EnsureAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        if (names.Count == 0) return null;
        _ids ??= await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Path, c => c.Id, StringComparer.Ordinal, ct);
        long? parent = null;
        for (var n = 1; n <= names.Count; n++)
        {
            var path = CategoryPaths.Join(names.Take(n));
            if (!_ids.TryGetValue(path, out var id))
            {
                id = (await writer.InsertReturningIdsAsync(
                    """INSERT INTO "Categories" ("StoreId","Path","Name","ParentId","Level") VALUES (@p0,@p1,@p2,@p3,@p4) RETURNING "Id" """,
                    [[storeId, path, names[n - 1], parent, n]], ct))[0];
                _ids[path] = id;
            }
            parent = id;
        }
        return parent;
    }
}
