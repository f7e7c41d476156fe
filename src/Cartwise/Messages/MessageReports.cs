using Cartwise.Core.Messages;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Messages;

/// <summary>
/// What a set of sent messages did. Rates are shares of <see cref="Sent"/> (click-to-open: of <see cref="Opened"/>).
/// <see cref="Converted"/> (sends with a credited order) and <see cref="RevenueSquares"/> (the sum of each send's
/// credited revenue squared) are what an A/B test's intervals need.
/// </summary>
public sealed record MessageReport(int Sent, int Failed, int Skipped, int Opened, int Clicked, int Unsubscribed, int Orders, decimal Revenue,
    int CouponsSent, int CouponsRedeemed, double OpenRate, double ClickRate, double ClickToOpenRate, double CouponResponseRate,
    [property: System.Text.Json.Serialization.JsonIgnore] int Converted = 0, [property: System.Text.Json.Serialization.JsonIgnore] double RevenueSquares = 0);

/// <summary>What a report's rows can be grouped by: the language, rule and message of a row, and when it was sent (or decided, unsent).</summary>
public readonly record struct ReportKey(string? Language, string? Rule, long MessageId, DateTimeOffset At);

/// <summary>The figures of all rows, and of their groups under each grouping asked for (in the order asked).</summary>
public sealed record GroupedReport(MessageReport Total, IReadOnlyList<IReadOnlyDictionary<string, MessageReport>> Groupings);

/// <summary>
/// Message figures computed from stored rows only: outbox rows (test sends left out), activities, orders with their
/// coupons. Orders are credited by <see cref="MessageAttribution"/> over every message the customers touched, so an
/// order counts for one message at most.
/// </summary>
public static class MessageReports
{
    /// <summary>The report of no rows.</summary>
    public static MessageReport Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private sealed record Row(long Id, long? CustomerId, string Status, string? Language, string? Rule, long MessageId, string? CouponCode, DateTimeOffset? SentAt, DateTimeOffset CreatedAt);

