using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Catalog;

public sealed record ProductView(long Id, string ItemId, string? Name, string? Brand, decimal? Price, decimal? SalePrice, string? Currency, long? CategoryId,
    string? Category, bool Available, string? Availability, string? Link, string? ImageLink, bool FromFeed, DateTimeOffset UpdatedAt);

/// <summary>A node of the category tree with the products filed directly under it and under it and its descendants.</summary>
public sealed record CategoryNode(long Id, string Name, string Path, int Level, long? ParentId, int Products, int ProductsWithin);

/// <summary>What the catalogue pages and the API's product and category lists read (one implementation for both).</summary>
public static class CatalogQueries
{
    /// <summary>Which products: all, only those that can be sold, or only those that cannot.</summary>
    public const string AnyAvailability = "all";
    public const string AvailableOnly = "available";
    public const string UnavailableOnly = "unavailable";

    /// <summary>What is wrong with an availability filter, or null.</summary>
    public static string? AvailabilityProblem(string? availability) =>
        availability is null or AnyAvailability or AvailableOnly or UnavailableOnly ? null : $"'{availability}' is not all, available or unavailable.";

    /// <summary>
    /// Products whose item id starts with <paramref name="text"/> or whose name contains it (any case), within a
    /// category and its descendants, by id, keyset-paged after <paramref name="after"/>.
    /// </summary>
    public static async Task<Page<ProductView>> ProductsAsync(CartwiseDb db, string? text, long? category, string? availability, long? after, int take, CancellationToken ct)
    {
        var q = db.Products.AsNoTracking();
        if (text?.Trim() is { Length: > 0 } t)
        {
            var lower = t.ToLowerInvariant();
            // Translated to SQL lower(): the culture rules of .NET do not apply there.
#pragma warning disable CA1304, CA1311, CA1862
            q = q.Where(p => p.ExternalId.StartsWith(t) || p.Name!.ToLower().Contains(lower));
#pragma warning restore CA1304, CA1311, CA1862
        }
        if (category is { } c)
        {
            var within = await WithinAsync(db, c, ct);
            q = q.Where(p => p.CategoryId != null && within.Contains(p.CategoryId.Value));
        }
        if (availability == AvailableOnly) q = q.Where(p => p.Available);
        else if (availability == UnavailableOnly) q = q.Where(p => !p.Available);
        if (after is not null) q = q.Where(p => p.Id > after);
        var rows = await q.OrderBy(p => p.Id).Take(take + 1)
            .Select(p => new ProductView(p.Id, p.ExternalId, p.Name, p.Brand, p.Price, p.SalePrice, p.Currency, p.CategoryId, p.Category == null ? null : p.Category.Path,
                p.Available, p.Availability, p.Link, p.ImageLink, p.LastFeedRunId != null, p.UpdatedAt)).ToListAsync(ct);
        return new Page<ProductView>(rows.Take(take).ToList(), rows.Count > take ? rows[take - 1].Id : null);
    }

    /// <summary>A category and every category below it.</summary>
    private static async Task<List<long>> WithinAsync(CartwiseDb db, long category, CancellationToken ct)
    {
        var path = await db.Categories.Where(x => x.Id == category).Select(x => x.Path).SingleOrDefaultAsync(ct);
        if (path is null) return [];
        var below = path + " > ";
        return await db.Categories.Where(x => x.Path == path || x.Path.StartsWith(below)).Select(x => x.Id).ToListAsync(ct);
    }

    /// <summary>The whole category tree in path order (parents before children), with product counts.</summary>
    public static async Task<IReadOnlyList<CategoryNode>> CategoryTreeAsync(CartwiseDb db, CancellationToken ct)
    {
        var categories = await db.Categories.AsNoTracking().Select(c => new { c.Id, c.Name, c.Path, c.Level, c.ParentId }).ToListAsync(ct);
        var direct = await db.Products.Where(p => p.CategoryId != null).GroupBy(p => p.CategoryId!.Value)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var within = categories.ToDictionary(c => c.Id, c => direct.GetValueOrDefault(c.Id));
        // Deepest first, so every child has added its total before its parent adds to its own.
        foreach (var c in categories.OrderByDescending(c => c.Level))
            if (c.ParentId is { } parent && within.ContainsKey(parent)) within[parent] += within[c.Id];
        return categories.OrderBy(c => c.Path, StringComparer.Ordinal)
            .Select(c => new CategoryNode(c.Id, c.Name, c.Path, c.Level, c.ParentId, direct.GetValueOrDefault(c.Id), within[c.Id])).ToList();
    }

    /// <summary>The latest feed runs, newest first.</summary>
    public static async Task<IReadOnlyList<FeedRunView>> RunsAsync(CartwiseDb db, DateTimeOffset now, int take, CancellationToken ct) =>
        (await db.FeedRuns.AsNoTracking().OrderByDescending(r => r.Id).Take(take).ToListAsync(ct)).Select(r => FeedRunView.From(r, now)).ToList();

    /// <summary>One feed run, or null.</summary>
    public static async Task<FeedRunView?> RunAsync(CartwiseDb db, DateTimeOffset now, long id, CancellationToken ct) =>
        await db.FeedRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } run ? FeedRunView.From(run, now) : null;
}
