using Cartwise.Core.Segments;

namespace Cartwise.Core.Tests.Segments;

public sealed class RfmTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Scores_are_quintiles_with_ties_in_one_score()
    {
        // Ten people: recency 0..9 days, orders mostly 1, spend 10..100.
        var people = Enumerable.Range(0, 10).Select(i => new RfmInput(i, Now.AddDays(-i), i < 6 ? 1 : i - 4, 10 * (i + 1))).ToList();
        var scores = Rfm.Score(people, Now).ToDictionary(s => s.Person);
        Assert.Equal([5, 5, 4, 4, 3, 3, 2, 2, 1, 1], Enumerable.Range(0, 10).Select(i => scores[i].R));
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], Enumerable.Range(0, 10).Select(i => scores[i].M));
        // Six tie at one order: all score 1; then 2, 3, 4, 5 orders are the top 40%.
        Assert.Equal([1, 1, 1, 1, 1, 1, 4, 4, 5, 5], Enumerable.Range(0, 10).Select(i => scores[i].F));
        Assert.Equal(9, scores[9].RecencyDays);
    }

    [Fact]
    public void Scores_match_a_brute_force_count_on_random_customers()
    {
        var random = new Random(3);
        var people = Enumerable.Range(0, 997).Select(i => new RfmInput(i, Now.AddDays(-random.Next(0, 365)), random.Next(1, 8), random.Next(1, 40) * 5m)).ToList();
        var scores = Rfm.Score(people, Now);
        for (var i = 0; i < people.Count; i++)
        {
            var worseSpend = people.Count(p => p.Monetary < people[i].Monetary);
            Assert.Equal(Math.Min(5, 1 + 5 * worseSpend / people.Count), scores[i].M);
            var lessRecent = people.Count(p => Math.Floor((Now - p.LastOrder).TotalDays) > Math.Floor((Now - people[i].LastOrder).TotalDays));
            Assert.Equal(Math.Min(5, 1 + 5 * lessRecent / people.Count), scores[i].R);
        }
    }

    [Theory]
    [InlineData(5, 5, 5, "champions")]
    [InlineData(2, 3, 4, "loyal")]
    [InlineData(5, 1, 1, "potential-loyalist")]
    [InlineData(2, 2, 2, "need-attention")]
    [InlineData(2, 1, 2, "about-to-sleep")]
    [InlineData(1, 3, 2, "at-risk")]
    [InlineData(1, 1, 1, "hibernating")]
    [InlineData(3, 5, 1, "lost")]
    public void The_first_matching_segment_wins(int r, int f, int m, string segment) => Assert.Equal(segment, Rfm.SegmentOf(r, f, m));
}