    /// <param name="groupings">Ways to group the rows (by rule, by language…): the rows are read once for all of them.</param>
    public static async Task<GroupedReport> ComputeAsync(CartwiseDb db, IQueryable<OutboxMessage> scope, DateTimeOffset? from, DateTimeOffset? to,
        IReadOnlyList<Func<ReportKey, string>> groupings, CancellationToken ct)
    {
        var q = scope.AsNoTracking().Where(o => !o.IsTest && o.Status != OutboxStatus.Pending && o.Status != OutboxStatus.Claimed && o.Status != OutboxStatus.Sending);
        if (from is not null) q = q.Where(o => (o.SentAt ?? o.CreatedAt) >= from);
        if (to is not null) q = q.Where(o => (o.SentAt ?? o.CreatedAt) < to);
        var rows = await q.Select(o => new Row(o.Id, o.CustomerId, o.Status, o.Language, o.Rule, o.MessageId, o.CouponCode, o.SentAt, o.CreatedAt)).ToListAsync(ct);
        var sent = rows.Where(r => r.Status == OutboxStatus.Sent).ToList();
        var ids = sent.Select(r => r.Id).ToList();
        var activity = new List<(long Outbox, string Kind)>();
        foreach (var chunk in ids.Chunk(5000))
            activity.AddRange((await db.MessageActivities.AsNoTracking().Where(a => chunk.Contains(a.OutboxId)).Select(a => new { a.OutboxId, a.Kind }).ToListAsync(ct))
                .Select(a => (a.OutboxId, a.Kind)));
        var kinds = activity.GroupBy(a => a.Outbox).ToDictionary(g => g.Key, g => g.Select(a => a.Kind).ToHashSet());

        // Attribution: every open and click of these customers (of any message), and their orders after the first send.
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var windows = new AttributionWindows(TimeSpan.FromDays(store.ClickWindowDays), store.OpenWindowDays is { } od ? TimeSpan.FromDays(od) : null);
        var customers = sent.Where(r => r.CustomerId is not null).Select(r => r.CustomerId!.Value).Distinct().ToList();
        var first = sent.Count == 0 ? DateTimeOffset.MaxValue : sent.Min(r => r.SentAt ?? r.CreatedAt);
        var touches = new List<Touch>();
        var purchases = new List<Purchase>();
        var orders = new Dictionary<long, (decimal Value, string? Coupon, long Customer, DateTimeOffset At)>();
        foreach (var chunk in customers.Chunk(2000))
        {
            touches.AddRange((await (from a in db.MessageActivities.AsNoTracking()
                                     where a.CustomerId != null && chunk.Contains(a.CustomerId.Value) && (a.Kind == ActivityKinds.Open || a.Kind == ActivityKinds.Click)
                                     join o in db.Outbox.AsNoTracking() on a.OutboxId equals o.Id
                                     where !o.IsTest
                                     select new { Customer = a.CustomerId!.Value, a.OutboxId, a.Kind, a.At }).ToListAsync(ct))
                .Select(t => new Touch(t.Customer, t.OutboxId, t.Kind == ActivityKinds.Click, t.At)));
            foreach (var o in await db.Orders.AsNoTracking().Where(o => o.CustomerId != null && chunk.Contains(o.CustomerId.Value) && o.PlacedAt >= first)
                         .Select(o => new { o.Id, o.CustomerId, o.PlacedAt, o.Value, o.RefundedValue, o.Coupon }).ToListAsync(ct))
            {
                purchases.Add(new Purchase(o.Id, o.CustomerId!.Value, o.PlacedAt));
                orders[o.Id] = (o.Value - o.RefundedValue, o.Coupon, o.CustomerId!.Value, o.PlacedAt);
            }
        }
        var credited = MessageAttribution.Credit(touches, purchases, windows);
        var creditedByOutbox = credited.GroupBy(kv => kv.Value).ToDictionary(g => g.Key, g => g.Select(kv => orders[kv.Key].Value).ToList());
        // A coupon is redeemed when its recipient orders with it after it was sent.
        var byCustomerCoupon = orders.Values.Where(o => o.Coupon is not null).ToLookup(o => (o.Customer, Code: o.Coupon!.ToUpperInvariant()));
        bool Redeemed(Row r) => r.CouponCode is not null && r.CustomerId is { } c && byCustomerCoupon[(c, r.CouponCode.ToUpperInvariant())].Any(o => o.At >= r.SentAt);

        // A code counts once per customer: a bounce-back reminder recalls the code its offer carried.
        static int Coupons(IEnumerable<Row> rows) => rows.Select(r => (r.CustomerId, r.CouponCode!.ToUpperInvariant())).Distinct().Count();

        MessageReport Compute(IEnumerable<Row> all)
        {
            var list = all.ToList();
            var s = list.Where(r => r.Status == OutboxStatus.Sent).ToList();
            int With(string kind) => s.Count(r => kinds.TryGetValue(r.Id, out var k) && k.Contains(kind));
            var opened = s.Count(r => kinds.TryGetValue(r.Id, out var k) && (k.Contains(ActivityKinds.Open) || k.Contains(ActivityKinds.Click)));
            var clicked = With(ActivityKinds.Click);
            var revenue = s.Sum(r => creditedByOutbox.TryGetValue(r.Id, out var v) ? v.Sum() : 0m);
            var orderCount = s.Sum(r => creditedByOutbox.TryGetValue(r.Id, out var v) ? v.Count : 0);
            var (couponsSent, couponsRedeemed) = (Coupons(s.Where(r => r.CouponCode is not null)), Coupons(s.Where(Redeemed)));
            return new MessageReport(s.Count, list.Count(r => r.Status == OutboxStatus.Failed), list.Count(r => r.Status == OutboxStatus.Skipped),
                opened, clicked, With(ActivityKinds.Unsubscribe), orderCount, revenue, couponsSent, couponsRedeemed,
                Rate(opened, s.Count), Rate(clicked, s.Count), Rate(clicked, opened), Rate(couponsRedeemed, couponsSent),
                s.Count(r => creditedByOutbox.ContainsKey(r.Id)), s.Sum(r => creditedByOutbox.TryGetValue(r.Id, out var v) ? Math.Pow((double)v.Sum(), 2) : 0));
        }

        return new GroupedReport(Compute(rows), groupings.Select(group =>
            (IReadOnlyDictionary<string, MessageReport>)rows.GroupBy(r => group(new ReportKey(r.Language, r.Rule, r.MessageId, r.SentAt ?? r.CreatedAt))).ToDictionary(g => g.Key, g => Compute(g))).ToList());
    }

    private static double Rate(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}
