namespace Cartwise.Core.Analytics;

/// <summary>Of a cohort, those who ordered in its month <see cref="Offset"/> (0: the month of their first order).</summary>
public sealed record CohortCell(int Offset, int Customers, double Share, decimal Revenue);

/// <summary>The people whose first order fell in <see cref="Month"/> (yyyy-MM, the store's time zone).</summary>
public sealed record Cohort(string Month, int Customers, IReadOnlyList<CohortCell> Months);

/// <summary>Monthly cohorts by first order (SPEC R2): a left-aligned triangle, one row per month of first orders.</summary>
public static class Cohorts
{
    /// <summary>
    /// Cohorts of people whose first sale (over all of <paramref name="history"/>) falls in a month from
    /// <paramref name="from"/> to <paramref name="to"/>; each row runs from its month to <paramref name="to"/>'s
    /// month, so later cohorts have shorter rows. A cell counts the cohort's people with a sale in that month and
    /// the revenue of those sales; the share is of the cohort's size.
    /// </summary>
    public static IReadOnlyList<Cohort> Monthly(IEnumerable<OrderFact> history, TimeZoneInfo zone, DateOnly from, DateOnly to)
    {
        static int MonthIndex(DateOnly d) => d.Year * 12 + d.Month - 1;
        DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var last = MonthIndex(to);
        var people = history.Where(o => o.IsSale && o.Person is not null && Day(o.PlacedAt) <= to).GroupBy(o => o.Person!.Value)
            .Select(g => g.Select(o => (Month: MonthIndex(Day(o.PlacedAt)), o.Net)).ToList())
            .Select(list => (First: list.Min(x => x.Month), Months: list.GroupBy(x => x.Month).ToDictionary(g => g.Key, g => g.Sum(x => x.Net))))
            .Where(p => p.First >= MonthIndex(from) && p.First <= last)
            .GroupBy(p => p.First).OrderBy(g => g.Key);
        var result = new List<Cohort>();
        foreach (var cohort in people)
        {
            var size = cohort.Count();
            var cells = new List<CohortCell>();
            for (var m = cohort.Key; m <= last; m++)
            {
                var active = cohort.Count(p => p.Months.ContainsKey(m));
                var revenue = cohort.Sum(p => p.Months.GetValueOrDefault(m));
                cells.Add(new CohortCell(m - cohort.Key, active, Math.Round((double)active / size, 4), revenue));
            }
            result.Add(new Cohort($"{cohort.Key / 12:D4}-{cohort.Key % 12 + 1:D2}", size, cells));
        }
        return result;
    }
}
