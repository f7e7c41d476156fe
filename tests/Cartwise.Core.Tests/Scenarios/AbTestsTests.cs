using Cartwise.Core.Scenarios;

namespace Cartwise.Core.Tests.Scenarios;

/// <summary>A/B tests of a rule's message: deterministic split, the variant on each decision, a winner only beyond chance.</summary>
public sealed class AbTestsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly AbTest TwoSubjects = new("tables", [new AbVariant("A", 10, 0.5), new AbVariant("B", 11, 0.5)], AbMetrics.OpenRate, MinRecipients: 500);

    [Fact]
    public void Assign_SplitsTwoThousandCustomers5050WithinThreePoints_AndKeepsEachCustomersVariant()
    {
        var b = Enumerable.Range(1, 2000).Count(c => AbTests.Assign(42, TwoSubjects, c, null).Id == "B");
        Assert.InRange(b / 2000.0, 0.47, 0.53);
        Assert.All(Enumerable.Range(1, 50), c => Assert.Equal(AbTests.Assign(42, TwoSubjects, c, null), AbTests.Assign(42, TwoSubjects, c, null)));
        var uneven = TwoSubjects with { Variants = [new AbVariant("A", 10, 0.5), new AbVariant("B", 11, 0.25), new AbVariant("C", 12, 0.25)] };
        var counts = Enumerable.Range(1, 10_000).GroupBy(c => AbTests.Assign(7, uneven, c, null).Id).ToDictionary(g => g.Key, g => g.Count() / 10_000.0);
        Assert.InRange(counts["A"], 0.47, 0.53);
        Assert.InRange(counts["C"], 0.22, 0.28);
    }

    [Fact]
    public void Assign_IsIndependentOfTheHoldout_AndGivesTheWinnerToEveryone()
    {
        // Among customers outside a 50% holdout the split is still even: the two hashes do not line up.
        var outside = Enumerable.Range(1, 4000).Where(c => !ScenarioEngine.InHoldout(42, c, 0.5)).ToList();
        Assert.InRange(outside.Count(c => AbTests.Assign(42, TwoSubjects, c, null).Id == "B") / (double)outside.Count, 0.46, 0.54);
        Assert.All(Enumerable.Range(1, 200), c => Assert.Equal("B", AbTests.Assign(42, TwoSubjects, c, "B").Id));
        // A winner that is no longer a variant (the test was edited) is ignored.
        Assert.Equal(AbTests.Assign(42, TwoSubjects, 5, null), AbTests.Assign(42, TwoSubjects, 5, "Z"));
    }

    [Fact]
    public void Engine_RecordsTheVariantOnEachDecision_AndSendsItsMessage_HoldoutGetsNone()
    {
        var rule = new CrossSellRule("tables", TriggerActions.View, [2], 10);
        var engine = new ScenarioEngine(42, ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [rule], Holdout: 0.2, Tests: [TwoSubjects]),
            (c, a) => c == a, TimeZoneInfo.Utc);
        var decisions = Enumerable.Range(1, 300).Select(c => engine.Observe(new ScenarioEvent($"e{c}", c, "view", T0, [1], [2]), new CustomerFacts(true)).Single()).ToList();
        Assert.All(decisions.Where(d => d.Kind == DecisionKinds.Scheduled), d =>
        {
            Assert.Equal(AbTests.Assign(42, TwoSubjects, d.Customer, null).Id, d.Variant);
            Assert.Equal(d.Variant == "A" ? 10 : 11, d.MessageId);
        });
        Assert.All(decisions.Where(d => d.Kind == DecisionKinds.HeldOut), d => Assert.Null(d.Variant));
        Assert.Contains(decisions, d => d.Kind == DecisionKinds.HeldOut);

        var won = new ScenarioEngine(42, ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [rule], Holdout: 0, Tests: [TwoSubjects]),
            (c, a) => c == a, TimeZoneInfo.Utc, new Dictionary<string, string> { ["tables"] = "B" });
        Assert.All(Enumerable.Range(1, 100), c => Assert.Equal(11, won.Observe(new ScenarioEvent($"e{c}", c, "view", T0, [1], [2]), new CustomerFacts(true)).Single().MessageId));
    }

    private static VariantFigures Opens(string id, int recipients, int opened) => new(id, recipients, opened, 0, 0, 0, 0);

    [Fact]
    public void Decide_WaitsForEnoughRecipients_PicksNoWinnerWhileTheIntervalIncludesZero_ThenTheBetterOne()
    {
        var waiting = AbTests.Decide(TwoSubjects, [Opens("A", 499, 200), Opens("B", 800, 100)]);
        Assert.Null(waiting.Winner);
        Assert.StartsWith("waiting: variant A has 499 of the 500", waiting.Reason);

        var close = AbTests.Decide(TwoSubjects, [Opens("A", 1000, 200), Opens("B", 1000, 215)]);
        Assert.Equal("B", close.Leader);
        Assert.Null(close.Winner);
        Assert.True(close.Difference.Low < 0 && close.Difference.High > 0);
        Assert.Contains("includes zero", close.Reason);

        var clear = AbTests.Decide(TwoSubjects, [Opens("A", 1000, 200), Opens("B", 1000, 300)]);
        Assert.Equal("B", clear.Winner);
        Assert.InRange(clear.Difference.Value, 0.0999, 0.1001);
        Assert.True(clear.Difference.Low > 0);

        // Revenue per recipient: A earns 2.0 a recipient with little spread, B 1.0.
        var revenue = TwoSubjects with { Metric = AbMetrics.RevenuePerRecipient };
        var byRevenue = AbTests.Decide(revenue, [new("A", 600, 0, 0, 60, 1200, 600 * 4.5), new("B", 600, 0, 0, 30, 600, 600 * 1.5)]);
        Assert.Equal("A", byRevenue.Winner);
    }

    [Fact]
    public void Intervals_MatchTheNormalApproximation()
    {
        // 30% of 100 against 20% of 100: 0.1 ± 1.96·√(0.21/100 + 0.16/100) = 0.1 ± 0.1192.
        var d = Intervals.OfProportions(30, 100, 20, 100);
        Assert.Equal(0.1, d.Value, 6);
        Assert.Equal(-0.0192, d.Low, 4);
        Assert.Equal(0.2192, d.High, 4);
        Assert.False(d.Significant);
        Assert.Equal(default, Intervals.OfProportions(1, 0, 1, 10));
    }

    [Fact]
    public void Validate_NamesEveryProblemOfATest()
    {
        var bad = new AbTest("chairs", [new AbVariant("A", 10, 0.5), new AbVariant("A", 10, 0.3)], "likes", MinRecipients: 1, Wait: "soon");
        var errors = ScenarioValidator.Validate(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("tables", "view", [2], 10)], Tests: [bad]));
        Assert.Contains(("customize.tests[0].rule", "no rule or tier 'chairs' in this scenario"), errors);
        Assert.Contains(errors, e => e.Path == "customize.tests[0].metric");
        Assert.Contains(errors, e => e.Path == "customize.tests[0].minRecipients");
        Assert.Contains(errors, e => e.Path == "customize.tests[0].wait");
        Assert.Contains(("customize.tests[0].variants[1].id", "'A' appears twice"), errors);
        Assert.Contains(("customize.tests[0].variants[1].messageId", "another variant already sends this message"), errors);
        Assert.Contains(("customize.tests[0].variants", "the shares add up to 0.8, not 1"), errors);
        Assert.Empty(ScenarioValidator.Validate(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("tables", "view", [2], 10)], Tests: [TwoSubjects])));
        Assert.Equal([("tables", 10L), ("tables", 11L)],
            ScenarioValidator.Messages(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("tables", "view", [2], 10)], Tests: [TwoSubjects])).ToList());
    }
}
