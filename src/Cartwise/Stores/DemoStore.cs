using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

/// <summary>The demo store: slug <c>demo</c>, fixed documented keys, created once.</summary>
public static class DemoStore
{
    public const string Slug = "demo";

    public static async Task<long> EnsureAsync(CartwiseDb db, TimeProvider clock, TextWriter output, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == Slug, ct);
        var id = store?.Id ?? (await StoreService.CreateAsync(db, Slug, "Cartwise demo gift shop", "GBP", "GB", "Europe/London", clock.GetUtcNow(), ct,
            StoreKeys.DemoTrackingKey, StoreKeys.DemoAdminKey)).StoreId;
        await output.WriteLineAsync($"Demo store '{Slug}' (id {id}): tracking key {StoreKeys.DemoTrackingKey}, admin key {StoreKeys.DemoAdminKey}");
        return id;
    }
}
