using System.Globalization;

namespace Cartwise.Core.Scenarios;

/// <summary>The kinds of scenario.</summary>
public static class ScenarioKinds
{
    /// <summary>Cross-selling after a view, an add to cart or an order in chosen categories (seed 000).</summary>
    public const string CrossSell = "cross_sell";
    /// <summary>A message after each purchase, by order-value tier (seed 001).</summary>
    public const string PostPurchase = "post_purchase";
    /// <summary>A coupon for the next order after a purchase, with an optional reminder before it expires (seed 003).</summary>
    public const string BounceBack = "bounce_back";

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<string> All { get; } = [CrossSell, PostPurchase, BounceBack];
}

/// <summary>The customer actions that can trigger a cross-selling rule.</summary>
public static class TriggerActions
{
    /// <summary>A product view.</summary>
    public const string View = "view";
    /// <summary>An add to cart.</summary>
    public const string Cart = "cart";
    /// <summary>An order.</summary>
    public const string Order = "order";

    /// <summary>The action of a tracked event name, or null when the name triggers nothing.</summary>
    public static string? Of(string eventName) => eventName switch
    {
        "view_item" => View,
        "add_to_cart" => Cart,
        "purchase" => Order,
        _ => null,
    };
}

/// <summary>Durations as marketers write them: <c>30m</c>, <c>12h</c>, <c>7d</c>, <c>2w</c>, or <c>0</c>.</summary>
public static class Durations
{
    /// <summary>Parses a duration; false when it is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (text == "0") return true;
        var unit = text[^1];
        if (!double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || n > 3650 * 24) return false;
        switch (unit)
        {
            case 'm': value = TimeSpan.FromMinutes(n); return true;
            case 'h': value = TimeSpan.FromHours(n); return true;
            case 'd': value = TimeSpan.FromDays(n); return true;
            case 'w': value = TimeSpan.FromDays(7 * n); return true;
            default: return false;
        }
    }

    /// <summary>A duration known to be valid (checked by validation), or <paramref name="fallback"/> when absent.</summary>
    public static TimeSpan Of(string? text, TimeSpan fallback) => TryParse(text, out var v) ? v : fallback;
}

/// <summary>
/// One cross-selling rule (seed 000): the action that triggers it, the trigger categories and how they combine (OR:
/// an action in any; AND: actions in all of them within <see cref="Window"/>), additional categories, what to
/// recommend (categories, or a strategy), the rule's own cap ("send no more often than once per"), the delay ("send
/// after") and its message.
/// </summary>
public sealed record CrossSellRule(
    string Id,
    string Trigger,
    IReadOnlyList<long> Categories,
    long MessageId,
    string Logic = "or",
    string? Window = "7d",
    IReadOnlyList<long>? AdditionalCategories = null,
    IReadOnlyList<long>? RecommendCategories = null,
    string? Strategy = null,
    string? Cap = null,
    string? Delay = null);

/// <summary>An order-value tier of a post-purchase scenario: from <see cref="From"/> (inclusive) to <see cref="To"/> (exclusive; null: no upper bound).</summary>
public sealed record OrderTier(string Id, decimal From, decimal? To, long MessageId)
{
    /// <summary>True when <paramref name="value"/> falls in this tier.</summary>
    public bool Contains(decimal value) => value >= From && (To is null || value < To);
}

/// <summary>A bounce-back offer: the message with a coupon, and an optional reminder so many days before the coupon expires.</summary>
public sealed record BounceBackOffer(long MessageId, int ValidDays = 14, long? ReminderMessageId = null, int? ReminderDaysBeforeExpiry = null);

/// <summary>
/// Who may receive the scenario's messages besides consent: languages, countries, number of orders, and RFM
/// segments (<see cref="Segments"/>: only their members; <see cref="ExcludeSegments"/>: never theirs), by key.
/// </summary>
public sealed record Audience(IReadOnlyList<string>? Languages = null, IReadOnlyList<string>? Countries = null, int? MinOrders = null, int? MaxOrders = null,
    IReadOnlyList<string>? Segments = null, IReadOnlyList<string>? ExcludeSegments = null)
{
    /// <summary>True when the audience looks at segments (the customer's current one must then be known).</summary>
    public bool BySegment => Segments is { Count: > 0 } || ExcludeSegments is { Count: > 0 };

    /// <summary>Why a customer in <paramref name="segment"/> (null: not scored) is outside the audience's segments, or null.</summary>
    public string? SegmentProblem(string? segment)
    {
        if (Segments is { Count: > 0 } include && (segment is null || !include.Contains(segment)))
            return $"audience: segment {segment ?? "none (not scored)"} not in {string.Join(", ", include)}";
        if (segment is not null && ExcludeSegments is { Count: > 0 } exclude && exclude.Contains(segment))
            return $"audience: segment {segment} is excluded";
        return null;
    }
}

