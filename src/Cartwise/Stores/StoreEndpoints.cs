using Cartwise.Catalog;
using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

public sealed record StoreView(long Id, string Slug, string Name, string Currency, string? DefaultCountry, string TimeZone, DateTimeOffset CreatedAt);

/// <summary>The store's overview: what an operator checks after an import.</summary>
public sealed record StoreStats(
    int Products, int Categories, int Customers, int AnonymousVisitors, int Orders, int OrderLines, int Events, IReadOnlyDictionary<string, int> EventsByName);

public static class StoreEndpoints
{
    public static IEndpointRouteBuilder MapStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Store");
        g.MapGet("/store", GetAsync).WithSummary("The store the admin key belongs to.");
        g.MapGet("/stats", StatsAsync).WithSummary("Counts of products, categories, customers, orders, order lines and events by name.");
        return app;
    }

    internal static async Task<Results<Ok<StoreView>, NotFound>> GetAsync(CartwiseDb db, CancellationToken ct)
    {
        var s = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Id == db.CurrentStoreId, ct);
        return s is null ? TypedResults.NotFound() : TypedResults.Ok(new StoreView(s.Id, s.Slug, s.Name, s.Currency, s.DefaultCountry, s.TimeZone, s.CreatedAt));
    }

    internal static async Task<Ok<StoreStats>> StatsAsync(CartwiseDb db, CancellationToken ct)
    {
        var byName = await db.Events.GroupBy(e => e.Name).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var live = db.Customers.Where(c => c.MergedIntoId == null && c.ErasedAt == null);
        return TypedResults.Ok(new StoreStats(
            await db.Products.CountAsync(ct),
            await db.Categories.CountAsync(ct),
            await live.CountAsync(c => c.IsIdentified, ct),
            await live.CountAsync(c => !c.IsIdentified, ct),
            await db.Orders.CountAsync(ct),
            await db.OrderLines.CountAsync(ct),
            byName.Values.Sum(),
            byName));
    }
}
