using System.IO.Compression;
using Cartwise.Core.Mining;

namespace Cartwise.Core.Tests.Mining;

public sealed class FpGrowthTests
{
    /// <summary>Every subset of the item universe, counted directly: slow, obviously right.</summary>
    private static Dictionary<string, int> BruteForce(List<int[]> baskets, int items, int minCount, int maxLength)
    {
        var result = new Dictionary<string, int>();
        for (var mask = 1; mask < 1 << items; mask++)
        {
            var set = Enumerable.Range(0, items).Where(i => (mask & (1 << i)) != 0).ToArray();
            if (maxLength > 0 && set.Length > maxLength) continue;
            var support = baskets.Count(b => set.All(b.Contains));
            if (support >= minCount) result[string.Join(",", set)] = support;
        }
        return result;
    }

    private static List<int[]> RandomBaskets(Random random, int count, int items, double density) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, items).Where(_ => random.NextDouble() < density).ToArray()).ToList();

    [Theory]
    [InlineData(1, 60, 8, 0.3, 3, 0)]
    [InlineData(2, 200, 10, 0.45, 20, 0)]
    [InlineData(3, 150, 12, 0.25, 4, 0)]
    [InlineData(4, 80, 9, 0.7, 10, 0)]
    [InlineData(5, 300, 11, 0.35, 15, 3)]
    [InlineData(6, 40, 6, 0.9, 1, 0)]
    [InlineData(7, 500, 12, 0.15, 2, 0)]
    public void Mine_FindsExactlyTheItemsetsOfABruteForceMiner(int seed, int basketCount, int items, double density, int minCount, int maxLength)
    {
        var baskets = RandomBaskets(new Random(seed), basketCount, items, density);

        var mined = FpGrowth.Mine(baskets, new MiningOptions(minSupportCount: minCount, maxLength: maxLength));
        var onThreads = FpGrowth.Mine(baskets, new MiningOptions(minSupportCount: minCount, maxLength: maxLength, threads: 3));

        var expected = BruteForce(baskets, items, minCount, maxLength);
        var actual = mined.Itemsets.ToDictionary(s => string.Join(",", s.Items), s => s.Support);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        Assert.Equal(Lines(mined), Lines(onThreads));
    }

    /// <summary>Every itemset as a line, in the order the miner gave them.</summary>
    private static List<string> Lines(MiningResult mined) => mined.Itemsets.Select(s => string.Join(",", s.Items) + ":" + s.Support).ToList();

    [Fact]
    public void Mine_EqualBasketsAndDuplicateItems_CountOncePerBasket()
    {
        // Equal baskets are merged inside the miner with a weight; an item twice in a basket still counts once.
        List<int[]> baskets = [[1, 2, 3], [3, 2, 1], [1, 2, 3, 3], [1, 2], [2, 1, 1], [4], [4], [4]];

        var mined = FpGrowth.Mine(baskets, new MiningOptions(minSupportCount: 3));

        Assert.Equal(["1,2,3:3", "1,2:5", "1,3:3", "1:5", "2,3:3", "2:5", "3:3", "4:3"], Lines(mined).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0.001, 0)]
    [InlineData(0.002, 3)]
    public void Mine_OnSeveralThreads_GivesTheSameItemsetsInTheSameOrder(double support, int maxLength)
    {
        var (baskets, _) = Groceries();

        var one = FpGrowth.Mine(baskets, new MiningOptions(minSupport: support, maxLength: maxLength));
        var several = FpGrowth.Mine(baskets, new MiningOptions(minSupport: support, maxLength: maxLength, threads: 4));

        Assert.True(one.Itemsets.Count > 1000);
        Assert.Equal(Lines(one), Lines(several));
    }

    private static (List<int[]> Baskets, ItemIds Names) Groceries()
    {
        // Shipped with the tests (Fixtures/groceries.NOTICE.md): the known answer runs everywhere, never skips.
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "groceries.csv.gz");
        var names = new ItemIds();
        using var file = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return (BasketFile.Read(file, ",", names), names);
    }

    [Fact]
    public void Rules_HaveTheFiguresTheirDefinitionsGive()
    {
        var random = new Random(11);
        var baskets = RandomBaskets(random, 400, 8, 0.4);
        var mined = FpGrowth.Mine(baskets, new MiningOptions(minSupport: 0.05));
        int Count(IEnumerable<int> set) => baskets.Count(b => set.All(b.Contains));

        var rules = AssociationRules.Generate(mined, new RuleOptions(minConfidence: 0.12, maxConsequent: 2));

        Assert.NotEmpty(rules);
        Assert.Contains(rules, r => r.Consequent.Length == 2);
        double n = baskets.Count;
        foreach (var r in rules)
        {
            var all = r.Antecedent.Concat(r.Consequent).ToArray();
            Assert.Equal(Count(all), r.Support);
            var confidence = (double)Count(all) / Count(r.Antecedent);
            var pC = Count(r.Consequent) / n;
            Assert.Equal(confidence, r.Confidence, 12);
            Assert.Equal(confidence / pC, r.Lift, 12);
            Assert.Equal(Count(all) / n - Count(r.Antecedent) / n * pC, r.Leverage, 12);
            if (confidence < 1) Assert.Equal((1 - pC) / (1 - confidence), r.Conviction, 9);
            Assert.True(r.Confidence >= 0.12);
        }
        // Nothing is missing: every qualifying split of every frequent itemset is a rule.
        var expected = mined.Itemsets.Where(s => s.Items.Length >= 2).Sum(s =>
            Enumerable.Range(1, (1 << s.Items.Length) - 2).Count(mask =>
            {
                var c = s.Items.Where((_, i) => (mask & (1 << i)) != 0).ToArray();
                var a = s.Items.Except(c).ToArray();
                return c.Length <= 2 && (double)s.Support / Count(a) >= 0.12;
            }));
        Assert.Equal(expected, rules.Count);
    }

    [Fact]
    public void MinCount_TreatsFractionsAsArulesDoes()
    {
        Assert.Equal(10, new MiningOptions(minSupport: 0.001).MinCount(9835));
        Assert.Equal(104, new MiningOptions(minSupport: 0.005).MinCount(20728));
        Assert.Equal(1, new MiningOptions(minSupport: 0.5).MinCount(2));
        Assert.Equal(7, new MiningOptions(minSupportCount: 7).MinCount(100));
    }

    [Fact]
    public void Options_RefuseNonsense()
    {
        Assert.Throws<ArgumentException>(() => new MiningOptions());
        Assert.Throws<ArgumentException>(() => new MiningOptions(minSupport: 0));
        Assert.Throws<ArgumentException>(() => new MiningOptions(minSupport: 1.5));
        Assert.Throws<ArgumentException>(() => new MiningOptions(minSupport: 0.1, minSupportCount: 3));
        Assert.Throws<ArgumentException>(() => new RuleOptions(minConfidence: 2));
        Assert.Throws<ArgumentException>(() => new RuleOptions(maxConsequent: 0));
    }

    /// <summary>
    /// The Groceries data (9,835 baskets of the R package arules, shipped unchanged as a fixture with its GPL notice)
    /// gives the figures arules documents.
    /// </summary>
    [Fact]
    public void Groceries_MatchesTheCountsArulesPublishes()
    {
        var (baskets, names) = Groceries();

        var mined = FpGrowth.Mine(baskets, new MiningOptions(minSupport: 0.001));
        var rules = AssociationRules.Generate(mined, new RuleOptions(minConfidence: 0.5));

        Assert.Equal(9835, mined.BasketCount);
        Assert.Equal(13492, mined.Itemsets.Count);
        Assert.Equal(5668, rules.Count);
        // A rule the arules documentation prints: {citrus fruit, root vegetables} => {other vegetables}.
        var citrus = rules.Single(r => r.Antecedent.Select(names.Name).Order().SequenceEqual(["citrus fruit", "root vegetables"]) && names.Name(r.Consequent[0]) == "other vegetables");
        Assert.Equal(0.5862069, citrus.Confidence, 6);
        Assert.Equal(3.029608, citrus.Lift, 5);
    }
}