/// <summary>No sends from <see cref="From"/>:00 to <see cref="To"/>:00 store time (wrapping midnight when From &gt; To).</summary>
public sealed record QuietHours(int From, int To);

/// <summary>
/// What a scenario does, as the seeds' "customize" step sets it. <see cref="Cap"/> is the scenario-wide cap (no
/// message of this scenario to the same person more often than once per X); <see cref="Delay"/> is the post-purchase
/// and bounce-back delay; <see cref="Holdout"/> the share of eligible customers who get nothing; <see cref="Tests"/>
/// the A/B tests of rules' or tiers' messages.
/// </summary>
public sealed record ScenarioDefinition(
    IReadOnlyList<CrossSellRule>? Rules = null,
    IReadOnlyList<OrderTier>? Tiers = null,
    BounceBackOffer? BounceBack = null,
    string? Delay = null,
    string? Cap = null,
    double Holdout = 0.10,
    QuietHours? QuietHours = null,
    Audience? Audience = null,
    IReadOnlyList<AbTest>? Tests = null);

/// <summary>Checks a definition for a kind; every error names its field.</summary>
public static class ScenarioValidator
{
    /// <summary>The problems of <paramref name="d"/> as (path, error) pairs.</summary>
    public static IReadOnlyList<(string Path, string Error)> Validate(string kind, ScenarioDefinition? d)
    {
        var errors = new List<(string, string)>();
        if (d is null)
        {
            errors.Add(("customize", "required"));
            return errors;
        }
        void Duration(string? value, string path)
        {
            if (value is not null && !Durations.TryParse(value, out _)) errors.Add((path, $"'{value}' is not a duration: write 30m, 12h, 7d, 2w or 0"));
        }
        if (d.Audience is { } audience)
        {
            void Texts(IReadOnlyList<string>? list, string path, string what)
            {
                if (list is null) return;
                for (var i = 0; i < list.Count; i++)
                    if (string.IsNullOrWhiteSpace(list[i])) errors.Add(($"{path}[{i}]", what));
            }
            Texts(audience.Languages, "customize.audience.languages", "a language tag such as en or pt-BR");
            Texts(audience.Countries, "customize.audience.countries", "an ISO 3166 country code such as PL");
            void Keys(IReadOnlyList<string>? list, string path)
            {
                if (list is null) return;
                for (var i = 0; i < list.Count; i++)
                    if (!Segments.Rfm.Segments.Any(s => s.Key == list[i]))
                        errors.Add(($"{path}[{i}]", $"a segment key: {string.Join(", ", Segments.Rfm.Segments.Select(s => s.Key))}"));
            }
            Keys(audience.Segments, "customize.audience.segments");
            Keys(audience.ExcludeSegments, "customize.audience.excludeSegments");
            if (audience.Segments?.Intersect(audience.ExcludeSegments ?? []).FirstOrDefault() is { } both)
                errors.Add(("customize.audience.excludeSegments", $"'{both}' is both included and excluded"));
            if (audience.MinOrders is < 0 || audience.MaxOrders is < 0 || audience.MinOrders > audience.MaxOrders)
                errors.Add(("customize.audience", "order counts of 0 or more, the minimum not above the maximum"));
        }
        Duration(d.Delay, "customize.delay");
        Duration(d.Cap, "customize.cap");
        if (d.Holdout is < 0 or > 0.5 || double.IsNaN(d.Holdout)) errors.Add(("customize.holdout", "a share between 0 and 0.5"));
        if (d.QuietHours is { } q && (q.From is < 0 or > 23 || q.To is < 0 or > 23 || q.From == q.To)) errors.Add(("customize.quietHours", "hours 0–23, from ≠ to"));
        switch (kind)
        {
            case ScenarioKinds.CrossSell:
                if (d.Rules is not { Count: > 0 }) errors.Add(("customize.rules", "a cross-selling scenario needs at least one rule"));
                else
                    for (var i = 0; i < d.Rules.Count; i++)
                    {
                        var r = d.Rules[i];
                        var p = $"customize.rules[{i}]";
                        if (r is null) { errors.Add((p, "a rule object")); continue; }
                        if (string.IsNullOrWhiteSpace(r.Id)) errors.Add((p + ".id", "required"));
                        else if (d.Rules.Take(i).Any(x => x?.Id == r.Id)) errors.Add((p + ".id", $"'{r.Id}' appears twice"));
                        if (r.Trigger is not (TriggerActions.View or TriggerActions.Cart or TriggerActions.Order)) errors.Add((p + ".trigger", "view, cart or order"));
                        if (r.Categories is not { Count: > 0 }) errors.Add((p + ".categories", "at least one trigger category"));
                        if (r.Logic is not ("or" or "and")) errors.Add((p + ".logic", "or or and"));
                        Duration(r.Window, p + ".window");
                        Duration(r.Cap, p + ".cap");
                        Duration(r.Delay, p + ".delay");
                        if (r.Strategy is not null && !Recommendations.Strategies.All.Contains(r.Strategy)) errors.Add((p + ".strategy", $"one of {string.Join(", ", Recommendations.Strategies.All)}"));
                    }
                break;
            case ScenarioKinds.PostPurchase:
                if (d.Tiers is not { Count: > 0 }) errors.Add(("customize.tiers", "a post-purchase scenario needs at least one tier"));
                else if (Enumerable.Range(0, d.Tiers.Count).FirstOrDefault(i => d.Tiers[i] is null, -1) is var hole and >= 0)
                    errors.Add(($"customize.tiers[{hole}]", "a tier object"));
                else
                {
                    for (var i = 0; i < d.Tiers.Count; i++)
                    {
                        var t = d.Tiers[i];
                        if (string.IsNullOrWhiteSpace(t.Id)) errors.Add(($"customize.tiers[{i}].id", "required"));
                        else if (d.Tiers.Take(i).Any(x => x.Id == t.Id)) errors.Add(($"customize.tiers[{i}].id", $"'{t.Id}' appears twice"));
                        if (t.From < 0) errors.Add(($"customize.tiers[{i}].from", "cannot be negative"));
                        if (t.To is { } to && to <= t.From) errors.Add(($"customize.tiers[{i}].to", $"must be above from ({t.From.ToString(CultureInfo.InvariantCulture)})"));
                    }
                    // Sorted by lower bound, each with its place in the request (errors name the tier as given).
                    var sorted = d.Tiers.Select((tier, index) => (Tier: tier, Index: index)).OrderBy(x => x.Tier.From).ToList();
                    for (var i = 1; i < sorted.Count; i++)
                    {
                        var previous = sorted[i - 1].Tier;
                        var (tier, index) = sorted[i];
                        if (previous.To is null || previous.To > tier.From)
                            errors.Add(($"customize.tiers[{index}].from", $"overlaps tier '{previous.Id}' ({Range(previous)})"));
                        else if (previous.To < tier.From)
                            errors.Add(($"customize.tiers[{index}].from", $"leaves a gap after tier '{previous.Id}' ({Range(previous)}): orders from {previous.To.Value.ToString(CultureInfo.InvariantCulture)} to {tier.From.ToString(CultureInfo.InvariantCulture)} would get nothing"));
                    }
                }
                break;
            case ScenarioKinds.BounceBack:
                if (d.BounceBack is not { } b) errors.Add(("customize.bounceBack", "required for a bounce-back scenario"));
                else
                {
                    if (b.ValidDays is < 1 or > 365) errors.Add(("customize.bounceBack.validDays", "between 1 and 365"));
                    if (b.ReminderMessageId is not null && b.ReminderDaysBeforeExpiry is not { } days) errors.Add(("customize.bounceBack.reminderDaysBeforeExpiry", "required with a reminder message"));
                    else if (b.ReminderDaysBeforeExpiry is { } r && (r < 1 || r >= b.ValidDays)) errors.Add(("customize.bounceBack.reminderDaysBeforeExpiry", $"between 1 and {b.ValidDays - 1}"));
                }
                break;
            default:
                errors.Add(("kind", $"one of {string.Join(", ", ScenarioKinds.All)}"));
                break;
        }
        errors.AddRange(AbTests.Validate(d.Tests, OwnMessages(kind, d).Select(m => m.Rule).ToHashSet(StringComparer.Ordinal)));
        return errors;
    }

