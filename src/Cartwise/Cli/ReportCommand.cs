using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cartwise.Analytics;
using Cartwise.Core.Attribution;
using Cartwise.Data;
using Cartwise.Segments;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Cli;

/// <summary>
/// <c>cartwise report orders|repeat|cohorts|rfm|attribution|paths|threshold</c>: the store analytics of the API
/// (<see cref="StoreAnalytics"/>, <see cref="SegmentService"/>) as a table, CSV or JSON.
/// </summary>
public static class ReportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Options(Option<string> Store, Option<string?> From, Option<string?> To, Option<string> Format);

    public static Command Build()
    {
        var root = new Command("report", "Store analytics: order values, repeat customers, cohorts, RFM segments, attribution, paths, free-shipping threshold");
        root.Subcommands.Add(Ranged("orders", "Orders, revenue, AOV, median, quantiles and the order-value histogram, net of refunds",
            (db, range, _, ct) => Tables(StoreAnalytics.OrdersAsync(db, range, null, null, ct), ReportTables.Orders)));
        root.Subcommands.Add(Ranged("repeat", "Customers by number of orders, repeat rate, days to the second order, new vs returning revenue",
            (db, range, _, ct) => Tables(StoreAnalytics.RepeatAsync(db, range, ct), ReportTables.Repeat)));
        root.Subcommands.Add(Ranged("cohorts", "Monthly cohorts by first order: the share and revenue still ordering in month 0, 1, 2, …",
            (db, range, _, ct) => Tables(StoreAnalytics.CohortsAsync(db, range, ct), ReportTables.Cohorts)));
        root.Subcommands.Add(Ranged("threshold", "Free-shipping threshold candidates and the suggestion",
            (db, range, _, ct) => Tables(StoreAnalytics.ThresholdAsync(db, range, ct), ReportTables.Threshold)));
        var model = new Option<string?>("--model") { Description = $"One model ({string.Join(", ", AttributionModels.All)}); default all" };
        var halfLife = new Option<double?>("--half-life") { Description = "Time decay half-life in days (default 7)" };
        root.Subcommands.Add(Ranged("attribution", "Conversions and revenue per channel under each attribution model, with the top paths",
            async (db, range, result, ct) =>
            {
                if (AnalyticsEndpoints.AttributionProblem(result.GetValue(model), result.GetValue(halfLife), null, null, null, null, out var windows) is { } bad)
                    throw new ReportException($"--{(bad.Field == "halfLifeDays" ? "half-life" : bad.Field)}: {bad.Error}");
                var a = await StoreAnalytics.AttributionAsync(db, range, windows, result.GetValue(halfLife) ?? AttributionModels.DefaultHalfLifeDays, result.GetValue(model), 10, ct);
                return (a, ReportTables.Attribution(a.Models, a.TopPaths, range.Currency));
            }, model, halfLife));
        root.Subcommands.Add(Ranged("paths", "The most common conversion paths with conversions, revenue and conversion rate",
            async (db, range, _, ct) =>
            {
                var paths = AttributionModels.TopPaths((await StoreAnalytics.PathsAsync(db, range, LookbackWindows.Default, ct)).Paths, 25);
                return (new { range, items = paths }, [ReportTables.Paths(paths, range.Currency)]);
            }));
        root.Subcommands.Add(Rfm());
        return root;
    }

    private static async Task<(object Report, IReadOnlyList<ReportTable> Tables)> Tables<T>(Task<T> report, Func<T, IReadOnlyList<ReportTable>> tables) where T : notnull
    {
        var r = await report;
        return (r, tables(r));
    }

    private static Option<string> FormatOption() =>
        new Option<string>("--format") { Description = "table, csv (the report's main table) or json", DefaultValueFactory = _ => "table" }.AcceptOnlyFromAmong("table", "csv", "json");

    private static Command Ranged(string name, string description, Func<CartwiseDb, ReportRange, ParseResult, CancellationToken, Task<(object, IReadOnlyList<ReportTable>)>> run,
        params Option[] extra)
    {
        var o = new Options(CliStores.StoreOption(), new Option<string?>("--from") { Description = "First day (yyyy-MM-dd, store time); default a year before --to" },
            new Option<string?>("--to") { Description = "Last day, included; default the day of the newest order" }, FormatOption());
        var command = new Command(name, description) { o.Store, o.From, o.To, o.Format };
        foreach (var e in extra) command.Options.Add(e);
        command.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(o.Store)!, ct) is null) return 2;
            var (_, defaultTo) = await StoreAnalytics.DefaultRangeAsync(db, TimeProvider.System.GetUtcNow(), ct);
            if (!TryDay(result.GetValue(o.To), defaultTo, out var to) || !TryDay(result.GetValue(o.From), to.AddDays(-364), out var from))
            {
                await Console.Error.WriteLineAsync("error: --from and --to are days (yyyy-MM-dd)");
                return 2;
            }
            if (Stores.StoreFigures.RangeProblem(from, to) is { } problem)
            {
                await Console.Error.WriteLineAsync($"error: --{problem.Field}: {problem.Error}");
                return 2;
            }
            var range = await StoreAnalytics.RangeAsync(db, from, to, ct);
            var sw = Stopwatch.StartNew();
            await Console.Error.WriteLineAsync($"{name}: {from:yyyy-MM-dd} – {to:yyyy-MM-dd} ({range.TimeZone}) …");
            try
            {
                var (report, tables) = await run(db, range, result, ct);
                await WriteAsync(report, tables, result.GetValue(o.Format)!);
            }
            catch (ReportException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            await Console.Error.WriteLineAsync($"{name}: done in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return command;
    }

    private static Command Rfm()
    {
        var store = CliStores.StoreOption();
        var format = FormatOption();
        var recompute = new Option<bool>("--recompute") { Description = "Score every customer now (otherwise the stored scores; a store never scored is scored first)" };
        var command = new Command("rfm", "RFM segments: each segment's rule, name, members and averages") { store, format, recompute };
        command.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is null) return 2;
            var scored = await db.SegmentSchedules.AnyAsync(s => s.LastRunAt != null, ct);
            if (result.GetValue(recompute) || !scored)
            {
                var sw = Stopwatch.StartNew();
                await Console.Error.WriteLineAsync("rfm: scoring every customer with a sale in the window …");
                if (await SegmentService.RecomputeAsync(db, TimeProvider.System.GetUtcNow(), ct) is not { } run)
                    await Console.Error.WriteLineAsync("rfm: another recomputation is running; showing the stored scores");
                else
                    await Console.Error.WriteLineAsync($"rfm: scored {run.Scored:N0} customers ({run.Moved:N0} moved, {run.Left:N0} left the window) as of {run.AsOf:yyyy-MM-dd HH:mm}" +
                        (run.AsOfNewestOrder ? " (the newest order: the window up to now holds none)" : "") + $" in {sw.Elapsed.TotalSeconds:F1} s");
            }
            var overview = await SegmentService.OverviewAsync(db, ct);
            await WriteAsync(overview, ReportTables.Segments(overview), result.GetValue(format)!);
            return 0;
        });
        return command;
    }

    private static async Task WriteAsync(object report, IReadOnlyList<ReportTable> tables, string format)
    {
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(report, report.GetType(), Json));
                break;
            case "csv":
                await tables[0].WriteCsvAsync(Console.Out);
                break;
            default:
                Console.WriteLine(string.Join(Environment.NewLine + Environment.NewLine, tables.Select(t => t.ToText())));
                break;
        }
    }

    private static bool TryDay(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return text is null || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }

    private sealed class ReportException(string message) : Exception(message);
}
