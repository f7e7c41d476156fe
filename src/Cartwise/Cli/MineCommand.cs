using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cartwise.Core.Mining;

namespace Cartwise.Cli;

/// <summary><c>cartwise mine</c>: frequent itemsets and association rules, from a basket file or a store's orders.</summary>
public static class MineCommand
{
    public static Command Build()
    {
        var input = new Option<string?>("--input") { Description = "Basket file: one basket a line (FIMI/SPMF); .gz accepted" };
        var separator = new Option<string?>("--separator") { Description = "Item separator in --input (default: white space), e.g. , for the Groceries CSV" };
        var output = new Option<string?>("--output") { Description = "Write the itemsets here as 'item item … #SUP: count'" };
        var rules = new Option<string?>("--rules") { Description = "Write the rules here as 'a b ==> c #SUP: n #CONF: x #LIFT: y'" };
        var minSupport = new Option<string?>("--min-support") { Description = "Fraction of baskets (0.001) or, from 1 up, a number of baskets (10)" };
        var minConfidence = new Option<double?>("--min-confidence") { Description = "Keep rules at least this confident (default 0.5 with --rules)" };
        var minLift = new Option<double>("--min-lift") { Description = "Keep rules with at least this lift", DefaultValueFactory = _ => 0 };
        var maxLength = new Option<int>("--max-length") { Description = "Largest itemset size (0: no limit)", DefaultValueFactory = _ => 0 };
        var maxConsequent = new Option<int>("--max-consequent") { Description = "Largest right-hand side of a rule", DefaultValueFactory = _ => 1 };
        var store = new Option<string?>("--store") { Description = "Mine this store's orders and make the result its current model" };
        var level = new Option<string>("--level") { Description = "product or category: which rules to print (both are built)", DefaultValueFactory = _ => "product" };
        level.AcceptOnlyFromAmong("product", "category");
        var window = new Option<string?>("--window") { Description = "Orders of the last N days only, e.g. 365d (default: all history); with --next: how soon after (default 60d)" };
        var threads = new Option<int>("--threads") { Description = "Threads that mine side by side (default: one a core)", DefaultValueFactory = _ => Environment.ProcessorCount };
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be 1 or more."); });
        var next = new Option<bool>("--next") { Description = "With --store: next-purchase rules (A, then B in a later order within --window) instead of baskets" };
        var command = new Command("mine", "Frequent itemsets (FP-Growth) and association rules, from a basket file or a store's orders")
        {
            input, separator, output, rules, minSupport, minConfidence, minLift, maxLength, maxConsequent, store, level, window, next, threads,
        };
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(store) is { } nextSlug && result.GetValue(next))
                return await MineNextAsync(result, nextSlug, result.GetValue(minSupport), result.GetValue(level)!, result.GetValue(window), ct);
            if (result.GetValue(store) is { } slug)
                return await MineStoreAsync(result, slug, result.GetValue(minSupport), result.GetValue(minConfidence), result.GetValue(maxLength),
                    result.GetValue(level)!, result.GetValue(window), ct);
            var path = result.GetValue(input);
            if (path is null)
            {
                await Console.Error.WriteLineAsync("error: give --input FILE (a basket file) or --store SLUG (a store's orders).");
                return 2;
            }
            if (!TryParseSupport(result.GetValue(minSupport) ?? "0.01", out var options, out var error))
            {
                await Console.Error.WriteLineAsync("error: --min-support " + error);
                return 2;
            }
            options = new MiningOptions(options.MinSupport, options.MinSupportCount, result.GetValue(maxLength), result.GetValue(threads));
            if (!await CliStores.FileExistsAsync(path)) return 2;
            var sw = Stopwatch.StartNew();
            var names = new ItemIds();
            List<int[]> baskets;
            await using (var file = CliStores.OpenFile(path).Stream) baskets = BasketFile.Read(file, result.GetValue(separator), names);
            var read = sw.Elapsed;

