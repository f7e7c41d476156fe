using System.Text.Json;
using Cartwise.Analytics;
using Cartwise.Core.Segments;
using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Segments;

/// <summary>What a recomputation did.</summary>
/// <param name="AsOf">The instant recency is measured from: now, or the newest order when the window up to now holds none (a store with imported history).</param>
public sealed record SegmentRun(DateTimeOffset ScoredAt, DateTimeOffset AsOf, bool AsOfNewestOrder, int WindowDays, int Scored, int Moved, int Left);

/// <summary>A segment's rule, its (store's) name and how many customers are in it now, with their averages.</summary>
public sealed record SegmentSummary(string Key, string Name, string Rule, int Customers, double Share, decimal Monetary, double AverageRecencyDays, double AverageOrders,
    decimal AverageMonetary, int Consenting);

public sealed record SegmentOverview(DateTimeOffset? ScoredAt, DateTimeOffset? NextRunAt, int WindowDays, int IntervalHours, int Customers, string Currency,
    IReadOnlyList<SegmentSummary> Segments);

public sealed record SegmentMember(long CustomerId, string? Email, string? Phone, string? FirstName, string? LastName, string? Language, bool? EmailConsent,
    string Segment, int R, int F, int M, int RecencyDays, int Orders, decimal Monetary, DateTimeOffset ScoredAt);

public sealed record SegmentMoveView(long CustomerId, string? Email, string? From, string? To, DateTimeOffset At);

/// <summary>Moves between segments in a period, with how many there were of each kind (from → to).</summary>
public sealed record SegmentMoves(int Total, IReadOnlyList<SegmentMoveCount> Counts, IReadOnlyList<SegmentMoveView> Items);

public sealed record SegmentMoveCount(string? From, string? To, int Customers);

/// <summary>A store's segment settings: the scoring window, how often scores are recomputed, its own names.</summary>
public sealed record SegmentSettings(int WindowDays, int IntervalHours, IReadOnlyDictionary<string, string> Names);

/// <summary>
/// RFM segments of a store's customers (SPEC R2): the one writer of <c>CustomerSegments</c>, <c>SegmentMoves</c> and
/// <c>SegmentSchedules</c>. A recomputation scores every customer with a sale in the window by
/// <see cref="Rfm.Score"/>, stores each one's scores and segment with the time, and records a move whenever a
/// customer's segment changed (from nothing on a first score, to nothing on leaving the window). A schedule row with
/// a due time drives the recomputation (the worker claims it, so two nodes never score one store at once); the API
/// and the CLI recompute on demand through the same claim.
/// </summary>
public static class SegmentService
{
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(30);

    /// <summary>The store's settings (the defaults until it saves its own).</summary>
    public static async Task<SegmentSettings> SettingsAsync(CartwiseDb db, CancellationToken ct)
    {
        var s = await db.SegmentSchedules.AsNoTracking().SingleOrDefaultAsync(ct);
        return new SegmentSettings(s?.WindowDays ?? Rfm.DefaultWindowDays, s?.IntervalHours ?? 24, ParseNames(s?.Names));
    }

    /// <summary>What is wrong with settings, field by field (nothing when they can be saved).</summary>
    public static Dictionary<string, string> Problems(SegmentSettings settings)
    {
        var problems = new Dictionary<string, string>();
        if (settings.WindowDays is < 7 or > 3650) problems["windowDays"] = "Must be between 7 and 3650 days.";
        if (settings.IntervalHours is < 1 or > 720) problems["intervalHours"] = "Must be between 1 and 720 hours.";
        foreach (var (key, name) in settings.Names)
        {
            if (!Rfm.Segments.Any(s => s.Key == key)) problems[$"names.{key}"] = $"No segment '{key}'; the segments are {string.Join(", ", Rfm.Segments.Select(s => s.Key))}.";
            else if (string.IsNullOrWhiteSpace(name) || name.Length > 64) problems[$"names.{key}"] = "A name has 1 to 64 characters.";
        }
        return problems;
    }

