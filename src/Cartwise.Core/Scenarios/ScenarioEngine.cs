namespace Cartwise.Core.Scenarios;

/// <summary>A customer action as the engine sees it: products and their categories in catalogue ids.</summary>
/// <param name="Key">The triggering event's id (unique per store): with scenario, rule and customer it names a decision.</param>
public sealed record ScenarioEvent(string Key, long Customer, string Action, DateTimeOffset At, IReadOnlyList<long> Products,
    IReadOnlyList<long> Categories, decimal? Value = null, long? Order = null);

/// <summary>What the audience and consent checks need to know of the customer when the event comes.</summary>
public sealed record CustomerFacts(bool Consent, string? Language = null, string? Country = null, int Orders = 0, string? Segment = null);

/// <summary>A purchase after a trigger, for the check at send time.</summary>
public sealed record PurchaseFact(DateTimeOffset At, IReadOnlyList<long> Categories);

/// <summary>The kinds of decision.</summary>
public static class DecisionKinds
{
    /// <summary>A message will be sent at <see cref="Decision.DueAt"/> (unless the check at send time says otherwise).</summary>
    public const string Scheduled = "scheduled";
    /// <summary>In the holdout group: nothing is sent, on purpose.</summary>
    public const string HeldOut = "held_out";
    /// <summary>Triggered, but not sent; <see cref="Decision.Reason"/> says why.</summary>
    public const string Skipped = "skipped";
    /// <summary>Sent (or, in a simulation, would have been sent).</summary>
    public const string Sent = "sent";
}

/// <summary>
/// One decision of a scenario about one customer and one trigger, with the reason when nothing is sent and, when the
/// rule's message is under an A/B test, the variant whose message it is.
/// </summary>
public sealed record Decision(string Kind, string Rule, long Customer, string TriggerKey, DateTimeOffset At, DateTimeOffset? DueAt, string? Reason,
    long MessageId, long? Order, IReadOnlyList<long> Products, string? Variant = null);

/// <summary>
/// The decisions of one scenario, event by event: does the event trigger a rule or tier, is the customer in the
/// audience, consenting, held out, inside a cap; when is the message due (delay, then quiet hours). It keeps what it
/// needs of each customer's recent past in memory (actions for AND rules, purchases, the last scheduled sends for
/// caps). The same engine runs live (fed by the event worker, its scheduled decisions becoming outbox rows) and on
/// history (<see cref="Release"/> plays the send-time checks). Time is always passed in. Not thread-safe.
/// </summary>
public sealed class ScenarioEngine
{
    private readonly long _scenarioId;
    private readonly string _kind;
    private readonly ScenarioDefinition _def;
    private readonly Func<long, long, bool> _isWithin;
    private readonly TimeZoneInfo _zone;
    private readonly TimeSpan _cap;
    private readonly TimeSpan _memory;
    private readonly Dictionary<string, AbTest> _tests;
    private readonly IReadOnlyDictionary<string, string> _winners;
    private readonly Dictionary<long, CustomerState> _customers = [];
    private readonly PriorityQueue<Decision, DateTimeOffset> _pending = new();
    private readonly bool _replay;
    private readonly TimeSpan _delay;
    /// <summary>The categories the cross-selling rules name (trigger and additional), each a bit of an action's <see cref="Within"/> mask.</summary>
    private readonly long[] _targets;
    private readonly RuleView[] _rules;

    /// <summary>A rule with its durations parsed and its categories as bits of the <see cref="_targets"/> mask.</summary>
    private sealed record RuleView(CrossSellRule Rule, ulong[] Any, int[] Trigger, TimeSpan Delay, TimeSpan Cap, TimeSpan Window);

    private sealed class CustomerState
    {
        /// <summary>Recent actions, with the rule categories each was within (for AND rules).</summary>
        public readonly List<(string Action, DateTimeOffset At, ulong[] Within)> Actions = [];
        public readonly List<(DateTimeOffset At, long[] Categories)> Purchases = [];
        public readonly Dictionary<string, DateTimeOffset> LastByRule = [];
        public DateTimeOffset? Last;
    }