            var rulesPath = result.GetValue(rules);
            var ruleOptions = new RuleOptions(result.GetValue(minConfidence) ?? 0.5, result.GetValue(minLift), result.GetValue(maxConsequent));
            var bySize = new long[16]; // itemsets by size
            void Counted(int size)
            {
                if (size >= bySize.Length) Array.Resize(ref bySize, size * 2);
                bySize[size]++;
            }
            var outPath = result.GetValue(output);
            MiningResult mined;
            // Without rules, itemsets stream straight to the file: memory does not grow with their number.
            if (rulesPath is null)
            {
                using var writer = outPath is null ? null : new ItemsetWriter(outPath, names);
                mined = FpGrowth.Mine(baskets, options, (items, support) =>
                {
                    Counted(items.Length);
                    writer?.Write(items, support);
                });
            }
            else
            {
                mined = FpGrowth.Mine(baskets, options);
                foreach (var s in mined.Itemsets) Counted(s.Items.Length);
                if (outPath is not null)
                {
                    using var writer = new ItemsetWriter(outPath, names);
                    foreach (var s in mined.Itemsets) writer.Write(s.Items, s.Support);
                }
            }
            var minedAt = sw.Elapsed;
            var ruleCount = 0;
            if (rulesPath is not null)
            {
                var found = AssociationRules.Generate(mined, ruleOptions);
                ruleCount = found.Count;
                await WriteRulesAsync(rulesPath, found, names);
            }
            var itemsets = bySize.Sum();
            Console.WriteLine($"baskets {mined.BasketCount:N0}, items {names.Count:N0}, minimum support {mined.MinCount:N0} baskets");
            Console.WriteLine($"itemsets {itemsets:N0} (" + string.Join(", ", bySize.Index().Where(s => s.Item > 0).Select(s => $"{s.Index}: {s.Item:N0}")) + ")" +
                (rulesPath is null ? "" : $"; rules {ruleCount:N0} (confidence ≥ {ruleOptions.MinConfidence}, lift ≥ {ruleOptions.MinLift}, right-hand side ≤ {ruleOptions.MaxConsequent})"));
            Console.WriteLine($"time: read {read.TotalSeconds:F2} s, mined {(minedAt - read).TotalSeconds:F2} s, total {sw.Elapsed.TotalSeconds:F2} s");
            return 0;
        });
        return command;
    }

    /// <summary><c>--store S --next</c>: the store's next-purchase rules, strongest lift first.</summary>
    private static async Task<int> MineNextAsync(ParseResult result, string slug, string? support, string level, string? window, CancellationToken ct)
    {
        await using var db = await CartwiseCli.OpenAsync(result, ct);
        if (await CliStores.FindAsync(db, slug, ct) is null) return 2;
        var span = Core.Mining.NextPurchases.DefaultWindow;
        if (window is not null && (!Core.Scenarios.Durations.TryParse(window, out span) || span <= TimeSpan.Zero))
        {
            await Console.Error.WriteLineAsync($"error: --window '{window}' is not a window such as 60d or 8w.");
            return 2;
        }
        var minCustomers = 2;
        if (support is not null && (!int.TryParse(support, CultureInfo.InvariantCulture, out minCustomers) || minCustomers < 1))
        {
            await Console.Error.WriteLineAsync("error: --min-support with --next is a number of customers (1 or more).");
            return 2;
        }
        var sw = Stopwatch.StartNew();
        var rules = await Recommendations.NextPurchaseRules.MineAsync(db, level, null, span, minCustomers, ct);
        await Console.Error.WriteLineAsync($"{rules.Count:N0} next-purchase rules ({level}, within {span.TotalDays:0.#} days, at least {minCustomers} customers) in {sw.Elapsed.TotalSeconds:F1} s");
        var table = new Analytics.ReportTable($"Bought next, within {span.TotalDays:0.#} days", ["antecedent", "then", "customers", "confidence", "lift", "median_lag_days", "lag_q1_q3"],
            rules.Take(50).Select(r => (IReadOnlyList<string>)[r.Antecedent.Name ?? r.Antecedent.Id, r.Consequent.Name ?? r.Consequent.Id, r.Support.ToString(CultureInfo.InvariantCulture),
                r.Confidence.ToString("P1", CultureInfo.InvariantCulture), r.Lift.ToString("0.00", CultureInfo.InvariantCulture), r.MedianLagDays.ToString("0.#", CultureInfo.InvariantCulture),
                $"{r.LagQ1Days.ToString("0.#", CultureInfo.InvariantCulture)}–{r.LagQ3Days.ToString("0.#", CultureInfo.InvariantCulture)}"]).ToList());
        Console.WriteLine(table.ToText());
        return 0;
    }

    private static async Task<int> MineStoreAsync(ParseResult result, string slug, string? support, double? confidence, int maxLength, string level, string? window, CancellationToken ct)
    {
        var target = CartwiseCli.Target(result);
        await using var db = await CartwiseCli.OpenAsync(result, ct);
        if (await CliStores.FindAsync(db, slug, ct) is not { } s) return 2;
        MiningOptions? mining = null;
        if (support is not null)
        {
            if (!TryParseSupport(support, out var parsed, out var error))
            {
                await Console.Error.WriteLineAsync("error: --min-support " + error);
                return 2;
            }
            mining = parsed;
        }
        DateTimeOffset? since = null;
        if (window is not null)
        {
            if (!window.EndsWith('d') || !int.TryParse(window[..^1], CultureInfo.InvariantCulture, out var days) || days < 1)
            {
                await Console.Error.WriteLineAsync($"error: --window '{window}' is not a number of days such as 365d.");
                return 2;
            }
            since = TimeProvider.System.GetUtcNow().AddDays(-days);
        }
        var options = new Core.Recommendations.ModelOptions(mining, confidence ?? 0.1, maxLength > 0 ? maxLength : 4);
        var what = $"mining store '{slug}'{(since is null ? "" : $" since {since:yyyy-MM-dd}")}";
        var sw = Stopwatch.StartNew();
        var service = new Recommendations.ModelService(target, TimeProvider.System);
        (Core.Recommendations.RecommendationModel Model, Core.Recommendations.ModelStats Stats, Recommendations.MiningRun Run)? built = null;
        // A spinner on a terminal (reading orders, mining and storing take seconds on a large history); a line otherwise.
        if (!Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive)
            await Spectre.Console.AnsiConsole.Status().StartAsync(what + " …", async _ => built = await service.BuildAsync(s.Id, options, since, ct));
        else
        {
            Console.WriteLine(what + " …");
            built = await service.BuildAsync(s.Id, options, since, ct);
        }
        var (model, stats, run) = built!.Value;
        Console.WriteLine($"baskets {stats.Baskets:N0}, products {stats.Items:N0}, minimum support {stats.MinSupportCount:N0} baskets");
        Console.WriteLine($"itemsets {stats.ItemsetsBySize.Values.Sum():N0} (" + string.Join(", ", stats.ItemsetsBySize.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value:N0}")) + ")");
        Console.WriteLine($"rules {stats.Rules:N0} on products, {stats.CategoryRules:N0} on categories (confidence ≥ {options.MinConfidence}, lift > 1); " +
            $"{stats.Pairs:N0} product pairs bought together; model run {run.Id} in {sw.Elapsed.TotalSeconds:F1} s");
        var top = level == "product" ? model.Rules : model.CategoryRules;
        string Name(long id) => level == "product" ? model.Products.GetValueOrDefault(id)?.Name ?? id.ToString(CultureInfo.InvariantCulture) : model.CategoryNames.GetValueOrDefault(id) ?? "?";
        foreach (var r in top.OrderByDescending(r => r.Support * r.Confidence).Take(10))
            Console.WriteLine($"  {string.Join(" + ", r.Antecedent.Select(Name))} ⇒ {Name(r.Consequent)}  (support {r.Support}, confidence {r.Confidence:F2}, lift {r.Lift:F1})");
        return 0;
    }

    /// <summary>"0.001" is a fraction; "10" (1 or more) a basket count.</summary>
    public static bool TryParseSupport(string text, out MiningOptions options, out string error)
    {
        options = null!;
        error = "";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            error = $"'{text}' is not a positive number.";
            return false;
        }
        if (value >= 1 && value != Math.Floor(value))
        {
            error = $"'{text}': from 1 up, the support is a number of baskets and must be whole.";
            return false;
        }
        options = value >= 1 ? new MiningOptions(minSupportCount: (int)value) : new MiningOptions(minSupport: value);
        return true;
    }

    private static async Task WriteRulesAsync(string path, List<AssociationRule> rules, ItemIds names)
    {
        await using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var line = new StringBuilder();
        foreach (var r in rules)
        {
            line.Clear();
            line.AppendJoin(' ', r.Antecedent.Select(names.Name)).Append(" ==> ").AppendJoin(' ', r.Consequent.Select(names.Name));
            line.Append(" #SUP: ").Append(r.Support)
                .Append(" #CONF: ").Append(r.Confidence.ToString("0.######", CultureInfo.InvariantCulture))
                .Append(" #LIFT: ").Append(r.Lift.ToString("0.######", CultureInfo.InvariantCulture));
            await w.WriteLineAsync(line);
        }
    }

    /// <summary>
    /// Itemsets as lines of 'name name … #SUP: n', written as UTF-8 bytes through one buffer: each name is encoded
    /// once, supports are formatted in place.
    /// </summary>
    private sealed class ItemsetWriter(string path, ItemIds names) : IDisposable
    {
        private readonly FileStream _file = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        private readonly byte[]?[] _encoded = new byte[names.Count][];
        private byte[] _buffer = new byte[1 << 16];
        private int _used;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Write(ReadOnlySpan<int> items, int support)
        {
            foreach (var i in items)
            {
                var name = _encoded[i] ??= Encoding.UTF8.GetBytes(names.Name(i) + " ");
                Put(name);
            }
            Put("#SUP: "u8);
            Room(12);
            support.TryFormat(_buffer.AsSpan(_used), out var written, default, CultureInfo.InvariantCulture);
            _used += written;
            _buffer[_used++] = (byte)'\n';
        }

        private void Put(ReadOnlySpan<byte> bytes)
        {
            Room(bytes.Length);
            bytes.CopyTo(_buffer.AsSpan(_used));
            _used += bytes.Length;
        }

        private void Room(int bytes)
        {
            if (_used + bytes <= _buffer.Length) return;
            _file.Write(_buffer, 0, _used);
            _used = 0;
            if (bytes > _buffer.Length) _buffer = new byte[bytes];
        }

        public void Dispose()
        {
            _file.Write(_buffer, 0, _used);
            _file.Dispose();
        }
    }
}
