using System.Text.Json;
using Cartwise.Core.Analytics;
using Cartwise.Core.Attribution;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Messages;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Analytics;

/// <summary>The days a report covers (the store's time zone, both ends included) and the instants they span.</summary>
public sealed record ReportRange(DateOnly From, DateOnly To, DateTimeOffset Start, DateTimeOffset End, string Currency, string TimeZone);

public sealed record OrdersAnalytics(ReportRange Range, string? Segment, OrderValueReport Values);

public sealed record RepeatAnalytics(ReportRange Range, RepeatReport Repeat);

public sealed record CohortAnalytics(ReportRange Range, IReadOnlyList<Cohort> Cohorts);

public sealed record ThresholdAnalytics(ReportRange Range, decimal? CurrentThreshold, ThresholdSuggestion Suggestion);

/// <summary>What the store's tracked paths credit to each channel under each model, and the most common paths.</summary>
/// <param name="GuestOrders">Orders without a known person: no path leads to them, so they are left out.</param>
public sealed record AttributionAnalytics(ReportRange Range, int Paths, double Conversions, decimal Value, int GuestOrders, double LookbackVisitDays, double LookbackClickDays,
    double LookbackOpenDays, double HalfLifeDays, IReadOnlyList<ModelResult> Models, IReadOnlyList<PathSummary> TopPaths);

/// <summary>
/// The store analytics (SPEC R2, R3, S4) read from stored rows: each figure is one function of
/// <c>Cartwise.Core</c> (<see cref="OrderValues"/>, <see cref="RepeatPurchases"/>, <see cref="Cohorts"/>,
/// <see cref="ShippingThreshold"/>, <see cref="ConversionPaths"/> and <see cref="AttributionModels"/>); this class
/// only loads their input. The API, the CLI and the admin pages all call it.
/// </summary>
public static class StoreAnalytics
{
    /// <summary>A new visit starts after this long without an event (or with other utm tags).</summary>
    public static readonly TimeSpan VisitGap = TimeSpan.FromMinutes(30);

