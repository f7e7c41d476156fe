using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Cartwise.Core.Catalog;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Catalog;

/// <param name="Status">running, succeeded, failed, not-modified, or interrupted (a running run that stopped committing: its process is gone).</param>
/// <param name="ItemsTotal">Items in the feed, known once it was read through (before anything is written).</param>
/// <param name="ItemsRead">Items written or rejected so far, up to the last commit while the run goes on.</param>
public sealed record FeedRunView(long Id, string Source, string Format, bool Full, string Status, DateTimeOffset StartedAt, DateTimeOffset? UpdatedAt, DateTimeOffset? FinishedAt,
    int? ItemsTotal, int ItemsRead, int Created, int Updated, int MadeUnavailable, int Rejected, string? Error, IReadOnlyList<FeedProblem> Rejections)
{
    public static FeedRunView From(FeedRun r, DateTimeOffset now) => new(r.Id, r.Source, r.Format, r.Full, RunStatus.Seen(r.Status, r.UpdatedAt, now), r.StartedAt, r.UpdatedAt,
        r.FinishedAt, r.ItemsTotal, r.ItemsRead, r.Created, r.Updated, r.MadeUnavailable, r.Rejected, r.Error,
        r.Rejections is null ? [] : JsonSerializer.Deserialize<List<FeedProblem>>(r.Rejections, JsonSerializerOptions.Web) ?? []);
}

/// <param name="Url">An http(s) URL of a Merchant Center feed (XML or CSV, optionally .gz).</param>
/// <param name="IntervalMinutes">How often to fetch it: 5 minutes to 7 days.</param>
/// <param name="Format">xml, csv or auto.</param>
public sealed record FeedScheduleRequest([property: Required, Url] string Url, [property: Range(5, 10080)] int IntervalMinutes = 360, string? Format = null);

public sealed record FeedScheduleView(string Url, string? Format, int IntervalMinutes, DateTimeOffset NextRunAt, long? LastRunId, string? ETag, string? LastModified);

public static class FeedEndpoints
{
    /// <summary>Uploads may be large catalogues.</summary>
    private const long MaxUploadBytes = 1L << 30;

