using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

/// <summary>Store settings read on hot paths (tracking), cached for 30 s. Thread-safe.</summary>
public sealed class StoreCache(DatabaseTarget target, TimeProvider clock)
{
    private readonly SingleFlightCache<long, Store?> _cache = new(clock, TimeSpan.FromSeconds(30));

    /// <summary>Drops the cached settings of a store that just changed, on this node (others see the change within 30 s).</summary>
    public void Forget(long storeId) => _cache.Forget(storeId);

    public Task<Store?> GetAsync(long storeId, CancellationToken ct) => _cache.GetAsync(storeId, async id =>
    {
        await using var db = target.CreateContext();
        return await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, CancellationToken.None);
    });
}
