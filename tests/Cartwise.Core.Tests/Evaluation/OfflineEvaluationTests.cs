using Cartwise.Core.Evaluation;
using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Tests.Evaluation;

public sealed class OfflineEvaluationTests
{
    private static readonly DateTimeOffset T = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<long, ProductInfo> Catalogue(IEnumerable<long> ids) =>
        ids.ToDictionary(id => id, id => new ProductInfo(id, "P" + id, null, 10, "EUR", null, null, null, null, null, true));

    private static Dictionary<string, StrategyScore> Scores(EvaluationReport report) => report.Strategies.ToDictionary(s => s.Strategy);

    [Fact]
    public void WhenCustomersBuyComplements_BoughtTogetherBeatsPopularity()
    {
        // Products 1..20 come in pairs (1,2), (3,4)…: whoever buys one later buys its partner. Product 99 is popular.
        var random = new Random(3);
        var customers = new List<CustomerHistory>();
        var guests = new List<OrderBasket>();
        for (var c = 0; c < 200; c++)
        {
            var a = 2 * random.Next(10) + 1;
            customers.Add(new CustomerHistory(c, [new OrderBasket(T, [a, 99]), new OrderBasket(T.AddDays(7), [a + 1])]));
            guests.Add(new OrderBasket(T, [a, a + 1]));
            guests.Add(new OrderBasket(T, [99]));
        }

        var split = EvaluationSplit.LeaveLastOut(customers, guests);
        var scores = Scores(OfflineEvaluation.Run(split, Catalogue(Enumerable.Range(1, 20).Select(i => (long)i).Append(99)), new Dictionary<long, long?>(), 3, new ModelOptions()));

        Assert.Equal(600, split.Training.Count);
        Assert.Equal(200, scores[OfflineEvaluation.Popularity].All.Customers);
        Assert.Equal(1.0, scores[Strategies.BoughtTogether].All.HitRate);
        Assert.Equal(1.0 / 3, scores[Strategies.BoughtTogether].All.Precision, 9);
        Assert.Equal(1.0, scores[Strategies.BoughtTogether].All.Recall, 9);
        Assert.True(scores[OfflineEvaluation.Popularity].All.HitRate < 0.5, $"popularity hit-rate {scores[OfflineEvaluation.Popularity].All.HitRate}");
        Assert.True(scores[OfflineEvaluation.Popularity].All.HitRateHigh < scores[Strategies.BoughtTogether].All.HitRateLow, "the intervals should not overlap");
        Assert.True(scores[Strategies.Blend].All.HitRate > scores[OfflineEvaluation.Popularity].All.HitRate);
        Assert.Equal(0, scores[Strategies.BoughtTogether].RepurchaseShare);
    }

    [Fact]
    public void ATimeSplit_NeverRecommendsAProductFirstSoldAfterIt_AndTrainsOnlyOnEarlierOrders()
    {
        // Before the split customers buy 1 then 2; after it, everyone buys 1 with the new product 50.
        var split = T.AddDays(60);
        var customers = new List<CustomerHistory>();
        for (var c = 0; c < 40; c++)
            customers.Add(new CustomerHistory(c, [new OrderBasket(T.AddDays(c % 10), [1]), new OrderBasket(T.AddDays(20 + c % 10), [2]),
                new OrderBasket(split.AddDays(5), [1, 50]), new OrderBasket(split.AddDays(9), [2, 50])]));
        var guests = Enumerable.Range(0, 30).Select(i => new OrderBasket(split.AddDays(1 + i % 5), [1, 50])).ToList();

        var evaluation = EvaluationSplit.ByDate(customers, guests, split);
        var report = OfflineEvaluation.Run(evaluation, Catalogue([1, 2, 3, 50]), new Dictionary<long, long?>(), 5, new ModelOptions());

        Assert.Equal(80, report.TrainingOrders);
        Assert.Equal(40, report.Customers);
        Assert.Equal(new HashSet<long> { 50 }, evaluation.Unseen);
        Assert.All(evaluation.Cases, c => Assert.Equal([1L, 50], c.Test.Products.Order()));
        // Product 50 is in every test order: recommending it would score; nothing may, and the new-items figure stays 0.
        Assert.All(report.Strategies, s => Assert.Equal(0, s.New.HitRate));
        Assert.All(report.Strategies, s => Assert.Equal(40, s.New.Customers));
    }

    [Fact]
    public void TheOwnBaseline_RanksTheCustomersMostBoughtFirst()
    {
        // Each customer re-orders product 7 three times and tried 8 once; their next order is 7 again.
        var customers = Enumerable.Range(0, 10).Select(c => new CustomerHistory(c,
            [new OrderBasket(T, [7]), new OrderBasket(T.AddDays(10), [7, 8]), new OrderBasket(T.AddDays(20), [7]), new OrderBasket(T.AddDays(30), [7])])).ToList();

        var scores = Scores(OfflineEvaluation.Run(EvaluationSplit.LeaveLastOut(customers, []), Catalogue([7, 8, 9]), new Dictionary<long, long?>(), 2, new ModelOptions()));
        var own = scores[OfflineEvaluation.Own];

        Assert.Equal(1.0, own.All.HitRate);
        Assert.Equal(1.0, own.All.Mrr, 9);
        Assert.Equal(1.0, own.All.Ndcg, 9);
        Assert.Equal(0.5, own.All.Precision, 9);
        Assert.Equal(1.0, own.RepurchaseShare);
        // No order brought anything new, so no customer is judged on new products.
        Assert.Equal(0, own.New.Customers);
    }

    [Fact]
    public void WhenCustomersBuyInSequence_BoughtNextFindsWhatBasketsCannot()
    {
        // Customers buy a machine (1..10) and three weeks later its refill (101..110), never in the same basket. The
        // first 200 did both before the split; the other 100 bought the machine just before it and are judged.
        var split = T.AddDays(60);
        var customers = new List<CustomerHistory>();
        for (var c = 0; c < 300; c++)
        {
            var m = 1 + c % 10;
            var first = c < 200 ? T.AddDays(c % 30) : split.AddDays(-3);
            customers.Add(new CustomerHistory(c, [new OrderBasket(first, [m, 200]), new OrderBasket(first.AddDays(21), [100 + m])]));
        }
        var ids = Enumerable.Range(1, 10).SelectMany(i => new long[] { i, 100 + i }).Append(200);

        var report = OfflineEvaluation.Run(EvaluationSplit.ByDate(customers, [], split), Catalogue(ids), new Dictionary<long, long?>(), 3, new ModelOptions());
        var scores = Scores(report);

        Assert.Equal(100, report.Customers);
        Assert.Equal(1.0, scores[Strategies.Next].New.HitRate);
        Assert.Equal(1.0, scores[Strategies.Next].New.Mrr, 9);
        Assert.Equal(0, scores[Strategies.BoughtTogether].New.HitRate);
    }
}
