using Cartwise.Data;
using Cartwise.Recommendations;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

public sealed record DailySales(DateOnly Day, int Orders, decimal Revenue);

/// <summary>Orders and revenue (net of refunds) over days of the store's time zone, both ends included.</summary>
/// <param name="Start">The first day's midnight in the store's time zone, as an instant.</param>
/// <param name="End">The midnight after the last day.</param>
public sealed record SalesReport(DateOnly From, DateOnly To, DateTimeOffset Start, DateTimeOffset End, string Currency, int Orders, decimal Revenue, decimal AverageOrderValue, IReadOnlyList<DailySales> Days);

/// <summary>The current model and the last feed run, for the overview.</summary>
public sealed record ModelSummary(DateTimeOffset BuiltAt, int Baskets, int Items, int Rules, int CategoryRules);

/// <summary>The overview's figures (the API's <c>/stats/…</c> routes and the admin app read them here).</summary>
public static class StoreFigures
{
    /// <summary>The longest range a sales report covers.</summary>
    public const int MaxDays = 731;

    /// <summary>What is wrong with a date range, or null.</summary>
    public static (string Field, string Error)? RangeProblem(DateOnly from, DateOnly to) =>
        to < from ? ("to", "Must be on or after from.")
        : to.DayNumber - from.DayNumber >= MaxDays ? ("to", $"A range covers at most {MaxDays} days.")
        : null;

    public static async Task<SalesReport> SalesAsync(CartwiseDb db, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var zone = Zone(store);
        var (start, end) = Bounds(store, from, to);
        var orders = await db.Orders.AsNoTracking().Where(o => o.PlacedAt >= start && o.PlacedAt < end)
            .Select(o => new { o.PlacedAt, Net = o.Value - o.RefundedValue }).ToListAsync(ct);
        var byDay = orders.GroupBy(o => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.PlacedAt, zone).DateTime))
            .ToDictionary(g => g.Key, g => (Orders: g.Count(), Revenue: g.Sum(o => o.Net)));
        var days = new List<DailySales>();
        for (var d = from; d <= to; d = d.AddDays(1))
            days.Add(byDay.TryGetValue(d, out var x) ? new DailySales(d, x.Orders, x.Revenue) : new DailySales(d, 0, 0));
        var revenue = orders.Sum(o => o.Net);
        return new SalesReport(from, to, start, end, store.Currency, orders.Count, revenue, orders.Count == 0 ? 0 : Math.Round(revenue / orders.Count, 2), days);
    }

    /// <summary>The instants a range of the store's days covers: midnight of the first, midnight after the last.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Bounds(Store store, DateOnly from, DateOnly to)
    {
        var zone = Zone(store);
        return (Start(from, zone), Start(to.AddDays(1), zone));
    }

    /// <summary>The day an instant falls on in the store's time zone.</summary>
    public static DateOnly DayOf(Store store, DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone(store)).DateTime);

    /// <summary>The store's time zone (UTC when the system does not know its name).</summary>
    private static TimeZoneInfo Zone(Store store) => TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var z) ? z : TimeZoneInfo.Utc;

    /// <summary>Midnight of a day in a time zone, as an instant (in UTC: PostgreSQL takes no other offset).</summary>
    private static DateTimeOffset Start(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>
    /// The range an overview opens with: the 30 days up to the newest order (a store whose history was imported
    /// shows its last month, not an empty one), or up to today.
    /// </summary>
    public static async Task<(DateOnly From, DateOnly To)> DefaultRangeAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var latest = await db.Orders.OrderByDescending(o => o.PlacedAt).Select(o => (DateTimeOffset?)o.PlacedAt).FirstOrDefaultAsync(ct);
        var to = DayOf(store, latest is { } l && l < now ? l : now);
        return (to.AddDays(-29), to);
    }

    /// <summary>Events received since an instant, by name.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> EventsSinceAsync(CartwiseDb db, DateTimeOffset since, CancellationToken ct) =>
        await db.Events.Where(e => e.ReceivedAt >= since).GroupBy(e => e.Name).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);

    /// <summary>The newest model that was built (null: none yet).</summary>
    public static async Task<MiningRun?> LatestModelAsync(CartwiseDb db, CancellationToken ct) =>
        await db.MiningRuns.AsNoTracking().Where(r => r.Status == RunStatus.Succeeded).OrderByDescending(r => r.Id)
            .Select(r => new MiningRun
            {
                Id = r.Id, Status = r.Status, StartedAt = r.StartedAt, FinishedAt = r.FinishedAt, Since = r.Since, Baskets = r.Baskets, Items = r.Items,
                MinSupportCount = r.MinSupportCount, MinConfidence = r.MinConfidence, Rules = r.Rules, CategoryRules = r.CategoryRules, Pairs = r.Pairs,
            }).FirstOrDefaultAsync(ct);
}