    public static IEndpointRouteBuilder MapFeedEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/feeds").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Catalog");
        g.MapPost("/upload", UploadAsync).WithSummary("Import a feed sent as the request body (?format=xml|csv, ?partial=true for a feed that lists only some products).")
            .DisableAntiforgery();
        var catalog = app.MapGroup("/api/v1").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Catalog");
        catalog.MapGet("/products", ProductsAsync).WithSummary("Products: q= finds by the start of the item id or a part of the name; category= (with its subcategories), availability=all|available|unavailable; keyset-paged with after=.");
        catalog.MapGet("/categories", CategoriesAsync).WithSummary("The category tree in path order, with the products directly in each category and within it.");
        // The admin app's upload form: signed in with the cookie. Antiforgery is checked here, after the body limit is
        // raised (the middleware would read the form under the 1 MiB limit first).
        app.MapPost("/catalog/upload", UploadFormAsync).RequireAuthorization().DisableAntiforgery().ExcludeFromDescription();
        g.MapGet("/runs", RunsAsync).WithSummary("Feed runs, newest first.");
        g.MapGet("/runs/{id:long}", RunAsync).WithSummary("One feed run with its rejected items.");
        g.MapGet("/schedule", GetScheduleAsync).WithSummary("The store's scheduled feed URL.");
        g.MapPut("/schedule", PutScheduleAsync).WithSummary("Fetch a feed URL on a schedule (conditional GET; a failed fetch keeps the catalogue).");
        g.MapDelete("/schedule", DeleteScheduleAsync).WithSummary("Stop fetching the feed URL.");
        g.MapPost("/schedule/run", RunNowAsync).WithSummary("Fetch the scheduled feed at the next worker pass.");
        return app;
    }

    internal static async Task<Results<Ok<FeedRunView>, ProblemHttpResult>> UploadAsync(
        HttpContext http, CartwiseDb db, string? format, bool? partial, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxUploadBytes;
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var feedFormat = format?.ToLowerInvariant() switch
        {
            "xml" => FeedFormat.Xml,
            "csv" => FeedFormat.Csv,
            null or "auto" => http.Request.ContentType?.Contains("csv", StringComparison.OrdinalIgnoreCase) == true ? FeedFormat.Csv : FeedFormat.Auto,
            _ => (FeedFormat?)null,
        };
        if (feedFormat is null) return TypedResults.Problem(statusCode: 400, title: "Unknown format", detail: $"format '{format}' is not xml, csv or auto.");
        var gzip = http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var (run, failure) = await ImportUploadAsync(http.RequestServices, store, http.Request.Body, gzip, feedFormat.Value, partial != true, "upload", ct);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        return failure is null ? TypedResults.Ok(FeedRunView.From(run, now))
            : TypedResults.Problem(statusCode: 400, title: "The feed could not be read; nothing was changed", detail: failure,
                extensions: new Dictionary<string, object?> { ["runId"] = run.Id });
    }

    /// <summary>
    /// Imports an uploaded feed (the API's request body, the admin app's file field). The upload goes to a temporary
    /// file first: the importer reads synchronously (XmlReader), which a request body does not allow, and a large
    /// catalogue should not sit in memory. A feed that cannot be read as a whole comes back as its run and the reason.
    /// </summary>
    public static async Task<(FeedRun Run, string? Failure)> ImportUploadAsync(IServiceProvider services, Store store, Stream content, bool gzip, FeedFormat format,
        bool full, string source, CancellationToken ct)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"cartwise-feed-{Guid.NewGuid():N}");
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await content.CopyToAsync(file, ct);
        file.Position = 0;
        Stream body = gzip
            ? new LimitedStream(new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true),
                services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FeedOptions>>().Value.MaxUncompressedBytes)
            : file;
        try
        {
            var importer = new FeedImporter(services.GetRequiredService<DatabaseTarget>().CreateContext, store, services.GetRequiredService<TimeProvider>());
            return (await importer.ImportAsync(body, source, new FeedImportOptions(format, full), ct), null);
        }
        catch (FeedFailedException e)
        {
            return (e.Run, e.Message);
        }
    }

    /// <summary>The catalogue page's upload: the run's page afterwards, or the catalogue with the field's problem.</summary>
    internal static async Task<IResult> UploadFormAsync(HttpContext http, CartwiseDb db, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxUploadBytes;
        var form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxUploadBytes }, ct);
        if (!await antiforgery.IsRequestValidAsync(http)) return TypedResults.BadRequest("The form has expired; reload the page and send it again.");
        if (db.CurrentStoreId == 0) return TypedResults.Redirect("/");
        var file = form.Files.GetFile("feed");
        if (file is null || file.Length == 0) return TypedResults.Redirect("/catalog?problem=nofile#upload");
        var name = file.FileName.ToLowerInvariant();
        var gzip = name.EndsWith(".gz", StringComparison.Ordinal);
        var bare = gzip ? name[..^3] : name;
        var format = form["format"].ToString() switch
        {
            "xml" => FeedFormat.Xml,
            "csv" => FeedFormat.Csv,
            _ => bare.EndsWith(".csv", StringComparison.Ordinal) || bare.EndsWith(".tsv", StringComparison.Ordinal) ? FeedFormat.Csv : FeedFormat.Auto,
        };
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        await using var content = file.OpenReadStream();
        var (run, _) = await ImportUploadAsync(http.RequestServices, store, content, gzip, format, form["partial"] != "true", "upload: " + file.FileName, ct);
        return TypedResults.Redirect($"/catalog/runs/{run.Id}");
    }

    internal static async Task<Results<Ok<Page<ProductView>>, ValidationProblem>> ProductsAsync(CartwiseDb db, string? q, long? category, string? availability,
        long? after, int? limit, CancellationToken ct)
    {
        if (CatalogQueries.AvailabilityProblem(availability) is { } problem) return Problems.Field("availability", problem);
        return TypedResults.Ok(await CatalogQueries.ProductsAsync(db, q, category, availability, after, Math.Clamp(limit ?? 50, 1, 500), ct));
    }

    internal static async Task<Ok<IReadOnlyList<CategoryNode>>> CategoriesAsync(CartwiseDb db, CancellationToken ct) =>
        TypedResults.Ok(await CatalogQueries.CategoryTreeAsync(db, ct));

    internal static async Task<Ok<Page<FeedRunView>>> RunsAsync(CartwiseDb db, TimeProvider clock, int? limit, CancellationToken ct) =>
        TypedResults.Ok(new Page<FeedRunView>(await CatalogQueries.RunsAsync(db, clock.GetUtcNow(), Math.Clamp(limit ?? 50, 1, 500), ct), null));

    internal static async Task<Results<Ok<FeedRunView>, NotFound>> RunAsync(CartwiseDb db, TimeProvider clock, long id, CancellationToken ct) =>
        await CatalogQueries.RunAsync(db, clock.GetUtcNow(), id, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound();

    private static FeedScheduleView View(FeedSchedule s) => new(s.Url, s.Format, s.IntervalMinutes, s.NextRunAt, s.LastRunId, s.ETag, s.LastModified);

    internal static async Task<Results<Ok<FeedScheduleView>, NotFound>> GetScheduleAsync(CartwiseDb db, CancellationToken ct) =>
        await db.FeedSchedules.AsNoTracking().SingleOrDefaultAsync(ct) is { } s ? TypedResults.Ok(View(s)) : TypedResults.NotFound();

    internal static async Task<Results<Ok<FeedScheduleView>, ValidationProblem, ProblemHttpResult>> PutScheduleAsync(CartwiseDb db, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<FeedOptions> options, FeedScheduleRequest request, CancellationToken ct)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return Problems.Field("url", "Must be an http or https URL.");
        // Names are resolved, and checked again, when the feed is fetched (FeedNetwork); what is plainly internal is refused now.
        if (!FeedNetwork.IsAllowed(options.Value, url.Host)
            && (url.IsLoopback || (System.Net.IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var ip) && FeedNetwork.IsInternal(ip))))
            return Problems.Field("url", FeedNetwork.Refusal(url.Host));
        if (request.Format is not (null or "xml" or "csv" or "auto"))
            return Problems.Field("format", "Must be xml, csv or auto.");
        var schedule = await db.FeedSchedules.SingleOrDefaultAsync(ct);
        if (schedule is null)
        {
            schedule = new FeedSchedule { StoreId = db.CurrentStoreId, Url = request.Url };
            db.FeedSchedules.Add(schedule);
        }
        if (schedule.Url != request.Url) schedule.ETag = schedule.LastModified = null;
        schedule.Url = request.Url;
        schedule.Format = request.Format;
        schedule.IntervalMinutes = request.IntervalMinutes;
        schedule.NextRunAt = clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Problems.Conflict("Another request set the feed schedule at the same moment; read it (GET) and send yours again.");
        }
        return TypedResults.Ok(View(schedule));
    }

    internal static async Task<Results<NoContent, NotFound>> DeleteScheduleAsync(CartwiseDb db, CancellationToken ct) =>
        await db.FeedSchedules.ExecuteDeleteAsync(ct) > 0 ? TypedResults.NoContent() : TypedResults.NotFound();

    internal static async Task<Results<Accepted, NotFound>> RunNowAsync(CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.FeedSchedules.ExecuteUpdateAsync(u => u.SetProperty(s => s.NextRunAt, now), ct) > 0 ? TypedResults.Accepted((string?)null) : TypedResults.NotFound();
    }
}