    /// <summary>The days a report opens with: the year up to the newest order (or today when there is none).</summary>
    public static async Task<(DateOnly From, DateOnly To)> DefaultRangeAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        var (_, to) = await StoreFigures.DefaultRangeAsync(db, now, ct);
        return (to.AddDays(-364), to);
    }

    public static async Task<ReportRange> RangeAsync(CartwiseDb db, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var (start, end) = StoreFigures.Bounds(store, from, to);
        return new ReportRange(from, to, start, end, store.Currency, store.TimeZone);
    }

    /// <summary>Every order placed before <paramref name="end"/> (and from <paramref name="start"/>), each bound when given.</summary>
    public static async Task<List<OrderFact>> OrderFactsAsync(CartwiseDb db, DateTimeOffset? start, DateTimeOffset? end, CancellationToken ct)
    {
        IQueryable<Orders.Order> q = db.Orders.AsNoTracking();
        if (end is not null) q = q.Where(o => o.PlacedAt < end);
        if (start is not null) q = q.Where(o => o.PlacedAt >= start);
        return await q.Select(o => new OrderFact(o.Id, o.CustomerId, o.PlacedAt, o.Value, o.RefundedValue, o.Coupon != null)).ToListAsync(ct);
    }

    /// <summary>Order values of the range, of everyone or of one segment's current members.</summary>
    public static async Task<OrdersAnalytics> OrdersAsync(CartwiseDb db, ReportRange range, string? segment, decimal? bucketWidth, CancellationToken ct)
    {
        var orders = await OrderFactsAsync(db, range.Start, range.End, ct);
        if (segment is not null)
        {
            var members = (await db.CustomerSegments.AsNoTracking().Where(s => s.Segment == segment).Select(s => s.CustomerId).ToListAsync(ct)).ToHashSet();
            orders = orders.Where(o => o.Person is { } p && members.Contains(p)).ToList();
        }
        return new OrdersAnalytics(range, segment, OrderValues.Compute(orders, bucketWidth));
    }

    public static async Task<RepeatAnalytics> RepeatAsync(CartwiseDb db, ReportRange range, CancellationToken ct) =>
        new(range, RepeatPurchases.Compute(await OrderFactsAsync(db, null, range.End, ct), range.Start, range.End));

    public static async Task<CohortAnalytics> CohortsAsync(CartwiseDb db, ReportRange range, CancellationToken ct) =>
        new(range, Cohorts.Monthly(await OrderFactsAsync(db, null, range.End, ct), Core.StoreTime.Zone(range.TimeZone), range.From, range.To));

    /// <summary>The free-shipping suggestion from the range's orders and the prices of the units they sold.</summary>
    public static async Task<ThresholdAnalytics> ThresholdAsync(CartwiseDb db, ReportRange range, CancellationToken ct)
    {
        var orders = await OrderFactsAsync(db, range.Start, range.End, ct);
        var lines = await (from o in db.Orders.AsNoTracking()
                           join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                           where o.PlacedAt >= range.Start && o.PlacedAt < range.End && l.Quantity > l.RefundedQuantity
                           group l.Quantity - l.RefundedQuantity by l.Price into g
                           select new { Price = g.Key, Units = g.Sum() }).ToListAsync(ct);
        var current = await db.Stores.AsNoTracking().Where(s => s.Id == db.CurrentStoreId).Select(s => s.FreeShippingThreshold).SingleAsync(ct);
        var suggestion = ShippingThreshold.Suggest(orders.Where(o => o.IsSale).Select(o => o.Net), lines.Select(l => (l.Price, (long)l.Units)));
        return new ThresholdAnalytics(range, current, suggestion);
    }

    /// <summary>
    /// Conversion paths of the range's purchases (and of the people who came and did not buy) from tracked visits
    /// and message opens and clicks, under every model (or the one asked).
    /// </summary>
    public static async Task<AttributionAnalytics> AttributionAsync(CartwiseDb db, ReportRange range, LookbackWindows windows, double halfLifeDays, string? model,
        int topPaths, CancellationToken ct)
    {
        var paths = await PathsAsync(db, range, windows, ct);
        var models = (model is null ? AttributionModels.All : [model]).Select(m => AttributionModels.Run(m, paths.Paths, halfLifeDays)).ToList();
        return new AttributionAnalytics(range, paths.Paths.Count, paths.Paths.Sum(p => p.Conversions), paths.Paths.Sum(p => p.Value),
            paths.GuestOrders, windows.Visit.TotalDays, windows.Click.TotalDays, windows.Open.TotalDays, halfLifeDays, models,
            AttributionModels.TopPaths(paths.Paths, topPaths));
    }

    /// <summary>The range's conversion paths (see <see cref="ConversionPaths.Build"/>), and its sales no path leads to (guests').</summary>
    public static async Task<(IReadOnlyList<ConversionPath> Paths, int GuestOrders)> PathsAsync(CartwiseDb db, ReportRange range, LookbackWindows windows, CancellationToken ct)
    {
        var longest = new[] { windows.Visit, windows.Click, windows.Open }.Max();
        var since = range.Start - longest;
        var touches = await VisitsAsync(db, since, range.End, ct);
        var activity = await (from a in db.MessageActivities.AsNoTracking()
                              join o in db.Outbox.AsNoTracking() on a.OutboxId equals o.Id
                              join s in db.Scenarios.AsNoTracking() on o.ScenarioId equals s.Id into scenarios
                              from s in scenarios.DefaultIfEmpty()
                              where a.CustomerId != null && a.At >= since && a.At < range.End && !o.IsTest
                                    && (a.Kind == ActivityKinds.Open || a.Kind == ActivityKinds.Click)
                              select new { Customer = a.CustomerId!.Value, a.At, a.Kind, Scenario = s == null ? null : s.Name }).ToListAsync(ct);
        touches.AddRange(activity.Select(a => new TouchPoint(a.Customer, a.At, ConversionPaths.MessageChannel(a.Scenario),
            a.Kind == ActivityKinds.Click ? TouchKinds.Click : TouchKinds.Open)));
        var orders = await OrderFactsAsync(db, range.Start, range.End, ct);
        var conversions = orders.Where(o => o.IsSale && o.Person is not null).Select(o => new Conversion(o.Person!.Value, o.PlacedAt, o.Net));
        // Paths without a purchase end at the range's end; touches before the range only lead into its purchases.
        var paths = ConversionPaths.Build(touches, conversions, windows, range.End)
            .Where(p => p.Conversions > 0 || p.AgesDays is null || p.AgesDays[^1] <= (range.End - range.Start).TotalDays).ToList();
        return (paths, orders.Count(o => o.IsSale && o.Person is null));
    }

    /// <summary>
    /// Visits from tracked events: a person's event after <see cref="VisitGap"/> of quiet, or one whose utm tags
    /// name another channel than the visit's, starts a visit; its channel is the tags', else the referrer's host
    /// (<c>page_referrer</c>, which the tracking script sends from the landing page), else direct.
    /// </summary>
    private static async Task<List<TouchPoint>> VisitsAsync(CartwiseDb db, DateTimeOffset since, DateTimeOffset end, CancellationToken ct)
    {
        // A purchase or refund is no visit of its own (an imported order has no visit at all) unless it came tagged.
        var events = await db.Events.AsNoTracking().Where(e => e.CustomerId != null && e.OccurredAt >= since && e.OccurredAt < end && e.Name != EventNames.Refund
                && (e.Name != EventNames.Purchase || e.UtmSource != null || e.UtmMedium != null))
            .Select(e => new { e.Id, Customer = e.CustomerId!.Value, e.OccurredAt, e.UtmSource, e.UtmMedium }).ToListAsync(ct);
        var starts = new List<(long Event, long Customer, DateTimeOffset At, string? Channel)>();
        foreach (var person in events.GroupBy(e => e.Customer))
        {
            DateTimeOffset? last = null;
            string? channel = null;
            foreach (var e in person.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id))
            {
                var tagged = e.UtmSource is not null || e.UtmMedium is not null ? ConversionPaths.VisitChannel(e.UtmSource, e.UtmMedium, null) : null;
                if (last is null || e.OccurredAt - last > VisitGap || (tagged is not null && tagged != channel))
                {
                    starts.Add((e.Id, e.Customer, e.OccurredAt, tagged));
                    channel = tagged;
                }
                last = e.OccurredAt;
            }
        }
        var untagged = starts.Where(s => s.Channel is null).Select(s => s.Event).ToList();
        var referrers = new Dictionary<long, string?>();
        foreach (var chunk in untagged.Chunk(1000))
            foreach (var row in await db.Events.AsNoTracking().Where(e => chunk.Contains(e.Id)).Select(e => new { e.Id, e.Payload }).ToListAsync(ct))
                referrers[row.Id] = ReferrerHost(row.Payload);
        return starts.Select(s => new TouchPoint(s.Customer, s.At, s.Channel ?? ConversionPaths.VisitChannel(null, null, referrers.GetValueOrDefault(s.Event)), TouchKinds.Visit)).ToList();
    }

    private static string? ReferrerHost(string payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("page_referrer", out var r) && r.ValueKind == JsonValueKind.String
                   && Uri.TryCreate(r.GetString(), UriKind.Absolute, out var uri) ? uri.Host : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