    private static string Range(OrderTier t) =>
        $"{t.From.ToString(CultureInfo.InvariantCulture)}–{(t.To is { } to ? to.ToString(CultureInfo.InvariantCulture) : "∞")}";

    /// <summary>The messages a definition sends, with the rule or tier that sends each: its own, then the other variants of its A/B test.</summary>
    public static IEnumerable<(string Rule, long MessageId)> Messages(string kind, ScenarioDefinition d)
    {
        var own = OwnMessages(kind, d).ToList();
        var variants = (d.Tests ?? []).Where(t => t?.Variants is not null).SelectMany(t => t.Variants.Where(v => v is not null).Select(v => (t.Rule, v.MessageId)));
        return own.Concat(variants.Where(v => !own.Contains(v))).Distinct();
    }

    private static IEnumerable<(string Rule, long MessageId)> OwnMessages(string kind, ScenarioDefinition d) => kind switch
    {
        ScenarioKinds.CrossSell => (d.Rules ?? []).Where(r => r is not null).Select(r => (r.Id, r.MessageId)),
        ScenarioKinds.PostPurchase => (d.Tiers ?? []).Where(t => t is not null).Select(t => (t.Id, t.MessageId)),
        ScenarioKinds.BounceBack when d.BounceBack is { } b => b.ReminderMessageId is { } rm ? [("offer", b.MessageId), ("reminder", rm)] : [("offer", b.MessageId)],
        _ => [],
    };
}
