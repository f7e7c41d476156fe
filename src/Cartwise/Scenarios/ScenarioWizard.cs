using System.Globalization;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cartwise.Scenarios;

/// <summary>
/// The admin app's scenario wizard (seeds 000 and 001): its steps, in their order, each its own address under
/// <c>/scenarios/{id}</c>, the words for kinds and states, the starting definition of a new scenario, and the
/// scenario described in plain words. Pages call the API's handlers for every change and figure.
/// </summary>
public static class ScenarioWizard
{
    /// <summary>A step: its address under the scenario (empty: the overview) and its name.</summary>
    public sealed record WizardStep(string Slug, string Name);

    public static IReadOnlyList<WizardStep> Steps { get; } =
    [
        new("", "Overview"), new("customize", "Customize"), new("languages", "Languages"), new("sender", "Sender"),
        new("design", "Design"), new("coupons", "Coupons"), new("summary", "Summary"), new("reports", "Reports"),
    ];

    /// <summary>The address of a step of a scenario.</summary>
    public static string Url(long id, string slug) => slug.Length == 0 ? $"/scenarios/{id}" : $"/scenarios/{id}/{slug}";

    /// <summary>The step after <paramref name="slug"/>, or null after the last.</summary>
    public static WizardStep? Next(string slug)
    {
        var i = Steps.ToList().FindIndex(s => s.Slug == slug);
        return i >= 0 && i + 1 < Steps.Count ? Steps[i + 1] : null;
    }

    /// <summary>The step a summary problem belongs to, by its path (customize.rules[0].cap, design.rule1, coupons.offer, senderId, languages[0]).</summary>
    public static WizardStep ProblemStep(string path)
    {
        var head = path.Split('.', '[')[0];
        return Steps.FirstOrDefault(s => s.Slug.Length > 0 && string.Equals(s.Slug, head, StringComparison.OrdinalIgnoreCase))
            ?? (head == "senderId" ? Steps[3] : Steps[1]);
    }

    /// <summary>The address of the step and field a problem names: a rule's or tier's message or coupon opens its menu entry.</summary>
    public static string ProblemUrl(long id, string path)
    {
        var step = ProblemStep(path);
        if (step.Slug is "design" or "coupons" && path.IndexOf('.', StringComparison.Ordinal) is var dot and > 0)
            return Url(id, step.Slug) + "?rule=" + Uri.EscapeDataString(path[(dot + 1)..]);
        if (step.Slug == "customize" && path.StartsWith("customize.", StringComparison.Ordinal))
            return Url(id, step.Slug) + "#" + FieldAnchor(path);
        return Url(id, step.Slug);
    }

