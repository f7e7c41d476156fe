using System.Text.Json;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Cli;

public sealed class ScenariosCommandTests
{
    [Fact]
    public async Task ScenariosListAndSimulate_ReplayImportedHistory_PrintWhatWouldBeSentPerTier_AndSendNothing()
    {
        await using var database = await TestDatabase.CreateAsync(Engine.Sqlite);
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.Target.ConnectionString).DataSource;
        var dir = Directory.CreateTempSubdirectory("cartwise-cli-").FullName;
        long scenario;
        await using (var app = await TestApp.StartNodeAsync(database.Target))
        {
            var store = await app.CreateStoreAsync("shop");
            using var admin = app.Admin(store);
            var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
            var r = await admin.PostJsonAsync("/api/v1/scenarios", $$$"""
                {"name":"After purchase","kind":"post_purchase","customize":{"holdout":0,"delay":"1d","tiers":[
                  {"id":"small","from":0,"to":100,"messageId":{{{message}}}},{"id":"big","from":100,"to":null,"messageId":{{{message}}}}]}}
                """);
            scenario = (await r.JsonAsync()).GetProperty("id").GetInt64();
        }
        var import = await CartwiseProcess.RunAsync(dir, "--db", file, "import", "orders", Path.Combine(AppContext.BaseDirectory, "Fixtures", "online-retail-mini.csv"),
            "--store", "shop", "--format", "online-retail");
        Assert.True(import.ExitCode == 0, import.StdErr);

        var list = await CartwiseProcess.RunAsync(dir, "--db", file, "scenarios", "list", "--store", "shop", "--json");
        var simulate = await CartwiseProcess.RunAsync(dir, "--db", file, "scenarios", "simulate", "--store", "shop", "--scenario", scenario.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--from", "2010-01-01", "--to", "2011-12-31", "--json");
        var text = await CartwiseProcess.RunAsync(dir, "--db", file, "scenarios", "simulate", "--store", "shop", "--scenario", scenario.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--from", "2010-01-01", "--to", "2011-12-31");
        var unknown = await CartwiseProcess.RunAsync(dir, "--db", file, "scenarios", "simulate", "--store", "shop", "--scenario", "999", "--from", "2010-01-01", "--to", "2011-12-31");

        Assert.True(list.ExitCode == 0, list.StdErr);
        var item = JsonDocument.Parse(list.StdOut).RootElement.GetProperty("items")[0];
        Assert.Equal((scenario, "post_purchase", "draft"), (item.GetProperty("id").GetInt64(), item.GetProperty("kind").GetString(), item.GetProperty("state").GetString()));
        Assert.True(simulate.ExitCode == 0, simulate.StdErr);
        var sim = JsonDocument.Parse(simulate.StdOut).RootElement;
        var rules = sim.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!);
        // Imported customers have no email consent: every trigger is counted, none would be sent, and the reason says why.
        var triggered = rules.Values.Sum(r => r.GetProperty("triggered").GetInt32());
        Assert.True(triggered > 0);
        Assert.Equal(triggered, rules.Values.Sum(r => r.GetProperty("skippedBy").TryGetProperty("no email consent", out var n) ? n.GetInt32() : 0));
        Assert.Contains("would send", text.StdOut);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no scenario 999", unknown.StdErr);
        await using var db = database.Target.CreateContext();
        Assert.Equal(0, db.Outbox.IgnoreQueryFilters().Count());
        Assert.Equal(0, db.ScenarioDecisions.IgnoreQueryFilters().Count());
    }
}
