namespace Cartwise.Core.Segments;

/// <summary>A person's purchases in the scoring window: last order, number of orders, net spend.</summary>
public readonly record struct RfmInput(long Person, DateTimeOffset LastOrder, int Orders, decimal Monetary);

/// <summary>A person's scores (1–5 each, 5 best) and the segment they fall in.</summary>
/// <param name="RecencyDays">Whole days from the last order to the scoring instant.</param>
public sealed record RfmScore(long Person, int RecencyDays, int Orders, decimal Monetary, int R, int F, int M, string Segment);

/// <summary>A named segment: the score ranges (inclusive) a person must be in.</summary>
public sealed record RfmSegment(string Key, string Name, int RMin, int RMax, int FMin, int FMax, int MMin, int MMax)
{
    /// <summary>True when all three scores are in the segment's ranges.</summary>
    public bool Matches(int r, int f, int m) => r >= RMin && r <= RMax && f >= FMin && f <= FMax && m >= MMin && m <= MMax;
}

/// <summary>
/// Recency, frequency and monetary scores (SPEC R2, seed 003) and the named segments of common practice.
/// </summary>
public static class Rfm
{
    /// <summary>The window of orders scored, unless a store sets another.</summary>
    public const int DefaultWindowDays = 365;

    /// <summary>The segment of everyone no other segment takes.</summary>
    public const string Lost = "lost";

    /// <summary>
    /// The segments in the order they are tried; the first that matches wins, <see cref="Lost"/> takes the rest.
    /// In this order Potential loyalist (R 3–5, F 1–3, M 1–3) comes before New and Promising and takes every
    /// person they describe; they are kept so that a store reordering or renaming segments finds them.
    /// </summary>
    public static readonly IReadOnlyList<RfmSegment> Segments =
    [
        new("champions", "Champions", 4, 5, 4, 5, 4, 5),
        new("loyal", "Loyal", 2, 5, 3, 5, 3, 5),
        new("potential-loyalist", "Potential loyalist", 3, 5, 1, 3, 1, 3),
        new("new", "New", 4, 5, 1, 1, 1, 1),
        new("promising", "Promising", 3, 4, 1, 1, 1, 1),
        new("need-attention", "Need attention", 2, 3, 2, 3, 2, 3),
        new("about-to-sleep", "About to sleep", 2, 3, 1, 2, 1, 2),
        new("at-risk", "At risk", 1, 2, 2, 5, 2, 5),
        new("cant-lose", "Can't lose them", 1, 1, 4, 5, 4, 5),
        new("hibernating", "Hibernating", 1, 2, 1, 2, 1, 2),
        new(Lost, "Lost", 1, 5, 1, 5, 1, 5),
    ];

    /// <summary>The key of the first segment matching the scores.</summary>
    public static string SegmentOf(int r, int f, int m) => Segments.First(s => s.Matches(r, f, m)).Key;

    /// <summary>
    /// Scores everyone in <paramref name="people"/> at <paramref name="asOf"/>: each measure by quintiles of these
    /// people, ties kept in one score. A value's score is 1 + ⌊5 × (people with a worse value) / (people)⌋, so equal
    /// values always share a score and a measure where most people tie (one order each) leaves the upper scores to
    /// the few above them. Recency is better when fewer days, frequency and monetary when more.
    /// </summary>
    public static IReadOnlyList<RfmScore> Score(IReadOnlyList<RfmInput> people, DateTimeOffset asOf)
    {
        var days = people.Select(p => (int)Math.Max(0, Math.Floor((asOf - p.LastOrder).TotalDays))).ToArray();
        var r = Scores(days.Select(d => (decimal)-d).ToArray());
        var f = Scores(people.Select(p => (decimal)p.Orders).ToArray());
        var m = Scores(people.Select(p => p.Monetary).ToArray());
        var result = new RfmScore[people.Count];
        for (var i = 0; i < people.Count; i++)
            result[i] = new RfmScore(people[i].Person, days[i], people[i].Orders, people[i].Monetary, r[i], f[i], m[i], SegmentOf(r[i], f[i], m[i]));
        return result;
    }

    /// <summary>Quintile scores of <paramref name="values"/>, higher better, ties sharing a score.</summary>
    private static int[] Scores(decimal[] values)
    {
        var n = values.Length;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var scores = new int[n];
        var below = 0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j < n && values[order[j]] == values[order[i]]) j++;
            var score = Math.Min(5, 1 + (int)(5L * below / n));
            for (var k = i; k < j; k++) scores[order[k]] = score;
            below = j;
            i = j;
        }
        return scores;
    }
}