    /// <summary>The element id of a field path on the customize step (customize.rules[1].cap → at-customize-rules-1--cap), the rule's or tier's box for deeper paths.</summary>
    public static string FieldAnchor(string path)
    {
        var m = System.Text.RegularExpressions.Regex.Match(path, @"^customize\.(rules|tiers)\[\d+\]");
        var target = m.Success ? m.Value : path;
        return "at-" + new string(target.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
    }

    /// <summary>The word for a kind of scenario.</summary>
    public static string KindName(string kind) => kind switch
    {
        ScenarioKinds.CrossSell => "Cross-selling",
        ScenarioKinds.PostPurchase => "Post-purchase",
        ScenarioKinds.BounceBack => "Bounce-back",
        _ => kind,
    };

    /// <summary>The word for a state.</summary>
    public static string StateName(string state) => state switch
    {
        ScenarioStates.Draft => "Draft",
        ScenarioStates.Active => "Active",
        ScenarioStates.Paused => "Paused",
        ScenarioStates.Archived => "Archived",
        _ => state,
    };

    /// <summary>The words for the trigger actions of a cross-selling rule.</summary>
    public static string TriggerName(string trigger) => trigger switch
    {
        TriggerActions.View => "a product view",
        TriggerActions.Cart => "an add to cart",
        TriggerActions.Order => "an order",
        _ => trigger,
    };

    /// <summary>What each kind does, as the overview page (seed 001's first page) says it.</summary>
    public static string KindExplained(string kind) => kind switch
    {
        ScenarioKinds.CrossSell => "After a customer views, adds to the cart or orders a product of chosen categories, this scenario sends an email recommending products that go with it. Each rule has its own trigger, categories, caps, delay and message.",
        ScenarioKinds.PostPurchase => "After every purchase, this scenario sends one email chosen by the order's value: a thank-you, a coupon for the next order or recommendations. Each value tier has its own message.",
        ScenarioKinds.BounceBack => "After a purchase, this scenario sends a coupon for the next order, valid for a number of days, and if wanted a reminder before it expires.",
        _ => "",
    };

    /// <summary>
    /// The definition a new scenario starts from, valid in shape so it can be saved and changed step by step: a
    /// cross-selling rule on the store's largest category after an order, the post-purchase tiers the store's order
    /// values suggest, a 14-day bounce-back offer. Messages are chosen in the design step. Null when the store has no
    /// category yet (a cross-selling rule needs one).
    /// </summary>
    public static async Task<ScenarioDefinition?> StarterAsync(CartwiseDb db, string kind, CancellationToken ct)
    {
        switch (kind)
        {
            case ScenarioKinds.CrossSell:
                var largest = await db.Products.AsNoTracking().Where(p => p.CategoryId != null).GroupBy(p => p.CategoryId!.Value)
                    .OrderByDescending(g => g.Count()).Select(g => (long?)g.Key).FirstOrDefaultAsync(ct);
                return largest is { } category
                    ? new ScenarioDefinition(Rules: [new CrossSellRule("rule1", TriggerActions.Order, [category], 0, Strategy: Core.Recommendations.Strategies.BoughtTogether, Cap: "7d", Delay: "1d")], Cap: "3d")
                    : null;
            case ScenarioKinds.PostPurchase:
                var suggestion = (await ScenarioEndpoints.SuggestTiersAsync(db, ct)).Value!;
                return new ScenarioDefinition(Tiers: suggestion.Tiers, Delay: "1d", Cap: "7d");
            case ScenarioKinds.BounceBack:
                return new ScenarioDefinition(BounceBack: new BounceBackOffer(0, 14), Delay: "1d");
            default:
                return null;
        }
    }

    /// <summary>
    /// A message of the scenario as the design, coupons and reports menus list it: a rule's own (<see cref="Key"/> is
    /// the rule), or another variant of its A/B test (<c>rule/variant</c>).
    /// </summary>
    public sealed record MessageChoice(string Key, string Rule, string? Variant, long MessageId);

    /// <summary>Every message of the scenario, each rule's own first, then its test's other variants.</summary>
    public static List<MessageChoice> Choices(string kind, ScenarioDefinition d)
    {
        var result = new List<MessageChoice>();
        foreach (var (rule, id) in ScenarioValidator.Messages(kind, d))
        {
            var variant = d.Tests?.FirstOrDefault(t => t?.Rule == rule)?.Variants?.FirstOrDefault(v => v?.MessageId == id)?.Id;
            var own = !result.Any(c => c.Rule == rule);
            result.Add(new MessageChoice(own ? rule : $"{rule}/{variant}", rule, variant, id));
        }
        return result;
    }

    /// <summary>The rule of a menu key (<c>rule</c> or <c>rule/variant</c>).</summary>
    public static string? RuleOf(string? key) => key?.Split('/')[0];

    /// <summary>A rule, tier, offer or reminder in words, with its variant when given ("Tier high, variant B").</summary>
    public static string RuleName(string kind, string rule, string? variant, IStringLocalizer t)
    {
        var name = kind switch
        {
            ScenarioKinds.CrossSell => string.Format(CultureInfo.CurrentCulture, t["Rule {0}"], rule),
            ScenarioKinds.PostPurchase => string.Format(CultureInfo.CurrentCulture, t["Tier {0}"], rule),
            _ => rule == "reminder" ? t["The reminder"] : t["The offer"],
        };
        return variant is null ? name : string.Format(CultureInfo.CurrentCulture, t["{0}, variant {1}"], name, variant);
    }

    /// <summary>An A/B test's metric as a label ("Open rate").</summary>
    public static string MetricName(string metric, IStringLocalizer t) => metric switch
    {
        AbMetrics.OpenRate => t["Open rate"],
        AbMetrics.ClickRate => t["Click rate"],
        AbMetrics.Orders => t["Orders per recipient"],
        _ => t["Revenue per recipient"],
    };

    /// <summary>An A/B test's metric inside a sentence ("decided on the open rate").</summary>
    public static string MetricWords(string metric, IStringLocalizer t) => metric switch
    {
        AbMetrics.OpenRate => t["the open rate"],
        AbMetrics.ClickRate => t["the click rate"],
        AbMetrics.Orders => t["the orders per recipient"],
        _ => t["the revenue per recipient"],
    };

    /// <summary>A difference on a test's metric: points for rates, an amount for revenue per recipient.</summary>
    public static string MetricDifference(string metric, double value) =>
        metric == AbMetrics.RevenuePerRecipient ? value.ToString("N2", CultureInfo.CurrentCulture) : (value * 100).ToString("0.0", CultureInfo.CurrentCulture) + " pp";

    /// <summary>What a test's interval chart shows, in words: the leader against the runner-up with the 95% interval.</summary>
    public static string IntervalCaption(AbTestReport r, IStringLocalizer t) =>
        string.Format(CultureInfo.CurrentCulture, t["{0} against {1} on {2}: {3}, 95% interval {4} to {5}; the vertical line is zero"], r.Leader, r.RunnerUp,
            MetricName(r.Metric, t), MetricDifference(r.Metric, r.Difference), MetricDifference(r.Metric, r.Low), MetricDifference(r.Metric, r.High));

    /// <summary>The definition with the A/B test of <paramref name="rule"/> replaced (null: the test removed).</summary>
    public static ScenarioDefinition WithTest(ScenarioDefinition d, string rule, AbTest? test)
    {
        var tests = (d.Tests ?? []).Where(t => t.Rule != rule).ToList();
        if (test is not null) tests.Add(test);
        return d with { Tests = tests.Count == 0 ? null : tests };
    }

    /// <summary>The definition with <paramref name="messageId"/> as the message of a rule, tier, or the bounce-back's offer or reminder.</summary>
    public static ScenarioDefinition WithMessage(string kind, ScenarioDefinition d, string rule, long messageId)
    {
        // Under an A/B test the rule's message is its first variant: it follows.
        if (d.Tests?.FirstOrDefault(t => t.Rule == rule) is { Variants.Count: > 0 } test)
            d = WithTest(d, rule, test with { Variants = [test.Variants[0] with { MessageId = messageId }, .. test.Variants.Skip(1)] });
        return WithOwnMessage(kind, d, rule, messageId);
    }

    private static ScenarioDefinition WithOwnMessage(string kind, ScenarioDefinition d, string rule, long messageId) => kind switch
    {
        ScenarioKinds.CrossSell => d with { Rules = (d.Rules ?? []).Select(r => r.Id == rule ? r with { MessageId = messageId } : r).ToList() },
        ScenarioKinds.PostPurchase => d with { Tiers = (d.Tiers ?? []).Select(t => t.Id == rule ? t with { MessageId = messageId } : t).ToList() },
        ScenarioKinds.BounceBack when d.BounceBack is { } b => d with
        {
            BounceBack = rule == "reminder" ? b with { ReminderMessageId = messageId } : b with { MessageId = messageId },
        },
        _ => d,
    };

    /// <summary>
    /// The message a rule or tier starts from, one variant per language of the scenario: a heading, a greeting, and
    /// what the kind is about (RECOMMENDED with the rule's strategy, PURCHASED, or a COUPON), a button and the footer.
    /// </summary>
    public static Messages.MessageRequest StarterMessage(Scenario s, ScenarioDefinition d, string rule)
    {
        var languages = s.Languages is { Length: > 0 } l ? l.Split(',').ToList() : ["en"];
        var crossSell = (d.Rules ?? []).FirstOrDefault(r => r.Id == rule);
        var strategy = crossSell?.Strategy ?? Core.Recommendations.Strategies.BoughtTogether;
        List<Core.Messages.Block> blocks = s.Kind switch
        {
            // After an order, what was bought comes first (seed 000: "you bought X, these go with it").
            ScenarioKinds.CrossSell when crossSell?.Trigger == TriggerActions.Order =>
            [
                new(Core.Messages.BlockTypes.Heading, Text: "Picked for you"),
                new(Core.Messages.BlockTypes.Text, Text: "Hello {{ customer.first_name | default: 'there' }}, thank you for your order. You bought:"),
                new(Core.Messages.BlockTypes.Purchased, Limit: 6),
                new(Core.Messages.BlockTypes.Recommended, Title: "These go well with it", Strategy: strategy, Limit: 6),
            ],
            ScenarioKinds.CrossSell =>
            [
                new(Core.Messages.BlockTypes.Heading, Text: "Picked for you"),
                new(Core.Messages.BlockTypes.Text, Text: "Hello {{ customer.first_name | default: 'there' }}, these go well with what you looked at."),
                new(Core.Messages.BlockTypes.Recommended, Title: "You may also like", Strategy: strategy, Limit: 6),
            ],
            ScenarioKinds.PostPurchase =>
            [
                new(Core.Messages.BlockTypes.Heading, Text: "Thank you, {{ customer.first_name | default: 'friend' }}!"),
                new(Core.Messages.BlockTypes.Text, Text: "Your order {{ order.id }} ({{ order.total }}) is on its way. Here is what you bought:"),
                new(Core.Messages.BlockTypes.Purchased, Limit: 6),
                new(Core.Messages.BlockTypes.Bestsellers, Title: "Our bestsellers", Limit: 3),
            ],
            _ when rule == "reminder" =>
            [
                new(Core.Messages.BlockTypes.Heading, Text: "Your coupon expires soon"),
                new(Core.Messages.BlockTypes.Text, Text: "Your code {{ coupon.code }} is still yours until {{ coupon.expires_on }}: {{ coupon.days_left }} days left."),
            ],
            _ =>
            [
                new(Core.Messages.BlockTypes.Heading, Text: "A gift for your next order"),
                // A COUPON block needs the message's coupon source, chosen in the coupons step; the code in text does not.
                new(Core.Messages.BlockTypes.Text, Text: "Your code for the next order: {{ coupon.code }}, valid until {{ coupon.expires_on }}."),
            ],
        };
        blocks.Add(new(Core.Messages.BlockTypes.Button, Text: "Visit the shop", Url: "https://shop.example/"));
        blocks.Add(new(Core.Messages.BlockTypes.Footer));
        var subject = s.Kind switch
        {
            ScenarioKinds.CrossSell => "Something that goes with it",
            ScenarioKinds.PostPurchase => "Thank you for your order",
            _ => rule == "reminder" ? "Your coupon expires soon" : "A coupon for your next order",
        };
        return new Messages.MessageRequest($"{s.Name}: {rule}", languages[0], null,
            languages.Select(language => new Core.Messages.MessageVariant(language, subject, null, blocks)).ToList(), null);
    }

    /// <summary>A duration as a marketer reads it ("7d" → "7 days").</summary>
    public static string Duration(string? text, IStringLocalizer t)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "0") return t["no wait"];
        var n = text[..^1];
        return text[^1] switch
        {
            'm' => string.Format(CultureInfo.CurrentCulture, t["{0} minutes"], n),
            'h' => string.Format(CultureInfo.CurrentCulture, t["{0} hours"], n),
            'd' => string.Format(CultureInfo.CurrentCulture, t["{0} days"], n),
            'w' => string.Format(CultureInfo.CurrentCulture, t["{0} weeks"], n),
            _ => text,
        };
    }

    /// <summary>
    /// The scenario in plain words, one sentence a line: what triggers each rule or tier, what it sends and when, the
    /// caps, quiet hours, holdout and audience.
    /// </summary>
    public static List<string> Describe(Scenario s, ScenarioDefinition d, IReadOnlyDictionary<long, string> categories, IReadOnlyDictionary<long, string> messages,
        string currency, IStringLocalizer t)
    {
        var lines = new List<string>();
        string Names(IEnumerable<long>? ids) => string.Join(", ", (ids ?? []).Select(id => categories.GetValueOrDefault(id, "#" + id.ToString(CultureInfo.InvariantCulture))));
        string Message(long id) => id == 0 ? t["no message chosen yet"] : messages.GetValueOrDefault(id, "#" + id.ToString(CultureInfo.InvariantCulture));
        string F(string format, params object?[] args) => string.Format(CultureInfo.CurrentCulture, t[format], args);
        switch (s.Kind)
        {
            case ScenarioKinds.CrossSell:
                foreach (var r in d.Rules ?? [])
                {
                    var where = r.Logic == "and" && r.Categories.Count > 1
                        ? F("in each of {0} within {1}", Names(r.Categories), Duration(r.Window, t))
                        : F("in {0}", Names(r.Categories));
                    var what = r.RecommendCategories is { Count: > 0 } rc ? F("products of {0}", Names(rc)) : F("products chosen by the {0} strategy", r.Strategy ?? Core.Recommendations.Strategies.BoughtTogether);
                    lines.Add(F("Rule {0}: after {1} {2}, send \"{3}\" recommending {4}, {5} later, at most once every {6}.",
                        r.Id, t[TriggerName(r.Trigger)], where, Message(r.MessageId), what, Duration(r.Delay, t), Duration(r.Cap, t)));
                    if (r.AdditionalCategories is { Count: > 0 } extra) lines.Add(F("Rule {0} also counts actions in {1}.", r.Id, Names(extra)));
                }
                if (d.Cap is not null) lines.Add(F("No message of this scenario goes to the same customer more often than once every {0}.", Duration(d.Cap, t)));
                break;
            case ScenarioKinds.PostPurchase:
                foreach (var tier in (d.Tiers ?? []).OrderBy(x => x.From))
                    lines.Add(F("Orders from {0} to {1} {2} get \"{3}\".", tier.From.ToString("N2", CultureInfo.CurrentCulture),
                        tier.To is { } to ? to.ToString("N2", CultureInfo.CurrentCulture) : "∞", currency, Message(tier.MessageId)));
                lines.Add(F("Each is sent {0} after the purchase, at most once every {1} to the same customer.", Duration(d.Delay, t), Duration(d.Cap, t)));
                break;
            case ScenarioKinds.BounceBack when d.BounceBack is { } b:
                lines.Add(F("{0} after each purchase, \"{1}\" offers a coupon valid for {2} days.", Duration(d.Delay, t), Message(b.MessageId), b.ValidDays));
                if (b.ReminderMessageId is { } reminder) lines.Add(F("{0} days before it expires, an unused coupon is recalled by \"{1}\".", b.ReminderDaysBeforeExpiry ?? 0, Message(reminder)));
                break;
        }
        foreach (var test in d.Tests ?? [])
            lines.Add(F("{0} tests {1}: once each variant has {2} recipients, the one ahead on {3} beyond chance (95% interval) gets every later send.",
                RuleName(s.Kind, test.Rule, null, t),
                string.Join(", ", test.Variants.Select(v => $"{v.Id} \"{Message(v.MessageId)}\" {v.Share.ToString("P0", CultureInfo.CurrentCulture)}")),
                test.MinRecipients.ToString("N0", CultureInfo.CurrentCulture),
                MetricWords(test.Metric, t)));
        if (d.QuietHours is { } q) lines.Add(F("Nothing is sent from {0}:00 to {1}:00 (store time): such messages wait.", q.From, q.To));
        lines.Add(d.Holdout > 0
            ? F("{0} of the customers who would get a message are held out at random, to measure what the messages earn.", d.Holdout.ToString("P0", CultureInfo.CurrentCulture))
            : t["No holdout group: what the messages earn cannot be measured against customers who got nothing."]);
        if (d.Audience is { } a)
        {
            if (a.Languages is { Count: > 0 } l) lines.Add(F("Only customers whose language is {0}.", string.Join(", ", l)));
            if (a.Countries is { Count: > 0 } c) lines.Add(F("Only customers in {0}.", string.Join(", ", c)));
            if (a.MinOrders is not null || a.MaxOrders is not null)
                lines.Add(F("Only customers with {0} to {1} orders before.", a.MinOrders ?? 0, a.MaxOrders is { } max ? max.ToString(CultureInfo.CurrentCulture) : "∞"));
            string Segments(IEnumerable<string> keys) => string.Join(", ", keys.Select(k => t[Core.Segments.Rfm.Segments.FirstOrDefault(x => x.Key == k)?.Name ?? k].Value));
            if (a.Segments is { Count: > 0 } inc) lines.Add(F("Only customers in the segments {0} (checked again when a message is due).", Segments(inc)));
            if (a.ExcludeSegments is { Count: > 0 } exc) lines.Add(F("Never customers in the segments {0}.", Segments(exc)));
        }
        lines.Add(s.Languages is { Length: > 0 } langs ? F("Messages are written in {0}.", langs.Replace(",", ", ", StringComparison.Ordinal)) : t["One message for everyone, in each message's default language."]);
        return lines;
    }

    /// <summary>When the store's history ends (its newest event; now when it has none): reach and simulations look back from there.</summary>
    public static async Task<DateTimeOffset> HistoryEndAsync(CartwiseDb db, TimeProvider clock) =>
        await db.Events.MaxAsync(e => (DateTimeOffset?)e.OccurredAt) ?? clock.GetUtcNow();

    /// <summary>The names of the store's categories (full paths) and messages, for the words above.</summary>
    public static async Task<(Dictionary<long, string> Categories, Dictionary<long, string> Messages)> NamesAsync(CartwiseDb db, CancellationToken ct) =>
        (await db.Categories.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Path, ct),
         await db.Messages.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct));
}
