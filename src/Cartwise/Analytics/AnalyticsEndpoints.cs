using System.Text;
using Cartwise.Core.Attribution;
using Cartwise.Core.Segments;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Segments;
using Cartwise.Stores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Analytics;

/// <summary>The settings a store saves for its segments.</summary>
public sealed record SegmentSettingsRequest(int? WindowDays, int? IntervalHours, Dictionary<string, string>? Names);

/// <summary>Store analytics over REST (SPEC R2, R3, S4): every route reads <see cref="StoreAnalytics"/> or <see cref="SegmentService"/>.</summary>
public static class AnalyticsEndpoints
{
    private const string Range = " Days from= to= (yyyy-MM-dd, the store's time zone, both included; default the year up to the newest order).";

    public static IEndpointRouteBuilder MapAnalyticsEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/analytics").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Analytics");
        g.MapGet("/orders", OrdersAsync).WithSummary("Orders, revenue, AOV, median, quantiles, the order-value histogram (?bucketWidth=, else chosen from the data), coupon share; net of refunds; ?segment= for one RFM segment." + Range);
        g.MapGet("/repeat", RepeatAsync).WithSummary("Customers with 1, 2, 3, 4+ orders, repeat rate, days from first to second order, revenue of new, returning and guest orders." + Range);
        g.MapGet("/cohorts", CohortsAsync).WithSummary("Monthly cohorts by first order: customers and the share and revenue still ordering in month 0, 1, 2, …" + Range);
        g.MapGet("/cohorts.csv", CohortsCsvAsync).WithSummary("The cohort triangle (shares) as CSV." + Range);
        g.MapGet("/threshold", ThresholdAsync).WithSummary("Free-shipping threshold candidates: the share of orders already above each and within one typical item of it, and the suggestion." + Range);
        g.MapGet("/attribution", AttributionAsync).WithSummary("Conversions and revenue per channel under ?model= (last, first, linear, time-decay, position, markov; default all), with the top paths. ?halfLifeDays=7, ?visitDays=28, ?clickDays=28, ?openDays=1, ?top=10." + Range);
        g.MapGet("/paths", PathsAsync).WithSummary("The most common conversion paths with conversions, revenue and conversion rate (?top=, lookbacks as /attribution)." + Range);
        g.MapGet("/rfm", RfmAsync).WithSummary("The RFM segments in the order they are tried, each with its rule, the store's name, members and their averages.");
        g.MapPost("/rfm/recompute", RecomputeAsync).WithSummary("Score every customer with a sale in the window now (409 while another recomputation runs).");
        g.MapGet("/rfm/settings", SettingsAsync).WithSummary("The scoring window (days), how often the scores are recomputed (hours) and the store's names of segments.");
        g.MapPut("/rfm/settings", SaveSettingsAsync).WithSummary("Change the window, the interval or segment names ({\"names\": {\"loyal\": \"Stali klienci\"}}).");
        g.MapGet("/rfm/moves", MovesAsync).WithSummary("Who moved between segments: ?from= and ?to= (segment keys), since= until= (days, default the last 30).");
        g.MapGet("/rfm/{segment}/members", MembersAsync).WithSummary("A segment's members with contact, consent and scores, most valuable first (?offset=, ?limit= up to 1000).");
        g.MapGet("/rfm/{segment}.csv", ExportAsync).WithSummary("A segment as CSV (email, phone, name, language, consent, scores): consenting contacts only unless ?all=true; the first column says which.");
        // The admin app's downloads of the same files (signed in with the cookie).
        // They answer IResult, not typed results: a typed result marks a route as an API one, which the cookie answers with
        // 401 instead of leading to the sign-in page.
        app.MapGet("/analytics/cohorts.csv", async (CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct) =>
            (await CohortsCsvAsync(db, clock, from, to, ct)).Result).RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/analytics/segments/{segment}.csv", async (string segment, CartwiseDb db, bool? all, CancellationToken ct) =>
            (await ExportAsync(segment, db, all, ct)).Result).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<(ReportRange? Range, ValidationProblem? Problem)> RangeAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (defaultFrom, defaultTo) = await StoreAnalytics.DefaultRangeAsync(db, clock.GetUtcNow(), ct);
        var (f, t) = (from ?? (to is { } end ? end.AddDays(-364) : defaultFrom), to ?? defaultTo);
        if (StoreFigures.RangeProblem(f, t) is { } problem) return (null, Problems.Field(problem.Field, problem.Error));
        return (await StoreAnalytics.RangeAsync(db, f, t, ct), null);
    }

    internal static async Task<Results<Ok<OrdersAnalytics>, ValidationProblem>> OrdersAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, string? segment,
        decimal? bucketWidth, CancellationToken ct)
    {
        if (segment is not null && !Rfm.Segments.Any(s => s.Key == segment)) return Problems.Field("segment", UnknownSegment(segment));
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        if (problem is not null) return problem;
        if (await BucketWidthProblemAsync(db, range!, bucketWidth, ct) is { } bad) return Problems.Field("bucketWidth", bad);
        return TypedResults.Ok(await StoreAnalytics.OrdersAsync(db, range!, segment, bucketWidth, ct));
    }

    /// <summary>What is wrong with a histogram's bucket width for the range's orders, or null.</summary>
    public static async Task<string?> BucketWidthProblemAsync(CartwiseDb db, ReportRange range, decimal? width, CancellationToken ct)
    {
        if (width is not { } w) return null;
        if (w <= 0) return "Must be above 0.";
        var largest = (await StoreAnalytics.OrderFactsAsync(db, range.Start, range.End, ct)).Where(o => o.IsSale).Select(o => o.Net).DefaultIfEmpty().Max();
        return largest / w > 1000 ? "Gives more than 1000 buckets; choose a wider one." : null;
    }

    internal static async Task<Results<Ok<RepeatAnalytics>, ValidationProblem>> RepeatAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        return problem is not null ? problem : TypedResults.Ok(await StoreAnalytics.RepeatAsync(db, range!, ct));
    }

    internal static async Task<Results<Ok<CohortAnalytics>, ValidationProblem>> CohortsAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        return problem is not null ? problem : TypedResults.Ok(await StoreAnalytics.CohortsAsync(db, range!, ct));
    }

    internal static async Task<Results<FileContentHttpResult, ValidationProblem>> CohortsCsvAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        if (problem is not null) return problem;
        var table = ReportTables.Cohorts(await StoreAnalytics.CohortsAsync(db, range!, ct))[0];
        return await CsvAsync(table.WriteCsvAsync, $"cohorts-{range!.From:yyyy-MM-dd}-{range.To:yyyy-MM-dd}.csv");
    }

    internal static async Task<Results<Ok<ThresholdAnalytics>, ValidationProblem>> ThresholdAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        return problem is not null ? problem : TypedResults.Ok(await StoreAnalytics.ThresholdAsync(db, range!, ct));
    }

    /// <summary>What is wrong with the attribution parameters, or null; the windows they give.</summary>
    public static (string Field, string Error)? AttributionProblem(string? model, double? halfLifeDays, double? visitDays, double? clickDays, double? openDays, int? top,
        out LookbackWindows windows)
    {
        var d = LookbackWindows.Default;
        windows = new LookbackWindows(visitDays is { } v ? TimeSpan.FromDays(v) : d.Visit, clickDays is { } c ? TimeSpan.FromDays(c) : d.Click,
            openDays is { } o ? TimeSpan.FromDays(o) : d.Open);
        if (model is not null && !AttributionModels.All.Contains(model)) return ("model", $"No model '{model}'; the models are {string.Join(", ", AttributionModels.All)}.");
        if (halfLifeDays is { } h && (h <= 0 || h > 365 || double.IsNaN(h))) return ("halfLifeDays", "Must be above 0 and at most 365.");
        foreach (var (field, value) in new[] { ("visitDays", visitDays), ("clickDays", clickDays), ("openDays", openDays) })
            if (value is { } x && (x < 0 || x > 90 || double.IsNaN(x))) return (field, "Must be between 0 and 90 days.");
        if (top is < 1 or > 100) return ("top", "Must be between 1 and 100.");
        return null;
    }

    internal static async Task<Results<Ok<AttributionAnalytics>, ValidationProblem>> AttributionAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, string? model,
        double? halfLifeDays, double? visitDays, double? clickDays, double? openDays, int? top, CancellationToken ct)
    {
        if (AttributionProblem(model, halfLifeDays, visitDays, clickDays, openDays, top, out var windows) is { } bad) return Problems.Field(bad.Field, bad.Error);
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        if (problem is not null) return problem;
        return TypedResults.Ok(await StoreAnalytics.AttributionAsync(db, range!, windows, halfLifeDays ?? AttributionModels.DefaultHalfLifeDays, model, top ?? 10, ct));
    }

    internal static async Task<Results<Ok<ItemsPage<PathSummary>>, ValidationProblem>> PathsAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to,
        double? visitDays, double? clickDays, double? openDays, int? top, CancellationToken ct)
    {
        if (AttributionProblem(null, null, visitDays, clickDays, openDays, top, out var windows) is { } bad) return Problems.Field(bad.Field, bad.Error);
        var (range, problem) = await RangeAsync(db, clock, from, to, ct);
        if (problem is not null) return problem;
        var paths = await StoreAnalytics.PathsAsync(db, range!, windows, ct);
        return TypedResults.Ok(new ItemsPage<PathSummary>(AttributionModels.TopPaths(paths.Paths, top ?? 10)));
    }

    internal static async Task<Ok<SegmentOverview>> RfmAsync(CartwiseDb db, CancellationToken ct) => TypedResults.Ok(await SegmentService.OverviewAsync(db, ct));

    internal static async Task<Results<Ok<SegmentRun>, ProblemHttpResult>> RecomputeAsync(CartwiseDb db, TimeProvider clock, CancellationToken ct) =>
        await SegmentService.RecomputeAsync(db, clock.GetUtcNow(), ct) is { } run
            ? TypedResults.Ok(run)
            : Problems.Conflict("The segments are being recomputed; ask again when that run has finished.");

    internal static async Task<Ok<SegmentSettings>> SettingsAsync(CartwiseDb db, CancellationToken ct) => TypedResults.Ok(await SegmentService.SettingsAsync(db, ct));

    internal static async Task<Results<Ok<SegmentSettings>, ValidationProblem>> SaveSettingsAsync(SegmentSettingsRequest request, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var current = await SegmentService.SettingsAsync(db, ct);
        var settings = new SegmentSettings(request.WindowDays ?? current.WindowDays, request.IntervalHours ?? current.IntervalHours, request.Names ?? current.Names.ToDictionary());
        if (SegmentService.Problems(settings) is { Count: > 0 } problems) return Problems.Fields(problems.Select(p => (p.Key, p.Value)));
        await SegmentService.SaveSettingsAsync(db, settings, clock.GetUtcNow(), ct);
        return TypedResults.Ok(await SegmentService.SettingsAsync(db, ct));
    }

    internal static async Task<Results<Ok<SegmentMoves>, ValidationProblem>> MovesAsync(CartwiseDb db, TimeProvider clock, string? from, string? to, DateOnly? since,
        DateOnly? until, int? limit, CancellationToken ct)
    {
        foreach (var (field, key) in new[] { ("from", from), ("to", to) })
            if (key is not null && !Rfm.Segments.Any(s => s.Key == key)) return Problems.Field(field, UnknownSegment(key));
        // Moves happen when scores are computed, not when orders were placed: the default is the 30 days up to today.
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var last = until ?? StoreFigures.DayOf(store, clock.GetUtcNow());
        var first = since ?? last.AddDays(-29);
        if (StoreFigures.RangeProblem(first, last) is { } problem) return Problems.Field(problem.Field == "to" ? "until" : "since", problem.Error);
        var (start, end) = StoreFigures.Bounds(store, first, last);
        return TypedResults.Ok(await SegmentService.MovesAsync(db, from, to, start, end, Math.Clamp(limit ?? 100, 1, 1000), ct));
    }

    internal static async Task<Results<Ok<ItemsPage<SegmentMember>>, ValidationProblem>> MembersAsync(string segment, CartwiseDb db, int? offset, int? limit, bool? consenting,
        CancellationToken ct)
    {
        if (!Rfm.Segments.Any(s => s.Key == segment)) return Problems.Field("segment", UnknownSegment(segment));
        return TypedResults.Ok(new ItemsPage<SegmentMember>(await SegmentService.MembersAsync(db, segment, consenting ?? false, Math.Max(0, offset ?? 0),
            Math.Clamp(limit ?? 100, 1, 1000), ct)));
    }

    internal static async Task<Results<FileContentHttpResult, ValidationProblem>> ExportAsync(string segment, CartwiseDb db, bool? all, CancellationToken ct)
    {
        if (!Rfm.Segments.Any(s => s.Key == segment)) return Problems.Field("segment", UnknownSegment(segment));
        return await CsvAsync(w => SegmentService.WriteCsvAsync(db, segment, all != true, w, ct), $"{segment}-{(all == true ? "all-contacts" : "consenting")}.csv");
    }

    private static string UnknownSegment(string key) => $"No segment '{key}'; the segments are {string.Join(", ", Rfm.Segments.Select(s => s.Key))}.";

    private static async Task<FileContentHttpResult> CsvAsync(Func<TextWriter, Task> write, string name)
    {
        var sb = new StringBuilder();
        await using (var w = new StringWriter(sb)) await write(w);
        return TypedResults.File(new UTF8Encoding(false).GetBytes(sb.ToString()), "text/csv; charset=utf-8", name);
    }
}
