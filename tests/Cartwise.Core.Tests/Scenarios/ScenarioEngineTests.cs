using Cartwise.Core.Scenarios;

namespace Cartwise.Core.Tests.Scenarios;

/// <summary>The scenario rules of seeds 000 (cross-selling) and 001 (post-purchase), one behaviour a test.</summary>
public sealed class ScenarioEngineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Warsaw = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
    // Categories: 1 Furniture > 2 Tables, 3 Chairs; 4 Kitchen.
    private static readonly Dictionary<long, long?> Parents = new() { [1] = null, [2] = 1, [3] = 1, [4] = null };
    private static readonly CustomerFacts Consenting = new(true, "pl", "PL", 1);

    private static bool IsWithin(long category, long ancestor)
    {
        for (long? c = category; c is { } id; c = Parents.GetValueOrDefault(id))
            if (id == ancestor) return true;
        return false;
    }

    private static ScenarioEngine CrossSell(params CrossSellRule[] rules) => Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: rules, Holdout: 0));

    private static ScenarioEngine Engine(string kind, ScenarioDefinition d) => new(1, kind, d, IsWithin, Warsaw);

    private static ScenarioEvent Ev(string key, long customer, string action, DateTimeOffset at, params long[] categories) =>
        new(key, customer, action, at, [100], categories);

    [Fact]
    public void Seed000_Point1_SendNoMoreOftenThanOncePerX_TwoTriggersInADayGiveOneMessage()
    {
        var engine = CrossSell(new CrossSellRule("tables", TriggerActions.View, [2], 10, Cap: "1d"));
        var first = engine.Observe(Ev("e1", 7, "view", T0, 2), Consenting).Single();
        var second = engine.Observe(Ev("e2", 7, "view", T0.AddHours(5), 2), Consenting).Single();
        var nextDay = engine.Observe(Ev("e3", 7, "view", T0.AddHours(25), 2), Consenting).Single();
        Assert.Equal(DecisionKinds.Scheduled, first.Kind);
        Assert.Equal(DecisionKinds.Skipped, second.Kind);
        Assert.StartsWith("rule cap", second.Reason);
        Assert.Equal(DecisionKinds.Scheduled, nextDay.Kind);
    }

    [Fact]
    public void Seed000_Point2_SendAfterX_DelaysTheMessage()
    {
        var engine = CrossSell(new CrossSellRule("tables", TriggerActions.Cart, [2], 10, Delay: "3h"));
        var d = engine.Observe(Ev("e1", 7, "cart", T0, 2), Consenting).Single();
        Assert.Equal(T0.AddHours(3), d.DueAt);
    }

    [Theory]
    [InlineData("view", "view", true)]
    [InlineData("cart", "cart", true)]
    [InlineData("order", "order", true)]
    [InlineData("view", "cart", false)]
    [InlineData("order", "view", false)]
    public void Seed000_Point3_TheRuleRunsOnlyAfterItsActionType(string trigger, string action, bool fires)
    {
        var engine = CrossSell(new CrossSellRule("r", trigger, [2], 10));
        Assert.Equal(fires, engine.Observe(Ev("e1", 7, action, T0, 2), Consenting).Count == 1);
    }

    [Fact]
    public void Seed000_Point3_LogicOr_AnActionInAnyCategoryTriggers_SubcategoriesCount()
    {
        var engine = CrossSell(new CrossSellRule("r", "view", [2, 3], 10));
        Assert.Single(engine.Observe(Ev("e1", 7, "view", T0, 3), Consenting));
        Assert.Empty(engine.Observe(Ev("e2", 8, "view", T0, 4), Consenting));
        var parent = CrossSell(new CrossSellRule("r", "view", [1], 10));
        Assert.Single(parent.Observe(Ev("e3", 9, "view", T0, 2), Consenting));
    }

    [Fact]
    public void Seed000_Point3_LogicAnd_NeedsActionsInAllCategoriesWithinTheWindow()
    {
        var engine = CrossSell(new CrossSellRule("r", "view", [2, 3], 10, Logic: "and", Window: "7d"));
        Assert.Empty(engine.Observe(Ev("e1", 7, "view", T0, 2), Consenting));             // tables only
        Assert.Single(engine.Observe(Ev("e2", 7, "view", T0.AddDays(2), 3), Consenting)); // then chairs: both
        Assert.Empty(engine.Observe(Ev("e3", 8, "view", T0, 2), Consenting));
        Assert.Empty(engine.Observe(Ev("e4", 8, "view", T0.AddDays(8), 3), Consenting));   // chairs 8 days later: outside the window
    }

    [Fact]
    public void Seed000_Point4_AdditionalCategories_AlsoTrigger()
    {
        var engine = CrossSell(new CrossSellRule("r", "view", [2], 10, AdditionalCategories: [4]));
        Assert.Single(engine.Observe(Ev("e1", 7, "view", T0, 4), Consenting));
    }

    [Fact]
    public void Seed000_Point5_ScenarioWideCap_HoldsAcrossRules_WhileEachRuleCapIsItsOwn()
    {
        var rules = new[] { new CrossSellRule("tables", "view", [2], 10, Cap: "1d"), new CrossSellRule("chairs", "view", [3], 11, Cap: "1d") };
        var ruleCapsOnly = Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: rules, Holdout: 0));
        Assert.Equal(DecisionKinds.Scheduled, ruleCapsOnly.Observe(Ev("e1", 7, "view", T0, 2), Consenting).Single().Kind);
        Assert.Equal(DecisionKinds.Scheduled, ruleCapsOnly.Observe(Ev("e2", 7, "view", T0.AddHours(1), 3), Consenting).Single().Kind);

        var withScenarioCap = Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: rules, Cap: "3d", Holdout: 0));
        Assert.Equal(DecisionKinds.Scheduled, withScenarioCap.Observe(Ev("e1", 7, "view", T0, 2), Consenting).Single().Kind);
        var other = withScenarioCap.Observe(Ev("e2", 7, "view", T0.AddDays(2), 3), Consenting).Single();
        Assert.Equal(DecisionKinds.Skipped, other.Kind);
        Assert.StartsWith("scenario cap", other.Reason);
        Assert.Equal(DecisionKinds.Scheduled, withScenarioCap.Observe(Ev("e3", 7, "view", T0.AddDays(3), 3), Consenting).Single().Kind);
    }

    [Fact]
    public void Delay_ThenTheCheckAtSendTime_SkipsWhenTheCustomerBoughtInBetween()
    {
        var engine = CrossSell(new CrossSellRule("r", "cart", [2], 10, RecommendCategories: [3], Delay: "1d"));
        engine.Observe(Ev("e1", 7, "cart", T0, 2), Consenting);
        engine.Observe(Ev("e2", 8, "cart", T0, 2), Consenting);
        engine.Observe(Ev("o1", 7, "order", T0.AddHours(6), 3), Consenting);      // customer 7 bought a chair
        engine.Observe(Ev("o2", 8, "order", T0.AddHours(6), 4), Consenting);      // customer 8 bought in another category
        var released = engine.Release(T0.AddDays(2)).OrderBy(d => d.Customer).ToList();
        Assert.Equal([DecisionKinds.Skipped, DecisionKinds.Sent], released.Select(d => d.Kind));
        Assert.Equal("already bought in the recommended categories", released[0].Reason);
    }

    [Fact]
    public void NoConsent_OrOutsideTheAudience_IsSkippedWithTheReason()
    {
        var engine = Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("r", "view", [2], 10)], Holdout: 0,
            Audience: new Audience(Languages: ["pl"], MinOrders: 1)));
        Assert.Equal("no email consent", engine.Observe(Ev("e1", 1, "view", T0, 2), Consenting with { Consent = false }).Single().Reason);
        Assert.StartsWith("audience: language de", engine.Observe(Ev("e2", 2, "view", T0, 2), Consenting with { Language = "de" }).Single().Reason);
        Assert.Equal(DecisionKinds.Scheduled, engine.Observe(Ev("e3", 3, "view", T0, 2), Consenting with { Language = "pl-PL" }).Single().Kind);
        Assert.StartsWith("audience: 0 orders", engine.Observe(Ev("e4", 4, "view", T0, 2), Consenting with { Orders = 0 }).Single().Reason);
    }

    [Fact]
    public void SegmentAudience_IncludesOnlyItsMembers_AndExcludesTheExcluded()
    {
        var engine = Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("r", "view", [2], 10)], Holdout: 0,
            Audience: new Audience(Segments: ["at-risk", "cant-lose"])));
        Assert.Equal(DecisionKinds.Scheduled, engine.Observe(Ev("e1", 1, "view", T0, 2), Consenting with { Segment = "at-risk" }).Single().Kind);
        Assert.Equal("audience: segment loyal not in at-risk, cant-lose", engine.Observe(Ev("e2", 2, "view", T0, 2), Consenting with { Segment = "loyal" }).Single().Reason);
        Assert.StartsWith("audience: segment none", engine.Observe(Ev("e3", 3, "view", T0, 2), Consenting).Single().Reason);
        var excluding = Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("r", "view", [2], 10)], Holdout: 0,
            Audience: new Audience(ExcludeSegments: ["champions"])));
        Assert.Equal("audience: segment champions is excluded", excluding.Observe(Ev("e4", 4, "view", T0, 2), Consenting with { Segment = "champions" }).Single().Reason);
        Assert.Equal(DecisionKinds.Scheduled, excluding.Observe(Ev("e5", 5, "view", T0, 2), Consenting).Single().Kind); // not scored: not excluded

        var errors = ScenarioValidator.Validate(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("r", "view", [2], 10)],
            Audience: new Audience(Segments: ["loyal", "vip"], ExcludeSegments: ["loyal"])));
        Assert.Contains(errors, e => e.Path == "customize.audience.segments[1]" && e.Error.Contains("champions", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "customize.audience.excludeSegments" && e.Error == "'loyal' is both included and excluded");
    }

    [Fact]
    public void Holdout_ShareIsWithinTwoPointsOfTheSetting_Over10000Customers_AndStableForACustomer()
    {
        foreach (var share in new[] { 0.05, 0.10, 0.25 })
        {
            var held = Enumerable.Range(1, 10_000).Count(c => ScenarioEngine.InHoldout(42, c, share));
            Assert.InRange(held / 10_000.0, share - 0.02, share + 0.02);
        }
        Assert.Equal(ScenarioEngine.InHoldout(42, 1234, 0.1), ScenarioEngine.InHoldout(42, 1234, 0.1));
        var engine = Engine(ScenarioKinds.CrossSell, new ScenarioDefinition(Rules: [new CrossSellRule("r", "view", [2], 10)], Holdout: 0.5));
        var kinds = Enumerable.Range(1, 200).Select(c => engine.Observe(Ev($"e{c}", c, "view", T0, 2), Consenting).Single().Kind).ToList();
        Assert.Contains(DecisionKinds.HeldOut, kinds);
        Assert.All(kinds, k => Assert.True(k is DecisionKinds.HeldOut or DecisionKinds.Scheduled));
    }

    [Theory]
    [InlineData("2026-03-02T22:30:00+01:00", "2026-03-03T08:00:00+01:00")] // late evening → next morning
    [InlineData("2026-03-03T03:00:00+01:00", "2026-03-03T08:00:00+01:00")] // night → same morning
    [InlineData("2026-03-03T12:00:00+01:00", "2026-03-03T12:00:00+01:00")] // allowed
    [InlineData("2026-03-29T06:00:00+02:00", "2026-03-29T08:00:00+02:00")] // the day summer time starts
    public void QuietHours_MoveASendToTheNextAllowedTime_InTheStoreTimeZone(string due, string expected)
    {
        var moved = ScenarioEngine.AfterQuietHours(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), new QuietHours(22, 8), Warsaw);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), moved);
    }

    [Theory]
    [InlineData(0, "low")]
    [InlineData(199.99, "low")]
    [InlineData(200, "mid")]
    [InlineData(500, "high")]
    [InlineData(1000, "top")]
    [InlineData(25000, "top")]
    public void Seed001_Step1_TierBoundaries_AValueOnABoundGoesToOneTierOnly(double value, string tier)
    {
        OrderTier[] tiers = [new("low", 0, 200, 1), new("mid", 200, 500, 2), new("high", 500, 1000, 3), new("top", 1000, null, 4)];
        Assert.Equal(tier, Assert.Single(tiers, t => t.Contains((decimal)value)).Id);
        var engine = Engine(ScenarioKinds.PostPurchase, new ScenarioDefinition(Tiers: tiers, Holdout: 0));
        var d = engine.Observe(new ScenarioEvent("o1", 7, "order", T0, [1], [2], (decimal)value, 55), Consenting).Single();
        Assert.Equal(tier, d.Rule);
    }

    [Fact]
    public void Seed001_Step1_DelayAfterPurchase_AndMinimumTimeBetweenMessages()
    {
        var engine = Engine(ScenarioKinds.PostPurchase, new ScenarioDefinition(Tiers: [new("all", 0, null, 1)], Delay: "2d", Cap: "7d", Holdout: 0));
        var first = engine.Observe(new ScenarioEvent("o1", 7, "order", T0, [1], [2], 50, 1), Consenting).Single();
        var second = engine.Observe(new ScenarioEvent("o2", 7, "order", T0.AddDays(3), [1], [2], 50, 2), Consenting).Single();
        var third = engine.Observe(new ScenarioEvent("o3", 7, "order", T0.AddDays(8), [1], [2], 50, 3), Consenting).Single();
        Assert.Equal(T0.AddDays(2), first.DueAt);
        Assert.StartsWith("scenario cap", second.Reason);
        Assert.Equal(DecisionKinds.Scheduled, third.Kind);
    }

    [Fact]
    public void Seed001_Step1_TiersMustNotOverlapOrLeaveGaps()
    {
        var overlap = ScenarioValidator.Validate(ScenarioKinds.PostPurchase, new ScenarioDefinition(Tiers: [new("a", 0, 300, 1), new("b", 200, null, 2)]));
        var gap = ScenarioValidator.Validate(ScenarioKinds.PostPurchase, new ScenarioDefinition(Tiers: [new("a", 0, 100, 1), new("b", 200, null, 2)]));
        var upside = ScenarioValidator.Validate(ScenarioKinds.PostPurchase, new ScenarioDefinition(Tiers: [new("a", 300, 100, 1)]));
        Assert.Contains(overlap, e => e.Path == "customize.tiers[1].from" && e.Error.Contains("overlaps", StringComparison.Ordinal));
        Assert.Contains(gap, e => e.Path == "customize.tiers[1].from" && e.Error.Contains("gap", StringComparison.Ordinal));
        Assert.Contains(upside, e => e.Path == "customize.tiers[0].to");
    }

    [Fact]
    public void Seed003_BounceBack_OfferThenReminderBeforeExpiry_RedemptionEndsTheReminder()
    {
        var def = new ScenarioDefinition(BounceBack: new BounceBackOffer(1, ValidDays: 14, ReminderMessageId: 2, ReminderDaysBeforeExpiry: 3), Delay: "1d", Holdout: 0);
        var engine = Engine(ScenarioKinds.BounceBack, def);
        var decisions = engine.Observe(new ScenarioEvent("o1", 7, "order", T0, [1], [2], 80, 1), Consenting);
        engine.Observe(new ScenarioEvent("o2", 8, "order", T0, [1], [2], 80, 2), Consenting);
        Assert.Equal(["offer", "reminder"], decisions.Select(d => d.Rule));
        Assert.Equal(T0.AddDays(1 + 11), decisions[1].DueAt);
        engine.Observe(new ScenarioEvent("o3", 7, "order", T0.AddDays(5), [1], [2], 30, 3), Consenting); // customer 7 came back
        var released = engine.Release(T0.AddDays(20));
        Assert.Equal("coupon already redeemed", released.Single(d => d.Customer == 7 && d.Rule == "reminder" && d.TriggerKey == "o1").Reason);
        Assert.Equal(DecisionKinds.Sent, released.Single(d => d.Customer == 8 && d.Rule == "reminder").Kind);
    }
}
