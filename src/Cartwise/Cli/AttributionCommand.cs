using System.CommandLine;
using System.Text.Json;
using Cartwise.Analytics;
using Cartwise.Core.Attribution;

namespace Cartwise.Cli;

/// <summary>
/// <c>cartwise attribution --input paths.csv</c>: the attribution models on a path file in the ChannelAttribution
/// package's format (<see cref="PathFile"/>), no store or database needed, so the figures can be held against it.
/// </summary>
public static class AttributionCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Build()
    {
        var input = new Option<string>("--input") { Description = "Path file: path;total_conversions[;total_conversion_value][;total_null], channels joined by '>' (.gz read as gzip)", Required = true };
        var separator = new Option<string>("--separator") { Description = "The field separator (one character; default ';')", DefaultValueFactory = _ => ";" };
        var model = new Option<string>("--model") { Description = $"{string.Join(", ", AttributionModels.All)} or all", DefaultValueFactory = _ => "all" }
            .AcceptOnlyFromAmong([.. AttributionModels.All, "all"]);
        var halfLife = new Option<double>("--half-life") { Description = "Time decay half-life, in path steps for a file (default 7)", DefaultValueFactory = _ => AttributionModels.DefaultHalfLifeDays };
        var top = new Option<int>("--top") { Description = "How many of the most common paths to list", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("attribution", "Run the attribution models (last, first, linear, time decay, position, Markov removal effect) on a path file")
            { input, separator, model, halfLife, top, json };
        command.SetAction(async (result, ct) =>
        {
            var path = result.GetValue(input)!;
            if (!await CliStores.FileExistsAsync(path)) return 2;
            if (result.GetValue(separator) is not { Length: 1 } sep)
            {
                await Console.Error.WriteLineAsync("error: --separator is one character");
                return 2;
            }
            if (result.GetValue(halfLife) is var h && (h <= 0 || double.IsNaN(h)))
            {
                await Console.Error.WriteLineAsync("error: --half-life must be above 0");
                return 2;
            }
            var (stream, _, _) = CliStores.OpenFile(path);
            IReadOnlyList<ConversionPath> paths;
            IReadOnlyList<PathFileProblem> problems;
            using (var reader = new StreamReader(stream, System.Text.Encoding.UTF8, true, 1 << 16))
                (paths, problems) = PathFile.Read(reader, sep[0]);
            if (problems.Count > 0)
            {
                foreach (var p in problems.Take(20)) await Console.Error.WriteLineAsync($"error: {path}, line {p.Line}: {p.Error}");
                if (problems.Count > 20) await Console.Error.WriteLineAsync($"error: … and {problems.Count - 20:N0} more lines");
                return 2;
            }
            var models = result.GetValue(model) is "all" ? AttributionModels.All : [result.GetValue(model)!];
            var results = models.Select(m => AttributionModels.Run(m, paths, h)).ToList();
            var topPaths = AttributionModels.TopPaths(paths, Math.Max(1, result.GetValue(top)));
            var conversions = paths.Sum(p => p.Conversions);
            var value = paths.Sum(p => p.Value);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { paths = paths.Count, conversions, value, nulls = paths.Sum(p => p.Nulls), models = results, topPaths }, Json));
                return 0;
            }
            Console.WriteLine($"{paths.Count:N0} paths, {conversions:N0} conversions worth {value:N2}, {paths.Sum(p => p.Nulls):N0} without a conversion");
            Console.WriteLine();
            Console.WriteLine(string.Join(Environment.NewLine + Environment.NewLine, ReportTables.Attribution(results, topPaths, "value").Select(t => t.ToText())));
            return 0;
        });
        return command;
    }
}
