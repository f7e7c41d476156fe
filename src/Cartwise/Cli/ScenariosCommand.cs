using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cartwise.Scenarios;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Cli;

public static class ScenariosCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static Command Build()
    {
        var store = CliStores.StoreOption();
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List a store's scenarios with id, kind and state") { store, json };
        list.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            if (await CliStores.FindAsync(db, result.GetValue(store)!, ct) is null) return 2;
            var items = await db.Scenarios.AsNoTracking().OrderBy(s => s.Id).Select(s => new ScenarioListItem(s.Id, s.Name, s.Kind, s.State, s.UpdatedAt)).ToListAsync(ct);
            if (result.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { items }, Json));
            else
            {
                Console.WriteLine($"{"id",5}  {"kind",-14} {"state",-9} name");
                foreach (var s in items) Console.WriteLine($"{s.Id,5}  {s.Kind,-14} {s.State,-9} {s.Name}");
            }
            return 0;
        });

        var scenario = new Option<long>("--scenario") { Description = "The scenario's id", Required = true };
        var from = new Option<string>("--from") { Description = "First day replayed (yyyy-MM-dd, store time)", Required = true };
        var to = new Option<string>("--to") { Description = "Last day replayed (yyyy-MM-dd, inclusive)", Required = true };
        var simulate = new Command("simulate", "Replay stored history through a scenario without sending: what would be sent, skipped and why, per rule or tier")
            { store, scenario, from, to, json };
        simulate.SetAction(async (result, ct) =>
        {
            await using var db = await CartwiseCli.OpenAsync(result, ct);
            var s = await CliStores.FindAsync(db, result.GetValue(store)!, ct);
            if (s is null) return 2;
            var sc = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == result.GetValue(scenario), ct);
            if (sc is null)
            {
                await Console.Error.WriteLineAsync($"error: store '{s.Slug}' has no scenario {result.GetValue(scenario)} (see `cartwise scenarios list --store {s.Slug}`)");
                return 2;
            }
            if (!DateOnly.TryParseExact(result.GetValue(from), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
                || !DateOnly.TryParseExact(result.GetValue(to), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last) || last < first)
            {
                await Console.Error.WriteLineAsync("error: --from and --to are dates (yyyy-MM-dd), --from not after --to");
                return 2;
            }
            var zone = Core.StoreTime.Zone(s.TimeZone);
            DateTimeOffset Start(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(d.ToDateTime(TimeOnly.MinValue)));
            var sim = await ScenarioSimulator.RunAsync(db, sc, s, Start(first), Start(last.AddDays(1)), ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(sim, Json));
                return 0;
            }
            Console.WriteLine($"Scenario {sc.Id} '{sc.Name}' ({sc.Kind}, {sc.State}) replayed over {first:yyyy-MM-dd} – {last:yyyy-MM-dd}: {sim.Events:N0} events of {sim.Customers:N0} customers. Nothing was sent.");
            Console.WriteLine($"{"rule/tier",-20} {"message",7} {"triggered",9} {"would send",10} {"held out",8} {"skipped",7}  why skipped");
            foreach (var r in sim.Rules)
                Console.WriteLine($"{r.Rule,-20} {r.MessageId,7} {r.Triggered,9:N0} {r.Sent,10:N0} {r.HeldOut,8:N0} {r.Skipped,7:N0}  " +
                    string.Join(", ", r.SkippedBy.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value:N0}")));
            Console.WriteLine($"total: would send {sim.Rules.Sum(r => r.Sent):N0} messages, {sim.Rules.Sum(r => r.HeldOut):N0} held out, {sim.Rules.Sum(r => r.Skipped):N0} skipped");
            return 0;
        });
        return new Command("scenarios", "List and simulate automation scenarios") { list, simulate };
    }
}
