using System.Globalization;
using System.Text.Json;
using Cartwise.Core.Mining;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Recommendations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>
/// A cross-sell rule suggested from a category-level next-purchase rule: <see cref="Basis"/> says what customers did
/// ("bought from A, then from B about D days later"), <see cref="Rule"/> is the rule that acts on it (after an order in
/// A, recommend products of B, sent before the typical purchase), and <see cref="Reach"/> what it would have sent
/// over the suggestion period (null when the scenario's other settings cannot be simulated yet).
/// </summary>
public sealed record CrossSellSuggestion(string Key, NextRuleView Basis, CrossSellRule Rule, RuleSimulation? Reach);

/// <summary>The suggestions for one cross-selling scenario, and the period their reach was simulated over.</summary>
public sealed record CrossSellSuggestionList(DateTimeOffset ReachFrom, DateTimeOffset ReachTo, IReadOnlyList<CrossSellSuggestion> Suggestions);

/// <summary>
/// The store's strongest category-level next-purchase rules turned into cross-selling rules (SPEC S1, S5): those with
/// lift of at least <see cref="MinimumLift"/> and at least <see cref="MinimumCustomers"/> customers behind them, not
/// already a rule of the scenario, strongest first (confidence × log2(1 + lift)) and one for each category to
/// recommend; timing from <see cref="NextPurchaseTiming"/>. The API and the
/// wizard's Customize step show the same list.
/// </summary>
public static class CrossSellSuggestions
{
    /// <summary>A suggestion's customers must be this much likelier than customers overall to buy from B.</summary>
    public const double MinimumLift = 1.5;

    /// <summary>Customers who must have done it, so that the figures mean something.</summary>
    public const int MinimumCustomers = 10;

    /// <summary>How many suggestions are offered at once.</summary>
    public const int Shown = 5;

    /// <summary>The simulated reach covers this many days of history, ending at its newest event.</summary>
    public const int ReachDays = 90;

    /// <summary>The key of a suggestion: its two categories.</summary>
    public static string KeyOf(long from, long to) => $"{from.ToString(CultureInfo.InvariantCulture)}-{to.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The suggestions for <paramref name="scenario"/> as defined by <paramref name="definition"/> (its rules are left out of them).</summary>
    public static async Task<CrossSellSuggestionList> ListAsync(CartwiseDb db, Scenario scenario, ScenarioDefinition definition, TimeProvider clock, CancellationToken ct)
    {
        var reachTo = (await ScenarioWizard.HistoryEndAsync(db, clock)).AddSeconds(1);
        var reachFrom = reachTo.AddDays(-ReachDays);
        var taken = (definition.Rules ?? []).Where(r => r is { Trigger: TriggerActions.Order, RecommendCategories.Count: > 0 })
            .SelectMany(r => r.Categories.SelectMany(a => r.RecommendCategories!.Select(b => KeyOf(a, b)))).ToHashSet(StringComparer.Ordinal);
        var mined = await NextPurchaseRules.MineAsync(db, "category", null, NextPurchases.DefaultWindow, MinimumCustomers, ct);
        var chosen = mined
            .Select(r => (View: r, From: long.Parse(r.Antecedent.Id, CultureInfo.InvariantCulture), To: long.Parse(r.Consequent.Id, CultureInfo.InvariantCulture)))
            .Where(x => x.From != x.To && x.View.Lift >= MinimumLift && !taken.Contains(KeyOf(x.From, x.To)))
            .OrderByDescending(x => NextPurchases.Strength(x.View.Confidence, x.View.Lift)).ThenBy(x => x.From).ThenBy(x => x.To)
            // One suggestion a category to recommend: a broad category that follows everything would fill the list.
            .DistinctBy(x => x.To).Take(Shown).ToList();
        var rules = chosen.Select(x =>
        {
            var (delay, cap) = NextPurchaseTiming.Of(x.View.MedianLagDays, x.View.LagQ1Days, x.View.LagQ3Days);
            return new CrossSellRule("suggested", TriggerActions.Order, [x.From], 0, RecommendCategories: [x.To], Cap: cap, Delay: delay);
        }).ToList();

        // Each suggestion alone in the scenario as it stands (audience, holdout, quiet hours, cap), replayed over the
        // same history: what it would have sent had it been the scenario's rule.
        IReadOnlyList<SimulationResult>? reach = null;
        var probes = rules.Select(rule => definition with { Rules = [rule], Tests = null }).ToList();
        if (probes.Count > 0 && probes.All(p => ScenarioValidator.Validate(scenario.Kind, p).Count == 0))
        {
            var store = await db.Stores.AsNoTracking().SingleAsync(x => x.Id == db.CurrentStoreId, ct);
            reach = await ScenarioSimulator.RunAsync(db, probes.Select(p => new Scenario
            {
                Id = scenario.Id, StoreId = scenario.StoreId, Name = scenario.Name, Kind = scenario.Kind, Languages = scenario.Languages,
                Definition = JsonSerializer.Serialize(p, ScenarioService.Json),
            }).ToList(), store, reachFrom, reachTo, ct);
        }
        return new CrossSellSuggestionList(reachFrom, reachTo, chosen.Select((x, i) =>
            new CrossSellSuggestion(KeyOf(x.From, x.To), x.View, rules[i], reach?[i].Rules.FirstOrDefault(r => r.Rule == rules[i].Id))).ToList());
    }

    /// <summary>GET /api/v1/scenarios/{id}/suggested-rules: a cross-selling scenario's suggestions.</summary>
    internal static async Task<Results<Ok<CrossSellSuggestionList>, NotFound, ValidationProblem>> GetAsync(long id, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        if (s.Kind != ScenarioKinds.CrossSell) return Problems.Field("kind", $"Suggested rules are for cross-selling scenarios; this one is {s.Kind}.");
        return TypedResults.Ok(await ListAsync(db, s, ScenarioService.Definition(s), clock, ct));
    }
}
