using System.Globalization;

namespace Cartwise.Core.Scenarios;

/// <summary>What decides an A/B test.</summary>
public static class AbMetrics
{
    /// <summary>Recipients who opened (or clicked), as a share of recipients.</summary>
    public const string OpenRate = "open_rate";
    /// <summary>Recipients who clicked, as a share of recipients.</summary>
    public const string ClickRate = "click_rate";
    /// <summary>Recipients with an order credited to the message, as a share of recipients.</summary>
    public const string Orders = "orders";
    /// <summary>Revenue credited to the message per recipient.</summary>
    public const string RevenuePerRecipient = "revenue_per_recipient";

    /// <summary>Every metric.</summary>
    public static IReadOnlyList<string> All { get; } = [OpenRate, ClickRate, Orders, RevenuePerRecipient];
}

/// <summary>One version of a rule's or tier's message in an A/B test, and the share of customers who get it.</summary>
public sealed record AbVariant(string Id, long MessageId, double Share);

/// <summary>
/// An A/B test of the message of one rule or tier (<see cref="Rule"/>): customers are split between the variants by
/// their shares; once every variant has <see cref="MinRecipients"/> sends at least <see cref="Wait"/> old (time for
/// opens and orders to come), the variant best on <see cref="Metric"/> wins when its 95% interval against each other
/// variant lies above zero, and gets every later send.
/// </summary>
public sealed record AbTest(string Rule, IReadOnlyList<AbVariant> Variants, string Metric = AbMetrics.ClickRate, int MinRecipients = 500, string? Wait = "3d")
{
    /// <summary>The variants with their messages, as a winner recorded for this test must match to apply ("A:12,B:13").</summary>
    public string Signature => string.Join(',', Variants.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Id}:{v.MessageId}")));
}

/// <summary>What a variant's sends did, as the decision needs it.</summary>
public sealed record VariantFigures(string Variant, int Recipients, int Opened, int Clicked, int Converted, double Revenue, double RevenueSquares);

/// <summary>The state of a test: the variant ahead, its difference to the runner-up with the interval, the winner when there is one, and why not.</summary>
public sealed record AbOutcome(string? Leader, string? RunnerUp, Difference Difference, string? Winner, string Reason);

/// <summary>Assignment of customers to variants and the decision of a winner. Pure and thread-safe.</summary>
public static class AbTests
{
    /// <summary>
    /// The variant a customer gets: the winner once there is one, else by a hash of (scenario, rule, customer) over
    /// the shares, so a customer keeps their variant and the split is independent of the holdout's.
    /// </summary>
    public static AbVariant Assign(long scenarioId, AbTest test, long customer, string? winner)
    {
        if (winner is not null && test.Variants.FirstOrDefault(v => v.Id == winner) is { } won) return won;
        var u = Hashing.Unit(unchecked((ulong)scenarioId * 0xD6E8FEB86659FD93UL ^ Hashing.Fnv(test.Rule)), customer);
        var total = test.Variants.Sum(v => v.Share);
        var at = 0.0;
        foreach (var v in test.Variants)
        {
            at += v.Share / total;
            if (u < at) return v;
        }
        return test.Variants[^1];
    }

    /// <summary>A variant's value on a metric: a rate, or revenue per recipient.</summary>
    public static double Value(string metric, VariantFigures f) => f.Recipients == 0 ? 0 : metric switch
    {
        AbMetrics.OpenRate => (double)f.Opened / f.Recipients,
        AbMetrics.Orders => (double)f.Converted / f.Recipients,
        AbMetrics.RevenuePerRecipient => f.Revenue / f.Recipients,
        _ => (double)f.Clicked / f.Recipients,
    };

    /// <summary>The leader minus another variant on the metric, with its 95% interval.</summary>
    public static Difference Compare(string metric, VariantFigures leader, VariantFigures other)
    {
        int Count(VariantFigures f) => metric switch { AbMetrics.OpenRate => f.Opened, AbMetrics.Orders => f.Converted, _ => f.Clicked };
        return metric == AbMetrics.RevenuePerRecipient
            ? Intervals.OfMeans(leader.Recipients, leader.Revenue, leader.RevenueSquares, other.Recipients, other.Revenue, other.RevenueSquares)
            : Intervals.OfProportions(Count(leader), leader.Recipients, Count(other), other.Recipients);
    }

