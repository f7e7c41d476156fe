using Cartwise.Core.Attribution;

namespace Cartwise.Core.Tests.Attribution;

public sealed class AttributionTests
{
    private static ConversionPath P(string path, double conversions, decimal value, double nulls) =>
        new(path.Split('>', StringSplitOptions.TrimEntries), conversions, value, nulls);

    private static readonly ConversionPath[] Known = [P("C1 > C2 > C3", 1, 1000, 0), P("C1", 0, 0, 1), P("C2 > C3", 0, 0, 1)];

    [Fact]
    public void Markov_gives_the_known_removal_effects_and_credit()
    {
        var result = MarkovAttribution.Compute(Known).Channels.ToDictionary(c => c.Channel);
        Assert.Equal(0.5, result["C1"].RemovalEffect!.Value, 9);
        Assert.Equal(1, result["C2"].RemovalEffect!.Value, 9);
        Assert.Equal(1, result["C3"].RemovalEffect!.Value, 9);
        Assert.Equal([200m, 400m, 400m], new[] { result["C1"].Value, result["C2"].Value, result["C3"].Value });
        Assert.Equal(1, result.Values.Sum(c => c.Conversions), 9);
    }

    [Fact]
    public void Markov_matches_the_chain_iterated_to_its_limit_on_random_paths()
    {
        var random = new Random(7);
        string[] channels = ["a", "b", "c", "d", "e"];
        var paths = Enumerable.Range(0, 300).Select(_ =>
        {
            var steps = Enumerable.Range(0, random.Next(1, 6)).Select(_ => channels[random.Next(channels.Length)]).ToList();
            var converted = random.NextDouble() < 0.3;
            return new ConversionPath(steps, converted ? 1 : 0, converted ? random.Next(10, 200) : 0, converted ? 0 : 1);
        }).ToList();
        var exact = MarkovAttribution.Compute(paths).Channels.ToDictionary(c => c.Channel, c => c.RemovalEffect!.Value);
        var baseline = Iterated(paths, null);
        foreach (var c in channels)
            Assert.Equal(1 - Iterated(paths, c) / baseline, exact[c], 6);
    }

    /// <summary>The conversion probability from the start by repeated steps of the chain (no equations solved).</summary>
    private static double Iterated(IReadOnlyList<ConversionPath> paths, string? removed)
    {
        var edges = new Dictionary<string, Dictionary<string, double>>();
        void Add(string from, string to, double w)
        {
            if (w == 0) return;
            var row = edges.TryGetValue(from, out var r) ? r : edges[from] = [];
            row[to] = row.GetValueOrDefault(to) + w;
        }
        foreach (var p in paths)
        {
            var prev = "(start)";
            foreach (var c in p.Channels) { Add(prev, c, p.Conversions + p.Nulls); prev = c; }
            Add(prev, "(conversion)", p.Conversions);
            Add(prev, "(null)", p.Nulls);
        }
        var mass = new Dictionary<string, double> { ["(start)"] = 1 };
        double converted = 0;
        for (var step = 0; step < 5000 && mass.Values.Sum() > 1e-12; step++)
        {
            var next = new Dictionary<string, double>();
            foreach (var (state, m) in mass)
            {
                if (state == removed) continue;
                var row = edges[state];
                var total = row.Values.Sum();
                foreach (var (to, w) in row)
                    if (to == "(conversion)") converted += m * w / total;
                    else if (to != "(null)") next[to] = next.GetValueOrDefault(to) + m * w / total;
            }
            mass = next;
        }
        return converted;
    }

    [Fact]
    public void Rule_based_models_share_a_path_as_documented()
    {
        ConversionPath[] paths = [P("a > b > c > d", 1, 100, 0), P("b", 2, 50, 0), P("a > c", 0, 0, 3)];
        decimal V(string model, string channel) => AttributionModels.Run(model, paths).Channels.Single(c => c.Channel == channel).Value;
        Assert.Equal(100m, V(AttributionModels.First, "a"));
        Assert.Equal(100m, V(AttributionModels.Last, "d"));
        Assert.Equal(50m, V(AttributionModels.Last, "b"));
        Assert.Equal(75m, V(AttributionModels.Linear, "b"));
        Assert.Equal(40m, V(AttributionModels.Position, "a"));
        Assert.Equal(60m, V(AttributionModels.Position, "b"));
        Assert.Equal(10m, V(AttributionModels.Position, "c"));
        // Without ages each step back is one half-life: weights 1/8, 1/4, 1/2, 1 over 15/8.
        Assert.Equal(Math.Round(100m * 8 / 15, 2), V(AttributionModels.TimeDecay, "d"));
        Assert.Equal(Math.Round(100m / 15, 2), V(AttributionModels.TimeDecay, "a"));
        foreach (var model in AttributionModels.All)
            Assert.Equal(150m, AttributionModels.Run(model, paths).Channels.Sum(c => c.Value), 0);
    }

