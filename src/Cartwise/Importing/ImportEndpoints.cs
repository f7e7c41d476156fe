using System.Text.Json;
using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Importing;

/// <param name="Status">running, succeeded, failed, or interrupted (a running import that stopped committing: its process is gone).</param>
/// <param name="Rows">Rows of the file read up to the last commit.</param>
/// <param name="Done">How far it is, 0–1, when that can be known.</param>
/// <param name="Summary">What it did, by name (orders created, duplicates…), once it ended.</param>
public sealed record ImportRunView(long Id, string Kind, string Source, string Status, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt,
    long Rows, long? TotalRows, long? Bytes, long? TotalBytes, double? Done, IReadOnlyDictionary<string, long>? Summary, string? Error)
{
    public static ImportRunView From(ImportRun r, DateTimeOffset now) => new(r.Id, r.Kind, r.Source, RunStatus.Seen(r.Status, r.UpdatedAt, now), r.StartedAt, r.UpdatedAt, r.FinishedAt,
        r.Rows, r.TotalRows, r.Bytes, r.TotalBytes, r.Done, r.Summary is null ? null : JsonSerializer.Deserialize<Dictionary<string, long>>(r.Summary, StoredJson.Options), r.Error);
}

public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/imports").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Imports");
        g.MapGet("/", ListAsync).WithSummary("Imports of orders, events and coupon codes, newest first, with their progress while they run (kind= orders|events|coupons).");
        g.MapGet("/{id:long}", GetAsync).WithSummary("One import: its progress, and what it did once it ended.");
        return app;
    }

    internal static async Task<Results<Ok<ItemsPage<ImportRunView>>, ValidationProblem>> ListAsync(CartwiseDb db, TimeProvider clock, string? kind, int? limit, CancellationToken ct)
    {
        if (kind is not null && !ImportKinds.All.Contains(kind)) return Problems.Field("kind", $"'{kind}' is not one of {string.Join(", ", ImportKinds.All)}");
        return TypedResults.Ok(new ItemsPage<ImportRunView>(await RecentAsync(db, clock.GetUtcNow(), kind, Math.Clamp(limit ?? 50, 1, 500), ct)));
    }

    internal static async Task<Results<Ok<ImportRunView>, NotFound>> GetAsync(long id, CartwiseDb db, TimeProvider clock, CancellationToken ct) =>
        await db.ImportRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct) is { } run ? TypedResults.Ok(ImportRunView.From(run, clock.GetUtcNow())) : TypedResults.NotFound();

    /// <summary>The store's latest imports (of one kind when given), newest first: what the API and the imports page list.</summary>
    public static async Task<List<ImportRunView>> RecentAsync(CartwiseDb db, DateTimeOffset now, string? kind, int limit, CancellationToken ct) =>
        (await db.ImportRuns.AsNoTracking().Where(r => kind == null || r.Kind == kind).OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct))
            .Select(r => ImportRunView.From(r, now)).ToList();
}