    /// <summary>Whether the test has a winner yet: every variant with enough recipients, and the leader ahead of each other beyond chance.</summary>
    public static AbOutcome Decide(AbTest test, IReadOnlyList<VariantFigures> figures)
    {
        var all = test.Variants.Select(v => figures.FirstOrDefault(f => f.Variant == v.Id) ?? new VariantFigures(v.Id, 0, 0, 0, 0, 0, 0)).ToList();
        var ranked = all.OrderByDescending(f => Value(test.Metric, f)).ThenBy(f => f.Variant, StringComparer.Ordinal).ToList();
        var (leader, runnerUp) = (ranked[0], ranked[1]);
        var difference = Compare(test.Metric, leader, runnerUp);
        var fewest = all.MinBy(f => f.Recipients)!;
        if (fewest.Recipients < test.MinRecipients)
            return new AbOutcome(leader.Variant, runnerUp.Variant, difference, null,
                $"waiting: variant {fewest.Variant} has {fewest.Recipients} of the {test.MinRecipients} recipients each variant needs");
        foreach (var other in ranked.Skip(1))
        {
            var d = Compare(test.Metric, leader, other);
            if (!d.Significant)
                return new AbOutcome(leader.Variant, runnerUp.Variant, difference, null,
                    $"no winner: the 95% interval of {leader.Variant} against {other.Variant} includes zero");
        }
        return new AbOutcome(leader.Variant, runnerUp.Variant, difference, leader.Variant, $"{leader.Variant} wins: its 95% interval against every other variant is above zero");
    }

    /// <summary>The problems of a scenario's tests as (path, error) pairs; <paramref name="rules"/> are the ids of its rules or tiers.</summary>
    public static IEnumerable<(string Path, string Error)> Validate(IReadOnlyList<AbTest>? tests, IReadOnlyCollection<string> rules)
    {
        if (tests is null) yield break;
        for (var i = 0; i < tests.Count; i++)
        {
            var t = tests[i];
            var p = $"customize.tests[{i}]";
            if (t is null) { yield return (p, "a test object"); continue; }
            if (!rules.Contains(t.Rule)) yield return (p + ".rule", $"no rule or tier '{t.Rule}' in this scenario");
            else if (tests.Take(i).Any(x => x?.Rule == t.Rule)) yield return (p + ".rule", $"rule '{t.Rule}' is already tested");
            if (!AbMetrics.All.Contains(t.Metric)) yield return (p + ".metric", $"one of {string.Join(", ", AbMetrics.All)}");
            if (t.MinRecipients is < 10 or > 1_000_000) yield return (p + ".minRecipients", "between 10 and 1,000,000");
            if (t.Wait is not null && !Durations.TryParse(t.Wait, out _)) yield return (p + ".wait", $"'{t.Wait}' is not a duration: write 30m, 12h, 7d, 2w or 0");
            if (t.Variants is not { Count: >= 2 and <= 5 }) { yield return (p + ".variants", "from 2 to 5 variants"); continue; }
            for (var j = 0; j < t.Variants.Count; j++)
            {
                var v = t.Variants[j];
                var vp = $"{p}.variants[{j}]";
                if (v is null) { yield return (vp, "a variant object"); continue; }
                if (string.IsNullOrWhiteSpace(v.Id) || v.Id.Length > 20 || v.Id.Contains(',', StringComparison.Ordinal) || v.Id.Contains(':', StringComparison.Ordinal))
                    yield return (vp + ".id", "a short name such as A or B");
                else if (t.Variants.Take(j).Any(x => x?.Id == v.Id)) yield return (vp + ".id", $"'{v.Id}' appears twice");
                if (v.MessageId != 0 && t.Variants.Take(j).Any(x => x?.MessageId == v.MessageId)) yield return (vp + ".messageId", "another variant already sends this message");
                if (v.Share is <= 0 or > 1 || double.IsNaN(v.Share)) yield return (vp + ".share", "a share above 0 and at most 1");
            }
            var sum = t.Variants.Where(v => v is not null).Sum(v => v.Share);
            if (Math.Abs(sum - 1) > 0.001) yield return (p + ".variants", $"the shares add up to {sum.ToString("0.###", CultureInfo.InvariantCulture)}, not 1");
        }
    }
}

/// <summary>Stable hashes for deterministic assignment (holdout, variants): the same on every node and every run.</summary>
public static class Hashing
{
    /// <summary>A seed and a customer mapped to [0, 1) evenly (SplitMix64's finaliser: consecutive ids spread).</summary>
    public static double Unit(ulong seed, long customer)
    {
        var x = seed ^ (ulong)customer;
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>FNV-1a of a string's UTF-16 units (<see cref="string.GetHashCode()"/> differs between processes).</summary>
    public static ulong Fnv(string text)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var c in text) h = unchecked((h ^ c) * 0x100000001B3UL);
        return h;
    }
}