    [Fact]
    public void Time_decay_reads_the_ages_of_tracked_touches()
    {
        var path = new ConversionPath(["x", "y"], 1, 30, 0, [7, 0]);
        var credits = AttributionModels.Run(AttributionModels.TimeDecay, [path], halfLifeDays: 7).Channels.ToDictionary(c => c.Channel, c => c.Value);
        Assert.Equal(10m, credits["x"]);
        Assert.Equal(20m, credits["y"]);
    }

    [Fact]
    public void Top_paths_sum_identical_paths_and_give_their_conversion_rate()
    {
        var top = AttributionModels.TopPaths([P("a > b", 1, 10, 0), P("a > b", 0, 0, 1), P("a > b", 1, 30, 0), P("c", 0, 0, 4)], 10);
        Assert.Equal("a > b", top[0].Path);
        Assert.Equal(2, top[0].Conversions);
        Assert.Equal(40m, top[0].Value);
        Assert.Equal(0.6667, top[0].ConversionRate);
        Assert.Equal(0, top[1].ConversionRate);
    }

    [Fact]
    public void A_path_file_is_read_by_its_header_and_bad_lines_are_named()
    {
        var text = "path;total_null;total_conversions;total_conversion_value\n\"C1 > C2\";0;1;1000\nC1;1;0;0\nC2;x;0;0\n;1;0;0\nC3;1;0\n";
        var (paths, problems) = PathFile.Read(new StringReader(text), ';');
        Assert.Equal(2, paths.Count);
        Assert.Equal(["C1", "C2"], paths[0].Channels);
        Assert.Equal(1000m, paths[0].Value);
        Assert.Equal(1, paths[1].Nulls);
        Assert.Equal([4, 5, 6], problems.Select(p => p.Line));
        Assert.Contains("header must name", PathFile.Read(new StringReader("a,b\n"), ',').Problems[0].Error);
    }

    [Fact]
    public void Paths_are_cut_at_purchases_and_touches_outside_their_window_drop_out()
    {
        var t0 = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        TouchPoint[] touches =
        [
            new(1, t0.AddDays(-40), "google / cpc", TouchKinds.Visit),   // older than 28 days before the purchase
            new(1, t0.AddDays(-10), "newsletter / email", TouchKinds.Visit),
            new(1, t0.AddDays(-2), "email / Bounce-back", TouchKinds.Open), // an open counts 1 day only
            new(1, t0.AddHours(-3), "email / Bounce-back", TouchKinds.Click),
            new(1, t0.AddDays(5), "direct", TouchKinds.Visit),             // after the purchase: a path without one
            new(2, t0.AddDays(-1), "facebook / social", TouchKinds.Visit),
        ];
        Conversion[] purchases = [new(1, t0, 80), new(3, t0, 20)];
        var paths = ConversionPaths.Build(touches, purchases, LookbackWindows.Default, t0.AddDays(10));
        var first = paths.Single(p => p.Conversions == 1 && p.Value == 80);
        Assert.Equal(["newsletter / email", "email / Bounce-back"], first.Channels);
        Assert.Equal(10, first.AgesDays![0], 6);
        Assert.Equal(["direct"], paths.Single(p => p.Value == 20).Channels);
        Assert.Equal(2, paths.Count(p => p.Nulls == 1));
        Assert.Equal("google / cpc", ConversionPaths.VisitChannel("Google", "CPC", null));
        Assert.Equal("referral / duckduckgo.com", ConversionPaths.VisitChannel(null, null, "duckduckgo.com", "shop.example"));
        Assert.Equal("direct", ConversionPaths.VisitChannel(null, "", "shop.example", "shop.example"));
    }
}