    /// <param name="isWithin">(category, ancestor) → true when the category is the ancestor or below it.</param>
    /// <param name="winners">Rule → the variant that won its A/B test (and gets every send from now on).</param>
    /// <param name="replay">
    /// On history: scheduled sends are held for <see cref="Release"/>. A live engine passes false: its sends are outbox
    /// rows, and holding them too would grow with every send for as long as the engine lives.
    /// </param>
    public ScenarioEngine(long scenarioId, string kind, ScenarioDefinition definition, Func<long, long, bool> isWithin, TimeZoneInfo zone,
        IReadOnlyDictionary<string, string>? winners = null, bool replay = true)
    {
        _replay = replay;
        _tests = (definition.Tests ?? []).GroupBy(t => t.Rule).ToDictionary(g => g.Key, g => g.First());
        _winners = winners ?? new Dictionary<string, string>();
        _scenarioId = scenarioId;
        _kind = kind;
        _def = definition;
        _isWithin = isWithin;
        _zone = zone;
        _cap = Durations.Of(definition.Cap, TimeSpan.Zero);
        var windows = (definition.Rules ?? []).Where(r => r.Logic == "and").Select(r => Durations.Of(r.Window, TimeSpan.FromDays(7)));
        var delays = (definition.Rules ?? []).Select(r => Durations.Of(r.Delay, TimeSpan.Zero)).Append(Durations.Of(definition.Delay, TimeSpan.Zero));
        _memory = new[] { TimeSpan.FromDays(7), windows.DefaultIfEmpty().Max(), delays.Max() + TimeSpan.FromDays(1) }.Max();
        _delay = Durations.Of(definition.Delay, TimeSpan.Zero);
        var rules = kind == ScenarioKinds.CrossSell ? definition.Rules ?? [] : [];
        _targets = rules.SelectMany(r => r.Categories.Concat(r.AdditionalCategories ?? [])).Distinct().ToArray();
        var bit = _targets.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        _rules = rules.Select(r =>
        {
            var any = new ulong[Words];
            foreach (var c in r.Categories.Concat(r.AdditionalCategories ?? [])) any[bit[c] >> 6] |= 1UL << (bit[c] & 63);
            return new RuleView(r, any, r.Categories.Select(c => bit[c]).Distinct().ToArray(), Durations.Of(r.Delay, TimeSpan.Zero),
                Durations.Of(r.Cap, TimeSpan.Zero), Durations.Of(r.Window, TimeSpan.FromDays(7)));
        }).ToArray();
    }

    private int Words => (_targets.Length + 63) / 64;

    /// <summary>
    /// Which of the rules' categories the given ones are within, as bits: worked out once per event, so that an AND
    /// rule looks at a customer's recent actions with a bit test each instead of walking the category tree again.
    /// </summary>
    private ulong[] Within(IReadOnlyList<long> categories)
    {
        if (_targets.Length == 0) return [];
        var mask = new ulong[Words];
        for (var i = 0; i < categories.Count; i++)
        {
            var of = WithinOf(categories[i]);
            for (var w = 0; w < mask.Length; w++) mask[w] |= of[w];
        }
        return mask;
    }

    /// <summary>The rule categories one category is within, worked out the first time it is seen (the tree is walked once per pair).</summary>
    private ulong[] WithinOf(long category)
    {
        if (_within.TryGetValue(category, out var known)) return known;
        var mask = new ulong[Words];
        for (var t = 0; t < _targets.Length; t++)
            if (_isWithin(category, _targets[t])) mask[t >> 6] |= 1UL << (t & 63);
        return _within[category] = mask;
    }

    private readonly Dictionary<long, ulong[]> _within = [];

    private static bool Has(ulong[] mask, int bit) => (mask[bit >> 6] & (1UL << (bit & 63))) != 0;

    private static bool Intersects(ulong[] a, ulong[] b)
    {
        for (var i = 0; i < a.Length; i++)
            if ((a[i] & b[i]) != 0) return true;
        return false;
    }

    /// <summary>Customers the engine holds state for.</summary>
    public int Customers => _customers.Count;

