using Cartwise.Tests.Infrastructure;

namespace Cartwise.Tests.Cli;

public sealed class MineCommandTests
{
    [Fact]
    public async Task MineInput_WritesItemsetsAndRulesInTheSpmfFormat()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-mine-").FullName;
        // Items with spaces, separated by commas, as in the Groceries CSV.
        await File.WriteAllLinesAsync(Path.Combine(dir, "baskets.csv"),
        [
            "whole milk,bread,butter", "whole milk,bread", "whole milk,butter", "bread,butter", "whole milk,bread,butter,jam", "jam",
        ]);

        var run = await CartwiseProcess.RunAsync(dir, "mine", "--input", "baskets.csv", "--separator", ",", "--min-support", "3",
            "--min-confidence", "0.7", "--output", "itemsets.txt", "--rules", "rules.txt");

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("baskets 6, items 4, minimum support 3 baskets", run.StdOut);
        var itemsets = (await File.ReadAllLinesAsync(Path.Combine(dir, "itemsets.txt"))).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["bread #SUP: 4", "bread butter #SUP: 3", "butter #SUP: 4", "whole milk #SUP: 4", "whole milk bread #SUP: 3", "whole milk butter #SUP: 3"], itemsets);
        var rules = await File.ReadAllLinesAsync(Path.Combine(dir, "rules.txt"));
        Assert.Equal(6, rules.Length);
        Assert.Contains("whole milk ==> bread #SUP: 3 #CONF: 0.75 #LIFT: 1.125", rules);
    }

    [Theory]
    [InlineData("0", "is not a positive number")]
    [InlineData("2.5", "must be whole")]
    [InlineData("abc", "is not a positive number")]
    public async Task MineInput_BadSupport_IsExplained(string support, string message)
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-mine-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "b.txt"), "1 2\n");

        var run = await CartwiseProcess.RunAsync(dir, "mine", "--input", "b.txt", "--min-support", support);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.StdErr);
    }

    [Fact]
    public async Task MineInput_AnyNumberOfThreads_WritesTheSameFile()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-mine-").FullName;
        var random = new Random(5);
        await File.WriteAllLinesAsync(Path.Combine(dir, "b.txt"),
            Enumerable.Range(0, 3000).Select(_ => string.Join(' ', Enumerable.Range(0, 40).Where(_ => random.NextDouble() < 0.2).Select(i => i * 7))));

        var one = await CartwiseProcess.RunAsync(dir, "mine", "--input", "b.txt", "--min-support", "0.01", "--threads", "1", "--output", "one.txt");
        var two = await CartwiseProcess.RunAsync(dir, "mine", "--input", "b.txt", "--min-support", "0.01", "--threads", "2", "--output", "two.txt");
        var none = await CartwiseProcess.RunAsync(dir, "mine", "--input", "b.txt", "--threads", "0");

        Assert.True(one.ExitCode == 0 && two.ExitCode == 0, one.StdErr + two.StdErr);
        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, "one.txt"));
        Assert.True(lines.Length > 1000, $"{lines.Length} itemsets");
        Assert.Equal(lines, await File.ReadAllLinesAsync(Path.Combine(dir, "two.txt")));
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("--threads must be 1 or more", none.StdErr);
    }
}
