using System.Text.Json;
using Cartwise.Tests.Infrastructure;

namespace Cartwise.Tests.Cli;

public sealed class ReportCommandTests
{
    private static async Task<string> PathsFileAsync(string dir, string text)
    {
        var path = Path.Combine(dir, "paths.csv");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    [Fact]
    public async Task Attribution_OnAPathFile_GivesTheKnownMarkovAnswer_AndNamesABadLine()
    {
        var dir = Directory.CreateTempSubdirectory("cartwise-cli-").FullName;
        var file = await PathsFileAsync(dir, "path;total_conversions;total_conversion_value;total_null\nC1 > C2 > C3;1;1000;0\nC1;0;0;1\nC2 > C3;0;0;1\n");

        var json = await CartwiseProcess.RunAsync(dir, "attribution", "--input", file, "--separator", ";", "--model", "markov", "--json");
        var table = await CartwiseProcess.RunAsync(dir, "attribution", "--input", file, "--model", "all");
        var bad = await CartwiseProcess.RunAsync(dir, "attribution", "--input", await PathsFileAsync(dir, "path;total_conversions\nC1 > C2;1\nC1;many\n"));
        var header = await CartwiseProcess.RunAsync(dir, "attribution", "--input", await PathsFileAsync(dir, "route,conversions\nC1,1\n"));

        Assert.True(json.ExitCode == 0, json.StdErr);
        var channels = JsonDocument.Parse(json.StdOut).RootElement.GetProperty("models")[0].GetProperty("channels").EnumerateArray()
            .ToDictionary(c => c.GetProperty("channel").GetString()!, c => (c.GetProperty("removalEffect").GetDouble(), c.GetProperty("value").GetDecimal()));
        Assert.Equal(0.5, channels["C1"].Item1, 9);
        Assert.Equal(1, channels["C2"].Item1, 9);
        Assert.Equal((200m, 400m, 400m), (Math.Round(channels["C1"].Item2, 6), Math.Round(channels["C2"].Item2, 6), Math.Round(channels["C3"].Item2, 6)));
        Assert.True(table.ExitCode == 0, table.StdErr);
        Assert.Contains("markov_value", table.StdOut);
        Assert.Contains("C1 > C2 > C3", table.StdOut);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("line 3", bad.StdErr);
        Assert.Equal(2, header.ExitCode);
        Assert.Contains("must name 'path'", header.StdErr);
    }

    [Fact]
    public async Task Reports_PrintTheApisFigures_AsTableCsvAndJson_AndRefuseBadDays()
    {
        await using var database = await TestDatabase.CreateAsync(Engine.Sqlite);
        var db = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.Target.ConnectionString).DataSource;
        var dir = Directory.CreateTempSubdirectory("cartwise-cli-").FullName;
        JsonElement api, apiRepeat;
        await using (var app = await TestApp.StartNodeAsync(database.Target))
        {
            var store = await app.CreateStoreAsync("shop");
            var import = await CartwiseProcess.RunAsync(dir, "--db", db, "import", "orders", Fixtures.Path("online-retail-mini.csv"), "--store", "shop", "--format", "online-retail");
            Assert.True(import.ExitCode == 0, import.StdErr);
            using var admin = app.Admin(store);
            api = await admin.GetJsonAsync("/api/v1/analytics/orders?from=2010-12-01&to=2010-12-31");
            apiRepeat = await admin.GetJsonAsync("/api/v1/analytics/repeat?from=2010-12-01&to=2010-12-31");
        }

        string[] range = ["--store", "shop", "--from", "2010-12-01", "--to", "2010-12-31"];
        var json = await CartwiseProcess.RunAsync(dir, ["--db", db, "report", "orders", .. range, "--format", "json"]);
        var csv = await CartwiseProcess.RunAsync(dir, ["--db", db, "report", "orders", .. range, "--format", "csv"]);
        var repeat = await CartwiseProcess.RunAsync(dir, ["--db", db, "report", "repeat", .. range]);
        var cohorts = await CartwiseProcess.RunAsync(dir, ["--db", db, "report", "cohorts", .. range, "--format", "csv"]);
        var rfm = await CartwiseProcess.RunAsync(dir, "--db", db, "report", "rfm", "--store", "shop", "--format", "json");
        var badDay = await CartwiseProcess.RunAsync(dir, "--db", db, "report", "orders", "--store", "shop", "--from", "1 Dec");
        var backwards = await CartwiseProcess.RunAsync(dir, "--db", db, "report", "orders", "--store", "shop", "--from", "2011-01-01", "--to", "2010-12-01");
        var noStore = await CartwiseProcess.RunAsync(dir, "--db", db, "report", "threshold", "--store", "nope");

        Assert.True(json.ExitCode == 0, json.StdErr);
        Assert.Equal(api.GetProperty("values").ToString(), JsonDocument.Parse(json.StdOut).RootElement.GetProperty("values").ToString());
        Assert.Contains("orders: 2010-12-01", json.StdErr); // the progress line goes to stderr, the report to stdout
        Assert.StartsWith("from,to,orders,share", csv.StdOut);
        Assert.True(repeat.ExitCode == 0, repeat.StdErr);
        Assert.Contains($"Repeat purchase", repeat.StdOut);
        Assert.Contains(apiRepeat.GetProperty("repeat").GetProperty("repeatCustomers").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), repeat.StdOut);
        Assert.StartsWith("cohort,customers,m0", cohorts.StdOut);
        Assert.True(rfm.ExitCode == 0, rfm.StdErr);
        // The file's orders are from 2010: nothing in the window up to now, so recency is measured from the newest order.
        Assert.Contains("the newest order", rfm.StdErr);
        var overview = JsonDocument.Parse(rfm.StdOut).RootElement;
        Assert.Equal(apiRepeat.GetProperty("repeat").GetProperty("customers").GetInt32(), overview.GetProperty("customers").GetInt32());
        Assert.Equal(2, badDay.ExitCode);
        Assert.Contains("yyyy-MM-dd", badDay.StdErr);
        Assert.Equal(2, backwards.ExitCode);
        Assert.Contains("--to", backwards.StdErr);
        Assert.Equal(2, noStore.ExitCode);
        Assert.Contains("no store 'nope'", noStore.StdErr);
    }
}