    /// <summary>How far back sends matter to the caps: the longest of the scenario's cap and its rules' caps.</summary>
    public TimeSpan CapHorizon => (_def.Rules ?? []).Select(r => Durations.Of(r.Cap, TimeSpan.Zero)).Append(_cap).Max();

    /// <summary>How far back actions matter: AND windows, delays (the send-time check looks at purchases since the trigger).</summary>
    public TimeSpan Memory => _memory;

    /// <summary>Records an event without deciding anything (rebuilding state after a restart).</summary>
    public void Remember(ScenarioEvent e) => Record(State(e.Customer), e);

    /// <summary>Records an already scheduled send (rebuilding caps after a restart).</summary>
    public void RememberScheduled(long customer, string rule, DateTimeOffset due)
    {
        var s = State(customer);
        if (!s.LastByRule.TryGetValue(rule, out var r) || r < due) s.LastByRule[rule] = due;
        if (s.Last is null || s.Last < due) s.Last = due;
    }

    /// <summary>The decisions one event leads to (none when it triggers nothing).</summary>
    public IReadOnlyList<Decision> Observe(ScenarioEvent e, CustomerFacts facts)
    {
        var state = State(e.Customer);
        var within = Record(state, e);
        var decisions = new List<Decision>();
        switch (_kind)
        {
            case ScenarioKinds.CrossSell:
                foreach (var rule in _rules)
                    if (rule.Rule.Trigger == e.Action && Matches(rule, state, e, within))
                        decisions.Add(Decide(state, e, facts, rule.Rule.Id, rule.Rule.MessageId, rule.Delay, rule.Cap));
                break;
            case ScenarioKinds.PostPurchase when e.Action == TriggerActions.Order:
            {
                var value = e.Value ?? 0m;
                var tier = (_def.Tiers ?? []).FirstOrDefault(t => t.Contains(value));
                decisions.Add(tier is null
                    ? new Decision(DecisionKinds.Skipped, "-", e.Customer, e.Key, e.At, null, $"order value {value} is in no tier", 0, e.Order, e.Products)
                    : Decide(state, e, facts, tier.Id, tier.MessageId, _delay, TimeSpan.Zero));
                break;
            }
            case ScenarioKinds.BounceBack when e.Action == TriggerActions.Order && _def.BounceBack is { } offer:
            {
                var first = Decide(state, e, facts, "offer", offer.MessageId, _delay, TimeSpan.Zero);
                decisions.Add(first);
                if (first.Kind == DecisionKinds.Scheduled && offer.ReminderMessageId is { } reminder && offer.ReminderDaysBeforeExpiry is { } before)
                {
                    var due = AfterQuietHours(first.DueAt!.Value.AddDays(offer.ValidDays - before), _def.QuietHours, _zone);
                    var r = new Decision(DecisionKinds.Scheduled, "reminder", e.Customer, e.Key, e.At, due, null, reminder, e.Order, e.Products);
                    if (_replay) _pending.Enqueue(r, due);
                    decisions.Add(r);
                }
                break;
            }
        }
        return decisions;
    }