    /// <summary>Saves settings that <see cref="Problems"/> found nothing wrong with; the next run is due one interval after the last.</summary>
    public static async Task SaveSettingsAsync(CartwiseDb db, SegmentSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        var row = await ScheduleAsync(db, now, ct);
        row.WindowDays = settings.WindowDays;
        row.IntervalHours = settings.IntervalHours;
        var names = settings.Names.Where(n => Rfm.Segments.Single(s => s.Key == n.Key).Name != n.Value.Trim()).ToDictionary(n => n.Key, n => n.Value.Trim());
        row.Names = names.Count == 0 ? null : JsonSerializer.Serialize(names);
        row.NextRunAt = (row.LastRunAt ?? now) + TimeSpan.FromHours(settings.IntervalHours);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Recomputes the store's segments now, or returns null when another recomputation holds the store's claim.
    /// </summary>
    public static async Task<SegmentRun?> RecomputeAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        var schedule = await ScheduleAsync(db, now, ct);
        await db.SaveChangesAsync(ct);
        var claimed = await db.SegmentSchedules.Where(s => s.Id == schedule.Id && (s.ClaimedUntil == null || s.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ClaimedUntil, now + ClaimFor), ct);
        if (claimed == 0) return null;
        try
        {
            var run = await ScoreAsync(db, schedule.WindowDays, now, ct);
            await db.SegmentSchedules.Where(s => s.Id == schedule.Id).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(s => s.LastRunAt, now)
                .SetProperty(s => s.LastScored, run.Scored)
                .SetProperty(s => s.NextRunAt, now + TimeSpan.FromHours(schedule.IntervalHours)), ct);
            return run;
        }
        catch
        {
            await db.SegmentSchedules.Where(s => s.Id == schedule.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Recomputes every store whose schedule is due (a store without one gets one, due now); returns how many ran.</summary>
    public static async Task<int> RunDueAsync(DatabaseTarget target, DateTimeOffset now, CancellationToken ct)
    {
        List<long> stores;
        await using (var db = target.CreateContext())
        {
            var scheduled = db.SegmentSchedules.IgnoreQueryFilters().Select(s => s.StoreId);
            var unscheduled = await db.Stores.Where(s => !scheduled.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
            db.SegmentSchedules.AddRange(unscheduled.Select(id => new SegmentSchedule { StoreId = id, NextRunAt = now }));
            await db.SaveChangesAsync(ct);
            stores = await db.SegmentSchedules.IgnoreQueryFilters().Where(s => s.NextRunAt <= now && (s.ClaimedUntil == null || s.ClaimedUntil < now))
                .OrderBy(s => s.NextRunAt).Select(s => s.StoreId).ToListAsync(ct);
        }
        var ran = 0;
        foreach (var storeId in stores)
        {
            await using var db = target.CreateContext();
            db.CurrentStoreId = storeId;
            if (await RecomputeAsync(db, now, ct) is not null) ran++;
        }
        return ran;
    }

    private static async Task<SegmentSchedule> ScheduleAsync(CartwiseDb db, DateTimeOffset now, CancellationToken ct)
    {
        var row = await db.SegmentSchedules.SingleOrDefaultAsync(ct);
        if (row is not null) return row;
        row = new SegmentSchedule { StoreId = db.CurrentStoreId, NextRunAt = now };
        db.SegmentSchedules.Add(row);
        return row;
    }

    private static async Task<SegmentRun> ScoreAsync(CartwiseDb db, int windowDays, DateTimeOffset now, CancellationToken ct)
    {
        var window = TimeSpan.FromDays(windowDays);
        var asOf = now;
        var inWindow = await db.Orders.AnyAsync(o => o.CustomerId != null && o.PlacedAt > now - window && o.PlacedAt <= now, ct);
        if (!inWindow && await db.Orders.Where(o => o.CustomerId != null && o.PlacedAt <= now).MaxAsync(o => (DateTimeOffset?)o.PlacedAt, ct) is { } newest)
            asOf = newest;
        var orders = await StoreAnalytics.OrderFactsAsync(db, asOf - window, asOf.AddTicks(1), ct);
        var inputs = orders.Where(o => o.IsSale && o.Person is not null && o.PlacedAt > asOf - window).GroupBy(o => o.Person!.Value)
            .Select(g => new RfmInput(g.Key, g.Max(o => o.PlacedAt), g.Count(), g.Sum(o => o.Net))).ToList();
        var scores = Rfm.Score(inputs, asOf);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var current = await db.CustomerSegments.ToDictionaryAsync(s => s.CustomerId, ct);
        int moved = 0, left = 0;
        foreach (var s in scores)
        {
            if (!current.Remove(s.Person, out var row))
            {
                row = new CustomerSegment { StoreId = db.CurrentStoreId, CustomerId = s.Person, Segment = s.Segment };
                db.CustomerSegments.Add(row);
                db.SegmentMoves.Add(new SegmentMove { StoreId = db.CurrentStoreId, CustomerId = s.Person, From = null, To = s.Segment, At = now });
                moved++;
            }
            else if (row.Segment != s.Segment)
            {
                db.SegmentMoves.Add(new SegmentMove { StoreId = db.CurrentStoreId, CustomerId = s.Person, From = row.Segment, To = s.Segment, At = now });
                moved++;
            }
            (row.Segment, row.R, row.F, row.M, row.RecencyDays, row.Orders, row.Monetary, row.ScoredAt) = (s.Segment, s.R, s.F, s.M, s.RecencyDays, s.Orders, s.Monetary, now);
        }
        foreach (var gone in current.Values)
        {
            db.SegmentMoves.Add(new SegmentMove { StoreId = db.CurrentStoreId, CustomerId = gone.CustomerId, From = gone.Segment, To = null, At = now });
            db.CustomerSegments.Remove(gone);
            left++;
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return new SegmentRun(now, asOf, asOf != now, windowDays, scores.Count, moved, left);
    }

    /// <summary>The segments with their (store's) names, rules and current members.</summary>
    public static async Task<SegmentOverview> OverviewAsync(CartwiseDb db, CancellationToken ct)
    {
        var schedule = await db.SegmentSchedules.AsNoTracking().SingleOrDefaultAsync(ct);
        var names = ParseNames(schedule?.Names);
        var rows = await (from s in db.CustomerSegments.AsNoTracking()
                          join c in db.Customers.AsNoTracking() on s.CustomerId equals c.Id
                          group new { s, Consent = c.EmailConsent == true && c.Email != null && c.ErasedAt == null ? 1 : 0 } by s.Segment into g
                          select new
                          {
                              g.Key, Count = g.Count(), Recency = g.Sum(x => x.s.RecencyDays), Orders = g.Sum(x => x.s.Orders), Consenting = g.Sum(x => x.Consent),
                          }).ToListAsync(ct);
        // Decimal sums are summed here: SQLite has no decimal type to sum them in.
        var monetary = (await db.CustomerSegments.AsNoTracking().Select(s => new { s.Segment, s.Monetary }).ToListAsync(ct))
            .GroupBy(s => s.Segment).ToDictionary(g => g.Key, g => g.Sum(s => s.Monetary));
        var total = rows.Sum(r => r.Count);
        var currency = await db.Stores.AsNoTracking().Where(s => s.Id == db.CurrentStoreId).Select(s => s.Currency).SingleAsync(ct);
        var scoredAt = schedule?.LastRunAt;
        return new SegmentOverview(scoredAt, schedule?.NextRunAt, schedule?.WindowDays ?? Rfm.DefaultWindowDays, schedule?.IntervalHours ?? 24, total, currency,
            Rfm.Segments.Select(seg =>
            {
                var r = rows.SingleOrDefault(x => x.Key == seg.Key);
                var n = r?.Count ?? 0;
                var sum = monetary.GetValueOrDefault(seg.Key);
                return new SegmentSummary(seg.Key, names.GetValueOrDefault(seg.Key) ?? seg.Name, RuleText(seg), n, total == 0 ? 0 : (double)n / total, sum,
                    n == 0 ? 0 : (double)r!.Recency / n, n == 0 ? 0 : (double)r!.Orders / n, n == 0 ? 0 : Math.Round(sum / n, 2), r?.Consenting ?? 0);
            }).ToList());
    }

    /// <summary>A segment's members, most valuable first; with <paramref name="consentingOnly"/>, only those who gave email consent.</summary>
    public static async Task<List<SegmentMember>> MembersAsync(CartwiseDb db, string segment, bool consentingOnly, int offset, int? limit, CancellationToken ct)
    {
        var q = from s in db.CustomerSegments.AsNoTracking()
                join c in db.Customers.AsNoTracking() on s.CustomerId equals c.Id
                where s.Segment == segment && c.ErasedAt == null
                select new { s, c };
        if (consentingOnly) q = q.Where(x => x.c.EmailConsent == true && x.c.Email != null);
        q = q.OrderByDescending(x => x.s.M).ThenByDescending(x => x.s.F).ThenBy(x => x.s.RecencyDays).ThenBy(x => x.s.CustomerId).Skip(offset);
        if (limit is { } l) q = q.Take(l);
        return await q.Select(x => new SegmentMember(x.c.Id, x.c.Email, x.c.Phone, x.c.FirstName, x.c.LastName, x.c.Language, x.c.EmailConsent, x.s.Segment,
            x.s.R, x.s.F, x.s.M, x.s.RecencyDays, x.s.Orders, x.s.Monetary, x.s.ScoredAt)).ToListAsync(ct);
    }

    /// <summary>
    /// A segment as CSV for other channels (seed 002's phone list): the header, then one line per member. The first
    /// column says whose contacts the file holds, so a file passed on still tells its reader.
    /// </summary>
    public static async Task WriteCsvAsync(CartwiseDb db, string segment, bool consentingOnly, TextWriter output, CancellationToken ct)
    {
        var contacts = consentingOnly ? "consenting" : "all";
        await output.WriteLineAsync("contacts,email,phone,first_name,last_name,language,email_consent,segment,r,f,m,recency_days,orders,monetary");
        foreach (var m in await MembersAsync(db, segment, consentingOnly, 0, null, ct))
            await output.WriteLineAsync(CsvText.Line(contacts, CsvText.Cell(m.Email), CsvText.Cell(m.Phone), CsvText.Cell(m.FirstName), CsvText.Cell(m.LastName),
                CsvText.Cell(m.Language), m.EmailConsent switch { true => "yes", false => "no", null => "unknown" }, m.Segment, $"{m.R}", $"{m.F}", $"{m.M}",
                $"{m.RecencyDays}", $"{m.Orders}", CsvText.Cell(m.Monetary)));
    }

    /// <summary>Moves in [<paramref name="since"/>, <paramref name="until"/>), optionally only from or to one segment.</summary>
    public static async Task<SegmentMoves> MovesAsync(CartwiseDb db, string? from, string? to, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken ct)
    {
        var q = db.SegmentMoves.AsNoTracking().Where(m => m.At >= since && m.At < until);
        if (from is not null) q = q.Where(m => m.From == from);
        if (to is not null) q = q.Where(m => m.To == to);
        var counts = await q.GroupBy(m => new { m.From, m.To }).Select(g => new SegmentMoveCount(g.Key.From, g.Key.To, g.Count())).ToListAsync(ct);
        var items = await (from m in q
                           join c in db.Customers.AsNoTracking() on m.CustomerId equals c.Id
                           orderby m.At descending, m.Id descending
                           select new SegmentMoveView(m.CustomerId, c.ErasedAt == null ? c.Email : null, m.From, m.To, m.At)).Take(limit).ToListAsync(ct);
        return new SegmentMoves(counts.Sum(c => c.Customers), counts.OrderByDescending(c => c.Customers).ThenBy(c => c.From).ThenBy(c => c.To).ToList(), items);
    }

    /// <summary>"R 4–5, F 4–5, M 4–5" (or "the rest" for <see cref="Rfm.Lost"/>).</summary>
    public static string RuleText(RfmSegment s) =>
        s.Key == Rfm.Lost ? "the rest" : $"R {Span(s.RMin, s.RMax)}, F {Span(s.FMin, s.FMax)}, M {Span(s.MMin, s.MMax)}";

    private static string Span(int min, int max) => min == max ? $"{min}" : $"{min}–{max}";

    private static Dictionary<string, string> ParseNames(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}

/// <summary>Looks for stores whose segments are due every 5 minutes (on the injected clock).</summary>
internal sealed class SegmentWorker(DatabaseTarget target, TimeProvider clock, ILogger<SegmentWorker> log)
    : Hosting.PollingWorker(clock, TimeSpan.FromMinutes(5), log)
{
    internal override Task PassAsync(CancellationToken ct) => SegmentService.RunDueAsync(target, Clock.GetUtcNow(), ct);
}
