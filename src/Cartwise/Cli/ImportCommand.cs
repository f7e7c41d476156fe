using System.CommandLine;
using System.Text.Json;
using Cartwise.Catalog;
using Cartwise.Orders.Import;
using Cartwise.Tracking;
using Spectre.Console;

namespace Cartwise.Cli;

/// <summary><c>cartwise import feed|orders|events</c>.</summary>
public static class ImportCommand
{
    public static Command Build() => new("import", "Import a product feed, order history or tracking events") { Feed(), Orders(), Events() };

    private static Option<string[]> MapOption() => new("--map")
    {
        Description = "COLUMN=FIELD: which CSV column holds which field (repeatable)",
        AllowMultipleArgumentsPerToken = true,
    };

    private static Dictionary<string, string>? ParseMap(string[]? pairs)
    {
        if (pairs is null || pairs.Length == 0) return null;
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            var at = pair.LastIndexOf('=');
            if (at <= 0 || at == pair.Length - 1) throw new ArgumentException($"--map '{pair}' is not COLUMN=FIELD.");
            map[pair[..at].Trim()] = pair[(at + 1)..].Trim().ToLowerInvariant();
        }
        return map;
    }

    private static Command Feed()
    {
        var source = new Argument<string>("source") { Description = "A feed file (.xml, .csv, optionally .gz) or an http(s) URL" };
        var store = CliStores.StoreOption();
        var format = new Option<string>("--format") { Description = "xml, csv or auto", DefaultValueFactory = _ => "auto" };
        var partial = new Option<bool>("--partial") { Description = "The feed lists only some products: do not mark the others unavailable" };
        var map = MapOption();
        var command = new Command("feed", "Import a Google Merchant Center feed (RSS/Atom XML or CSV)") { source, store, format, partial, map };
        command.SetAction(async (result, ct) =>
        {
            var target = CartwiseCli.Target(result);
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is not { } s) return 2;
            var path = result.GetValue(source)!;
            var options = new FeedImportOptions(
                result.GetValue(format) switch { "xml" => FeedFormat.Xml, "csv" => FeedFormat.Csv, _ => FeedFormat.Auto },
                !result.GetValue(partial), ParseMap(result.GetValue(map)));
            var importer = new FeedImporter(target.CreateContext, s, TimeProvider.System);
            try
            {
                FeedRun run;
                if (Uri.TryCreate(path, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                {
                    using var http = new HttpClient();
                    await using var body = await http.GetStreamAsync(url, ct);
                    run = await importer.ImportAsync(body, path, options, ct);
                }
                else
                {
                    if (!await CliStores.FileExistsAsync(path)) return 2;
                    var (stream, _, _) = CliStores.OpenFile(path);
                    await using (stream) run = await importer.ImportAsync(stream, Path.GetFileName(path), options, ct);
                }
                PrintRun(run);
                return 0;
            }
            catch (FeedFailedException e)
            {
                PrintRun(e.Run);
                await Console.Error.WriteLineAsync("error: " + e.Message + " Nothing was changed.");
                return 1;
            }
        });
        return command;
    }

    private static void PrintRun(FeedRun run)
    {
        Console.WriteLine($"feed run {run.Id} ({run.Format}, {(run.Full ? "full" : "partial")}): {run.Status}; read {run.ItemsRead:N0}, created {run.Created:N0}, " +
            $"updated {run.Updated:N0}, made unavailable {run.MadeUnavailable:N0}, rejected {run.Rejected:N0}");
        if (run.Rejections is null) return;
        var problems = JsonSerializer.Deserialize<List<Core.Catalog.FeedProblem>>(run.Rejections, JsonSerializerOptions.Web) ?? [];
        foreach (var p in problems.Take(20)) Console.WriteLine($"  line {p.Line}{(p.ItemId is null ? "" : $" (id {p.ItemId})")}: {p.Field}: {p.Reason}");
        if (run.Rejected > 20) Console.WriteLine($"  … {run.Rejected - 20:N0} more (GET /api/v1/feeds/runs/{run.Id})");
    }

    private static Command Orders()
    {
        var file = new Argument<string>("file") { Description = "CSV file, plain or .gz" };
        var store = CliStores.StoreOption();
        var format = new Option<string>("--format") { Description = "online-retail (UCI Online Retail layout) or lines (generic order lines)", Required = true };
        format.AcceptOnlyFromAmong("online-retail", "lines");
        var map = MapOption();
        var dateFormat = new Option<string?>("--date-format") { Description = ".NET date format of the date column, e.g. dd.MM.yyyy HH:mm" };
        var culture = new Option<string?>("--culture") { Description = "Culture of numbers and dates, e.g. pl-PL" };
        var encoding = new Option<string>("--encoding") { Description = "auto, utf-8 or latin1", DefaultValueFactory = _ => "auto" };
        var command = new Command("orders", "Import past orders from CSV") { file, store, format, map, dateFormat, culture, encoding };
        command.SetAction(async (result, ct) =>
        {
            var target = CartwiseCli.Target(result);
            await using var db = await CartwiseCli.OpenPlainAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is not { } s) return 2;
            var path = result.GetValue(file)!;
            if (!await CliStores.FileExistsAsync(path)) return 2;
            var options = new OrderImportOptions(result.GetValue(format)!, ParseMap(result.GetValue(map)), result.GetValue(dateFormat), result.GetValue(culture), result.GetValue(encoding)!,
                Source: Path.GetFileName(path));
            OrderImportResult outcome;
            try
            {
                outcome = await WithProgressAsync(Path.GetFileName(path), p =>
                    new OrderImporter(target, s, TimeProvider.System, p).ImportAsync(() => CliStores.OpenFile(path), options, ct));
            }
            catch (InvalidDataException e)
            {
                await Console.Error.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            var r = outcome;
            Console.WriteLine($"read {r.Rows:N0} rows ({r.Encoding}) in {r.Elapsed.TotalSeconds:F1} s ({r.Rows / Math.Max(r.Elapsed.TotalSeconds, 0.001):N0} rows/s)");
            Console.WriteLine($"  orders created {r.OrdersCreated:N0}, already imported {r.OrdersAlreadyImported:N0}; lines {r.Lines:N0}");
            Console.WriteLine($"  refund lines matched {r.RefundLinesMatched:N0}, unmatched {r.RefundLinesUnmatched:N0}; adjustments skipped {r.AdjustmentRowsSkipped:N0}; postage and fee rows {r.NonProductRows:N0}");
            Console.WriteLine($"  customers created {r.CustomersCreated:N0}; products created {r.ProductsCreated:N0}; rejected rows {r.RejectedRows:N0}");
            PrintProblems(r.RejectedRows, r.Problems.Select(p => (p.Line, p.Reason)).ToList(), path);
            return 0;
        });
        return command;
    }

    /// <summary>The first 20 problems on screen; all of them (up to the kept 10,000) in a file beside the input.</summary>
    private static void PrintProblems(long count, List<(long Line, string Reason)> problems, string path)
    {
        if (count == 0) return;
        foreach (var (line, reason) in problems.Take(20)) Console.WriteLine($"  line {line}: {reason}");
        if (count <= 20) return;
        var report = Path.GetFileName(path) + ".rejected.txt";
        File.WriteAllLines(report, problems.Select(p => $"line {p.Line}: {p.Reason}"));
        Console.WriteLine($"  … {count - 20:N0} more; the list is in {report}");
    }

    /// <summary>A progress bar on a terminal, plain progress lines otherwise (logs, CI).</summary>
    private static async Task<T> WithProgressAsync<T>(string name, Func<IProgress<ImportProgress>, Task<T>> work)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            T value = default!;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(name, maxValue: 1.0);
                    value = await work(new Progress<ImportProgress>(p =>
                    {
                        if (p.TotalBytes is > 0) task.Value = (double)p.Bytes / p.TotalBytes.Value;
                        task.Description = $"{name}: {p.Rows:N0} rows";
                    }));
                    task.Value = 1.0;
                });
            return value;
        }
        var last = DateTimeOffset.MinValue;
        return await work(new SynchronousProgress(p =>
        {
            var now = TimeProvider.System.GetUtcNow();
            if (now - last < TimeSpan.FromSeconds(2)) return;
            last = now;
            Console.WriteLine(p.TotalBytes is > 0 ? $"{name}: {p.Rows:N0} rows ({100.0 * p.Bytes / p.TotalBytes.Value:F0}%)" : $"{name}: {p.Rows:N0} rows");
        }));
    }

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    private static Command Events()
    {
        var file = new Argument<string>("file") { Description = "One tracking event (the API's JSON shape) per line; .gz accepted" };
        var store = CliStores.StoreOption();
        var command = new Command("events", "Import tracking events in bulk, validated as the API validates them") { file, store };
        command.SetAction(async (result, ct) =>
        {
            var target = CartwiseCli.Target(result);
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is not { } s) return 2;
            var path = result.GetValue(file)!;
            if (!await CliStores.FileExistsAsync(path)) return 2;
            var (stream, position, length) = CliStores.OpenFile(path);
            using var reader = new StreamReader(stream);
            var r = await new EventImporter(target, s, TimeProvider.System).ImportAsync(reader, new Importing.ImportSource(Path.GetFileName(path), position, length), ct);
            Console.WriteLine($"read {r.Lines:N0} lines: stored {r.Stored:N0}, duplicates {r.Duplicates:N0}, rejected {r.Rejected:N0}");
            PrintProblems(r.Rejected, r.Problems.Select(p => (p.Line, p.Reason)).ToList(), path);
            return 0;
        });
        return command;
    }
}
