using System.Globalization;
using Cartwise.Stores;
using Microsoft.Extensions.Localization;

namespace Cartwise.Admin;

/// <summary>A report page's range of days, read from its query; a bad day or range is named and the default range shown.</summary>
public sealed record DateRange(DateOnly From, DateOnly To, IReadOnlyDictionary<string, string> Problems)
{
    public static DateRange Read(string? from, string? to, (DateOnly From, DateOnly To) defaults, IStringLocalizer<Text> t)
    {
        var problems = new Dictionary<string, string>();
        DateOnly Day(string field, string? text, DateOnly fallback)
        {
            if (string.IsNullOrWhiteSpace(text)) return fallback;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
            problems[field] = t["Must be a date (yyyy-mm-dd)."];
            return fallback;
        }
        var f = Day("from", from, defaults.From);
        var l = Day("to", to, defaults.To);
        if (problems.Count == 0 && StoreFigures.RangeProblem(f, l) is { } problem) problems[problem.Field] = t[problem.Error];
        return problems.Count > 0 ? new DateRange(defaults.From, defaults.To, problems) : new DateRange(f, l, problems);
    }
}