    private Decision Decide(CustomerState state, ScenarioEvent e, CustomerFacts facts, string rule, long message, TimeSpan delay, TimeSpan ruleCap)
    {
        var own = message;
        string? variant = null;
        if (_tests.TryGetValue(rule, out var test))
        {
            var v = AbTests.Assign(_scenarioId, test, e.Customer, _winners.GetValueOrDefault(rule));
            (variant, message) = (v.Id, v.MessageId);
        }
        Decision Skip(string reason) => new(DecisionKinds.Skipped, rule, e.Customer, e.Key, e.At, null, reason, message, e.Order, e.Products, variant);
        if (!facts.Consent) return Skip("no email consent");
        if (AudienceProblem(facts) is { } outside) return Skip(outside);
        if (InHoldout(_scenarioId, e.Customer, _def.Holdout))
            return new Decision(DecisionKinds.HeldOut, rule, e.Customer, e.Key, e.At, null, $"holdout group ({_def.Holdout:P0})", own, e.Order, e.Products);
        var due = AfterQuietHours(e.At + delay, _def.QuietHours, _zone);
        if (ruleCap > TimeSpan.Zero && state.LastByRule.TryGetValue(rule, out var lastRule) && (due - lastRule).Duration() < ruleCap)
            return Skip($"rule cap: a message of rule '{rule}' is due {lastRule:yyyy-MM-dd HH:mm} UTC, once per {ruleCap.TotalHours:0.#} h");
        if (_cap > TimeSpan.Zero && state.Last is { } last && (due - last).Duration() < _cap)
            return Skip($"scenario cap: a message of this scenario is due {last:yyyy-MM-dd HH:mm} UTC, once per {_cap.TotalHours:0.#} h");
        state.LastByRule[rule] = due;
        state.Last = due;
        var d = new Decision(DecisionKinds.Scheduled, rule, e.Customer, e.Key, e.At, due, due > e.At + delay ? "moved out of quiet hours" : null, message, e.Order, e.Products, variant);
        if (_replay) _pending.Enqueue(d, due);
        return d;
    }

    private string? AudienceProblem(CustomerFacts f)
    {
        if (_def.Audience is not { } a) return null;
        if (a.Languages is { Count: > 0 } langs && !langs.Any(l => string.Equals(l, f.Language, StringComparison.OrdinalIgnoreCase)
                || (f.Language is { } fl && fl.StartsWith(l + "-", StringComparison.OrdinalIgnoreCase))))
            return $"audience: language {f.Language ?? "unknown"} not in {string.Join(", ", langs)}";
        if (a.Countries is { Count: > 0 } countries && !countries.Any(c => string.Equals(c, f.Country, StringComparison.OrdinalIgnoreCase)))
            return $"audience: country {f.Country ?? "unknown"} not in {string.Join(", ", countries)}";
        if (a.MinOrders is { } min && f.Orders < min) return $"audience: {f.Orders} orders, fewer than {min}";
        if (a.MaxOrders is { } max && f.Orders > max) return $"audience: {f.Orders} orders, more than {max}";
        return a.SegmentProblem(f.Segment);
    }

    /// <param name="within">The rule categories the event's categories are within.</param>
    private static bool Matches(RuleView rule, CustomerState state, ScenarioEvent e, ulong[] within)
    {
        if (!Intersects(within, rule.Any)) return false;
        if (rule.Rule.Logic != "and") return true;
        // AND: an action of this kind in every trigger category within the window (this event included).
        var since = Before(e.At, rule.Window);
        foreach (var category in rule.Trigger)
        {
            var found = false;
            foreach (var a in state.Actions)
                if (a.Action == rule.Rule.Trigger && a.At >= since && a.At <= e.At && Has(a.Within, category))
                {
                    found = true;
                    break;
                }
            if (!found) return false;
        }
        return true;
    }

    /// <summary>
    /// The check made when a message is due: null to send, else the reason to skip. A cross-selling message is skipped
    /// when the customer bought, after the trigger, in the categories it recommends (any purchase when it recommends
    /// by strategy); a bounce-back reminder when the coupon was redeemed.
    /// </summary>
    public string? RecheckReason(string rule, DateTimeOffset triggerAt, IEnumerable<PurchaseFact> purchasesSinceTrigger, bool couponRedeemed) =>
        RecheckReason(_kind, _def, _isWithin, rule, triggerAt, purchasesSinceTrigger, couponRedeemed);

