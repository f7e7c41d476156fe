using Cartwise.Core.Tracking;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>What one rule or tier would have done over a period.</summary>
/// <param name="Customers">Distinct customers the sent messages went to.</param>
public sealed record RuleSimulation(string Rule, long MessageId, int Triggered, int Sent, int HeldOut, int Skipped, IReadOnlyDictionary<string, int> SkippedBy, int Customers);

public sealed record SimulationResult(long ScenarioId, string Kind, DateTimeOffset From, DateTimeOffset To, int Events, int Customers, IReadOnlyList<RuleSimulation> Rules);

/// <summary>
/// Replays stored events (imports included) through a scenario's engine, in time order, writing nothing: sends are
/// released when the replayed time passes their due time and checked as they would be then. Consent and audience
/// are taken as the customers stand today.
/// </summary>
public static class ScenarioSimulator
{
    public static async Task<SimulationResult> RunAsync(CartwiseDb db, Scenario scenario, Store store, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        (await RunAsync(db, [scenario], store, from, to, ct))[0];

    /// <summary>Several scenarios (variants of one, say) over the same history, read once.</summary>
    public static async Task<IReadOnlyList<SimulationResult>> RunAsync(CartwiseDb db, IReadOnlyList<Scenario> scenarios, Store store, DateTimeOffset from, DateTimeOffset to,
        CancellationToken ct)
    {
        var catalog = await ScenarioService.CatalogAsync(db, ct);
        var events = await db.Events.AsNoTracking()
            .Where(e => e.OccurredAt >= from && e.OccurredAt < to && e.CustomerId != null && (e.Name == EventNames.ViewItem || e.Name == EventNames.AddToCart || e.Name == EventNames.Purchase))
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(ct);
        var converted = await ScenarioService.ConvertAsync(db, catalog, events, ct);
        var customers = converted.Select(c => c.Event.Customer).Distinct().ToList();
        // A customer without an address cannot be written to: on history that counts as no consent.
        var bySegment = scenarios.Any(s => ScenarioService.Definition(s).Audience is { BySegment: true });
        var facts = (await ScenarioService.FactsAsync(db, customers, orders: false, ct, segments: bySegment))
            .ToDictionary(kv => kv.Key, kv => kv.Value.Customer with { Consent = kv.Value.Customer.Consent && kv.Value.Email != null });
        var results = new List<SimulationResult>();
        foreach (var scenario in scenarios)
        {
            var engine = ScenarioService.EngineFor(scenario, catalog.Tree, store);
            // Orders so far, as of each event (the audience's "number of orders" then).
            var orders = new Dictionary<long, int>();
            var all = new List<Decision>();
            foreach (var (e, _) in converted)
            {
                all.AddRange(engine.Release(e.At));
                var f = facts.GetValueOrDefault(e.Customer) ?? new CustomerFacts(false);
                all.AddRange(engine.Observe(e, f with { Orders = orders.GetValueOrDefault(e.Customer) }));
                if (e.Action == TriggerActions.Order) orders[e.Customer] = orders.GetValueOrDefault(e.Customer) + 1;
            }
            all.AddRange(engine.Release(DateTimeOffset.MaxValue));
            results.Add(new SimulationResult(scenario.Id, scenario.Kind, from, to, events.Count, customers.Count, Lines(scenario, all)));
        }
        return results;
    }

    /// <summary>One line a rule or tier, with its own message (an A/B test's other variants are its sends too).</summary>
    private static List<RuleSimulation> Lines(Scenario scenario, List<Decision> all)
    {
        var messages = ScenarioValidator.Messages(scenario.Kind, ScenarioService.Definition(scenario)).DistinctBy(m => m.Rule).ToList();
        var rules = new List<RuleSimulation>();
        foreach (var (rule, message) in messages.Concat(all.Where(d => d.Rule == "-").Select(_ => ("-", 0L)).Take(1)))
        {
            var mine = all.Where(d => d.Rule == rule).ToList();
            // A scheduled decision later becomes sent or skipped: count triggers once, by their first decision.
            var triggered = mine.Count(d => d.Kind != DecisionKinds.Sent && !(d.Kind == DecisionKinds.Skipped && d.DueAt is not null));
            var skipped = mine.Where(d => d.Kind == DecisionKinds.Skipped).GroupBy(d => Reason(d.Reason)).ToDictionary(g => g.Key, g => g.Count());
            rules.Add(new RuleSimulation(rule, message, triggered, mine.Count(d => d.Kind == DecisionKinds.Sent), mine.Count(d => d.Kind == DecisionKinds.HeldOut),
                skipped.Values.Sum(), skipped, mine.Where(d => d.Kind == DecisionKinds.Sent).Select(d => d.Customer).Distinct().Count()));
        }
        return rules;
    }

    /// <summary>Reasons without their specifics ("rule cap: … due 2011-05-02 …" → "rule cap"), so they group.</summary>
    private static string Reason(string? reason) => reason is null ? "?" : reason.IndexOf(':', StringComparison.Ordinal) is var i and > 0 ? reason[..i] : reason;
}
