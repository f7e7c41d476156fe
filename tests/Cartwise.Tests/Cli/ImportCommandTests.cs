using Cartwise.Tests.Infrastructure;

namespace Cartwise.Tests.Cli;

public sealed class ImportCommandTests
{
    /// <summary>A directory with a new SQLite database and its store <c>shop</c> (GBP, London), made by the CLI.</summary>
    internal static async Task<string> StoreDirAsync()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-import-").FullName;
        Assert.Equal(0, (await CartwiseProcess.RunAsync(dir, "store", "create", "shop", "--currency", "GBP", "--time-zone", "Europe/London")).ExitCode);
        return dir;
    }

    [Fact]
    public async Task ImportOrders_PrintsWhatItDidAndTheRejectedLines()
    {
        var dir = await StoreDirAsync();

        var run = await CartwiseProcess.RunAsync(dir, "import", "orders", Fixtures.Path("online-retail-mini.csv"), "--store", "shop", "--format", "online-retail");

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("read 16 rows", run.StdOut);
        Assert.Contains("orders created 6", run.StdOut);
        Assert.Contains("line 16: quantity 'not-a-number' is not a whole number", run.StdOut);
    }

    [Fact]
    public async Task ImportFeed_MalformedXml_FailsWithLineAndColumn()
    {
        var dir = await StoreDirAsync();
        var bad = Path.Combine(dir, "bad.xml");
        await File.WriteAllTextAsync(bad, "<?xml version=\"1.0\"?><rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel><item><g:id>x1</g:id><g:price>1 GBP");

        var run = await CartwiseProcess.RunAsync(dir, "import", "feed", bad, "--store", "shop");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Malformed XML at line 1, column", run.StdErr);
        Assert.Contains("Nothing was changed", run.StdErr);
    }

    [Fact]
    public async Task ImportEvents_ValidatesEachLineAsTheApiDoes()
    {
        var dir = await StoreDirAsync();

        var run = await CartwiseProcess.RunAsync(dir, "import", "events", Fixtures.Path("events.jsonl"), "--store", "shop");

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("read 6 lines: stored 2, duplicates 1, rejected 2", run.StdOut);
        Assert.Contains("line 4: anonymous_id: An event needs someone", run.StdOut);
        Assert.Contains("line 5: malformed JSON", run.StdOut);
    }

    [Fact]
    public async Task UnknownStore_ListsTheStoresThereAre()
    {
        var dir = await StoreDirAsync();

        var run = await CartwiseProcess.RunAsync(dir, "import", "orders", Fixtures.Path("online-retail-mini.csv"), "--store", "nope", "--format", "online-retail");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no store 'nope'; stores: shop.", run.StdErr);
    }
}

public sealed class MineStoreAndEvaluateTests
{
    /// <summary>A folder whose database has the store <c>shop</c> with the Online Retail mini history imported.</summary>
    private static async Task<string> MiniStoreAsync(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        Assert.Equal(0, (await CartwiseProcess.RunAsync(dir, "store", "create", "shop", "--currency", "GBP", "--time-zone", "Europe/London")).ExitCode);
        Assert.Equal(0, (await CartwiseProcess.RunAsync(dir, "import", "orders", Fixtures.Path("online-retail-mini.csv"), "--store", "shop", "--format", "online-retail")).ExitCode);
        return dir;
    }

    [Fact]
    public async Task MineStore_AndEvaluate_WorkOnAnImportedHistory()
    {
        var dir = await MiniStoreAsync("cartwise-mine-store-");

        var mine = await CartwiseProcess.RunAsync(dir, "mine", "--store", "shop", "--min-support", "1", "--min-confidence", "0.5");
        var evaluate = await CartwiseProcess.RunAsync(dir, "evaluate", "--store", "shop");

        Assert.True(mine.ExitCode == 0, mine.StdErr);
        Assert.Contains("baskets 5, products 7, minimum support 1 baskets", mine.StdOut);
        Assert.Contains("White metal lantern", mine.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.True(evaluate.ExitCode == 0, evaluate.StdErr);
        Assert.Contains("| popularity |", evaluate.StdOut);
        Assert.Contains("| bought_together |", evaluate.StdOut);
    }

    [Fact]
    public async Task Tune_OnAHistoryTooSmallToChooseBy_KeepsTheBuiltInBlend()
    {
        var dir = await MiniStoreAsync("cartwise-tune-");

        var tune = await CartwiseProcess.RunAsync(dir, "evaluate", "--store", "shop", "--tune");
        var untune = await CartwiseProcess.RunAsync(dir, "evaluate", "--store", "shop", "--untune");
        var badShare = await CartwiseProcess.RunAsync(dir, "evaluate", "--store", "shop", "--repurchase-share", "1.5");

        Assert.Equal(2, tune.ExitCode);
        Assert.Contains("tuning needs 200: the built-in blend stays", tune.StdErr);
        Assert.True(untune.ExitCode == 0, untune.StdErr);
        Assert.Contains("shop: the built-in blend again", untune.StdOut);
        Assert.Equal(2, badShare.ExitCode);
        Assert.Contains("--repurchase-share must be from 0 to 1", badShare.StdErr);
    }
}