    /// <summary>The same check without an engine: what the outbox asks when a live message is due.</summary>
    /// <param name="isWithin">(category, ancestor) → true when the category is the ancestor or below it; asked only for cross-selling purchases.</param>
    public static string? RecheckReason(string kind, ScenarioDefinition definition, Func<long, long, bool> isWithin, string rule, DateTimeOffset triggerAt,
        IEnumerable<PurchaseFact> purchasesSinceTrigger, bool couponRedeemed)
    {
        switch (kind)
        {
            case ScenarioKinds.CrossSell:
            {
                var r = (definition.Rules ?? []).FirstOrDefault(x => x.Id == rule);
                if (r is null) return "the rule was removed";
                var after = purchasesSinceTrigger.Where(p => p.At > triggerAt).ToList();
                if (r.RecommendCategories is { Count: > 0 } rec)
                {
                    if (after.Any(p => p.Categories.Any(c => rec.Any(t => isWithin(c, t))))) return "already bought in the recommended categories";
                }
                else if (after.Count > 0) return "bought since the trigger";
                return null;
            }
            case ScenarioKinds.BounceBack when rule == "reminder":
                return couponRedeemed ? "coupon already redeemed" : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// On history: the scheduled sends due by <paramref name="until"/>, each checked as at send time against what the
    /// engine saw since (purchases), becoming sent or skipped decisions.
    /// </summary>
    public IReadOnlyList<Decision> Release(DateTimeOffset until)
    {
        var done = new List<Decision>();
        while (_pending.TryPeek(out var d, out var due) && due <= until)
        {
            _pending.Dequeue();
            var state = State(d.Customer);
            var purchases = state.Purchases.Where(p => p.At > d.At && p.At <= due).Select(p => new PurchaseFact(p.At, p.Categories));
            // On history there are no codes: an order after the offer went out stands for its redemption.
            var redeemed = d.Rule == "reminder" && state.Purchases.Any(p => p.At > d.At && p.At <= due);
            var reason = RecheckReason(d.Rule, d.At, purchases, redeemed);
            done.Add(d with { Kind = reason is null ? DecisionKinds.Sent : DecisionKinds.Skipped, Reason = reason });
        }
        return done;
    }

    /// <summary>
    /// Deterministic holdout: a hash of (scenario, customer) mapped to [0, 1), so a customer stays in or out of a
    /// scenario's holdout for good, and independently across scenarios.
    /// </summary>
    public static bool InHoldout(long scenarioId, long customer, double share) =>
        share > 0 && Hashing.Unit(unchecked((ulong)scenarioId * 0x9E3779B97F4A7C15UL), customer) < share;

    /// <summary>The first moment at or after <paramref name="due"/> outside the quiet hours, in the store's time zone.</summary>
    public static DateTimeOffset AfterQuietHours(DateTimeOffset due, QuietHours? quiet, TimeZoneInfo zone)
    {
        if (quiet is null) return due;
        var local = TimeZoneInfo.ConvertTime(due, zone);
        var hour = local.Hour;
        var inside = quiet.From < quiet.To ? hour >= quiet.From && hour < quiet.To : hour >= quiet.From || hour < quiet.To;
        if (!inside) return due;
        var day = local.Date;
        if (quiet.From > quiet.To && hour >= quiet.From) day = day.AddDays(1);
        var opening = day.AddHours(quiet.To);
        var offset = zone.GetUtcOffset(opening);
        return new DateTimeOffset(opening, offset).ToUniversalTime();
    }

    private CustomerState State(long customer)
    {
        if (!_customers.TryGetValue(customer, out var s)) _customers[customer] = s = new CustomerState();
        return s;
    }

    private ulong[] Record(CustomerState s, ScenarioEvent e)
    {
        var within = Within(e.Categories);
        s.Actions.Add((e.Action, e.At, within));
        if (e.Action == TriggerActions.Order) s.Purchases.Add((e.At, e.Categories.ToArray()));
        // Only the recent past matters: AND windows, delays and caps.
        var horizon = Before(e.At, _memory + (_cap > TimeSpan.Zero ? _cap : TimeSpan.Zero));
        if (s.Actions.Count > 64 && s.Actions[0].At < horizon) s.Actions.RemoveAll(a => a.At < horizon);
        if (s.Purchases.Count > 64 && s.Purchases[0].At < horizon) s.Purchases.RemoveAll(p => p.At < horizon);
        return within;
    }

    /// <summary><paramref name="at"/> minus <paramref name="span"/>, or the earliest time when that is before it (never throws).</summary>
    private static DateTimeOffset Before(DateTimeOffset at, TimeSpan span) =>
        at.UtcTicks - DateTimeOffset.MinValue.UtcTicks > span.Ticks ? at - span : DateTimeOffset.MinValue;
}
