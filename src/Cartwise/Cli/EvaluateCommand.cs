using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Evaluation;
using Cartwise.Core.Recommendations;

namespace Cartwise.Cli;

/// <summary>
/// <c>cartwise evaluate</c>: which strategy predicts this store's customers best, leave-last-out or on a time split,
/// against popularity and against the customer's own most-bought products.
/// </summary>
public static class EvaluateCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Build()
    {
        var store = CliStores.StoreOption();
        var k = new Option<int>("--k") { Description = "How many recommendations are judged", DefaultValueFactory = _ => 10 };
        var splitDate = new Option<string?>("--split-date")
        {
            Description = "Time split (yyyy-MM-dd, store time): learn from orders before the day, judge each customer's first order from it on",
        };
        var json = new Option<bool>("--json") { Description = "The figures as JSON" };
        var tune = new Option<bool>("--tune")
        {
            Description = $"Tune the store's customer blend (weights, share of re-orders) on its latest {BlendTuning.ValidationShare:P0} of orders and keep it as the store's default",
        };
        var untune = new Option<bool>("--untune") { Description = "Go back to the built-in blend" };
        var share = new Option<double?>("--repurchase-share")
        {
            Description = $"The share of re-orders in blend+reorders, 0 to 1 (default {Recommender.DefaultRepurchaseShare.ToString(CultureInfo.InvariantCulture)})",
        };
        var command = new Command("evaluate", "Measure every strategy against popularity and the customer's own most-bought (leave-last-out, or a time split)")
            { store, k, splitDate, json, tune, untune, share };
        command.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is not { } s) return 2;
            var kk = result.GetValue(k);
            if (kk is < 1 or > 100)
            {
                await Console.Error.WriteLineAsync("error: --k must be 1 to 100");
                return 2;
            }
            if (result.GetValue(untune))
            {
                await Recommendations.ModelService.SaveTunedBlendAsync(db, s.Id, null, ct);
                Console.WriteLine($"{s.Slug}: the built-in blend again (servers take it at their next model sync, within 5 minutes)");
                return 0;
            }
            if (result.GetValue(tune)) return await TuneAsync(db, s, kk, result.GetValue(json), ct);
            if (result.GetValue(share) is { } r && r is < 0 or > 1)
            {
                await Console.Error.WriteLineAsync("error: --repurchase-share must be from 0 to 1");
                return 2;
            }
            DateTimeOffset? at = null;
            if (result.GetValue(splitDate) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    await Console.Error.WriteLineAsync($"error: --split-date: '{text}' is not a day (yyyy-MM-dd)");
                    return 2;
                }
                at = Stores.StoreFigures.Bounds(s, day, day).Start;
            }
            var sw = Stopwatch.StartNew();
            var orders = await Recommendations.ModelService.BasketsAsync(db, null, ct);
            var (customers, guests) = EvaluationSplit.Histories(orders);
            var split = at is { } date ? EvaluationSplit.ByDate(customers, guests, date) : EvaluationSplit.LeaveLastOut(customers, guests);
            if (split.Cases.Count == 0)
            {
                await Console.Error.WriteLineAsync(at is null
                    ? "error: no customer has two orders: nothing to hold out"
                    : $"error: no customer ordered both before and from {result.GetValue(splitDate)}: choose a day inside the history");
                return 2;
            }
            var (products, parents, _) = await Recommendations.ModelService.CatalogueAsync(db, ct);
            var report = OfflineEvaluation.Run(split, products, parents, kk, new ModelOptions(), repurchaseShare: result.GetValue(share));
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Json));
                return 0;
            }
            Console.WriteLine(at is null
                ? $"{orders.Count:N0} orders; leave-last-out: {report.Customers:N0} repeat customers' last order held out; k = {kk}; {sw.Elapsed.TotalSeconds:F1} s"
                : $"{orders.Count:N0} orders; time split at {result.GetValue(splitDate)} ({s.TimeZone}): {report.TrainingOrders:N0} orders before it, " +
                  $"{report.Customers:N0} returning customers' next order judged; k = {kk}; {sw.Elapsed.TotalSeconds:F1} s");
            Write(report, "All products of the order", r => r.All, kk, true);
            Write(report, "New products (never bought by the customer before)", r => r.New, kk, false);
            return 0;
        });
        return command;
    }

    /// <summary>Tunes the store's customer blend on its own history and keeps it; prints what it reached against the built-in blend.</summary>
    private static async Task<int> TuneAsync(Data.CartwiseDb db, Stores.Store s, int k, bool json, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var (result, orders) = await Recommendations.ModelService.TuneAsync(db, s.Id, k, TimeProvider.System.GetUtcNow(), ct);
        if (result.Blend is not { } blend)
        {
            await Console.Error.WriteLineAsync($"error: {result.Refusal}");
            return 2;
        }
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(blend, Json));
            return 0;
        }
        Console.WriteLine($"{s.Slug}: tuned on {blend.Customers:N0} customers' next order after {blend.SplitAt:yyyy-MM-dd} ({orders:N0} orders); k = {k}; {sw.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine();
        Console.WriteLine($"weights: {string.Join(", ", blend.Weights.OrderByDescending(w => w.Value).Select(w => $"{w.Key} {w.Value.ToString(CultureInfo.InvariantCulture)}"))}; " +
            $"re-orders {blend.RepurchaseShare:P0} of the list when allowed");
        Console.WriteLine();
        Console.WriteLine("| blend | new products, re-orders left out | all products, with re-orders | new products, with re-orders |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine($"| built-in | {blend.BuiltIn.NewHitRate:P1} | {blend.BuiltIn.AllHitRate:P1} | {blend.BuiltIn.AllNewHitRate:P1} |");
        Console.WriteLine($"| tuned | {blend.Tuned.NewHitRate:P1} | {blend.Tuned.AllHitRate:P1} | {blend.Tuned.AllNewHitRate:P1} |");
        Console.WriteLine();
        Console.WriteLine("Kept as the store's default blend for customers; servers take it at their next model sync (within 5 minutes). --untune goes back.");
        return 0;
    }

    private static void Write(EvaluationReport report, string title, Func<StrategyScore, Metrics> pick, int k, bool extra)
    {
        var popularity = pick(report.Strategies.Single(r => r.Strategy == OfflineEvaluation.Popularity)).HitRate;
        var own = pick(report.Strategies.Single(r => r.Strategy == OfflineEvaluation.Own)).HitRate;
        static string Ratio(double a, double b) => b > 0 ? $"×{a / b:F2}" : "–";
        Console.WriteLine();
        Console.WriteLine($"{title}:");
        Console.WriteLine();
        Console.WriteLine($"| strategy | customers | hit-rate@{k} (95% interval) | precision@{k} | recall@{k} | NDCG@{k} | MRR | vs popularity | vs own |" +
            (extra ? " coverage | repurchases |" : ""));
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (extra ? " ---: | ---: |" : ""));
        foreach (var r in report.Strategies)
        {
            var m = pick(r);
            Console.WriteLine($"| {r.Strategy} | {m.Customers:N0} | {m.HitRate:P1} ({m.HitRateLow:P1}–{m.HitRateHigh:P1}) | {m.Precision:P2} | {m.Recall:P2} | {m.Ndcg:F3} | {m.Mrr:F3} | " +
                $"{Ratio(m.HitRate, popularity)} | {Ratio(m.HitRate, own)} |" + (extra ? $" {r.Coverage:P1} | {r.RepurchaseShare:P0} |" : ""));
        }
    }
}
