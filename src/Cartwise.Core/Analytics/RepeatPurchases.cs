namespace Cartwise.Core.Analytics;

/// <summary>Customers by how many orders they had placed by the range's end.</summary>
public sealed record OrderCountGroup(string Orders, int Customers);

/// <summary>Customers whose second order came within <see cref="Label"/> of the first.</summary>
public sealed record GapBucket(string Label, int FromDays, int? ToDays, int Customers);

/// <summary>Who comes back (SPEC R2, seed 002).</summary>
/// <param name="Customers">People who ordered in the range.</param>
/// <param name="RepeatRate">Share of them with two or more orders by the range's end.</param>
/// <param name="MedianDaysToSecond">Median days between a person's first and second order (those with two).</param>
/// <param name="NewRevenue">Revenue in the range of orders that were their person's first.</param>
/// <param name="ReturningRevenue">Revenue in the range of every later order.</param>
/// <param name="GuestRevenue">Revenue of orders with no known person.</param>
public sealed record RepeatReport(int Customers, int RepeatCustomers, double RepeatRate, IReadOnlyList<OrderCountGroup> ByOrders, double? MedianDaysToSecond,
    IReadOnlyList<GapBucket> DaysToSecond, int NewOrders, decimal NewRevenue, int ReturningOrders, decimal ReturningRevenue, int GuestOrders, decimal GuestRevenue);

/// <summary>Repeat purchase figures over people, as merged by customer id, email and phone.</summary>
public static class RepeatPurchases
{
    private static readonly (string Label, int From, int? To)[] Gaps =
        [("0–7", 0, 8), ("8–30", 8, 31), ("31–60", 31, 61), ("61–90", 61, 91), ("91–180", 91, 181), ("181–365", 181, 366), ("> 365", 366, null)];

    /// <summary>
    /// <paramref name="history"/>: every sale up to <paramref name="end"/> (earlier ones tell whether an order in the
    /// range is a person's first). People are counted when they ordered in [<paramref name="start"/>, <paramref name="end"/>),
    /// by their orders up to the end; the days to a second order are whole days between the two instants.
    /// </summary>
    public static RepeatReport Compute(IEnumerable<OrderFact> history, DateTimeOffset start, DateTimeOffset end)
    {
        var sales = history.Where(o => o.IsSale && o.PlacedAt < end).ToList();
        var inRange = sales.Where(o => o.PlacedAt >= start).ToList();
        var byPerson = sales.Where(o => o.Person is not null).GroupBy(o => o.Person!.Value)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.PlacedAt).ThenBy(o => o.Order).ToList());
        var people = inRange.Where(o => o.Person is not null).Select(o => o.Person!.Value).Distinct().ToList();
        var counts = people.Select(p => byPerson[p].Count).ToList();
        var gaps = people.Where(p => byPerson[p].Count >= 2).Select(p => Math.Floor((byPerson[p][1].PlacedAt - byPerson[p][0].PlacedAt).TotalDays)).Order().ToList();
        var firsts = byPerson.Values.Select(l => l[0].Order).ToHashSet();
        var known = inRange.Where(o => o.Person is not null).ToList();
        var newOrders = known.Where(o => firsts.Contains(o.Order)).ToList();
        var returning = known.Where(o => !firsts.Contains(o.Order)).ToList();
        var guests = inRange.Where(o => o.Person is null).ToList();
        var repeat = counts.Count(c => c >= 2);
        return new RepeatReport(people.Count, repeat, people.Count == 0 ? 0 : Math.Round((double)repeat / people.Count, 4),
            [new("1", counts.Count(c => c == 1)), new("2", counts.Count(c => c == 2)), new("3", counts.Count(c => c == 3)), new("4+", counts.Count(c => c >= 4))],
            gaps.Count == 0 ? null : Quantiles.Of(gaps, 0.5),
            Gaps.Select(g => new GapBucket(g.Label, g.From, g.To, gaps.Count(d => d >= g.From && (g.To is null || d < g.To)))).ToList(),
            newOrders.Count, newOrders.Sum(o => o.Net), returning.Count, returning.Sum(o => o.Net), guests.Count, guests.Sum(o => o.Net));
    }
}
