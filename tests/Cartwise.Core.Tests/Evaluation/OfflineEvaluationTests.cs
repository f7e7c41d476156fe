using Cartwise.Core.Evaluation;
using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Tests.Evaluation;

public sealed class OfflineEvaluationTests
{
    [Fact]
    public void WhenCustomersBuyComplements_BoughtTogetherBeatsPopularity()
    {
        // Products 1..20 come in pairs (1,2), (3,4)…: whoever buys one later buys its partner. Product 99 is popular.
        var t = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var products = Enumerable.Range(1, 20).Select(i => (long)i).Append(99)
            .ToDictionary(id => id, id => new ProductInfo(id, "P" + id, null, 10, "EUR", null, null, null, null, null, true));
        var random = new Random(3);
        var customers = new List<CustomerHistory>();
        var others = new List<OrderBasket>();
        for (var c = 0; c < 200; c++)
        {
            var a = 2 * random.Next(10) + 1;
            customers.Add(new CustomerHistory(c, [new OrderBasket(t, [a, 99]), new OrderBasket(t.AddDays(7), [a + 1])]));
            others.Add(new OrderBasket(t, [a, a + 1]));
            others.Add(new OrderBasket(t, [99]));
        }

        var scores = OfflineEvaluation.Run(customers, others, products, new Dictionary<long, long?>(), t.AddDays(30), 3, new ModelOptions()).ToDictionary(s => s.Strategy);

        Assert.Equal(200, scores["popularity"].Customers);
        Assert.Equal(1.0, scores[Strategies.BoughtTogether].HitRate);
        Assert.Equal(1.0 / 3, scores[Strategies.BoughtTogether].Precision, 9);
        Assert.True(scores["popularity"].HitRate < 0.5, $"popularity hit-rate {scores["popularity"].HitRate}");
        Assert.True(scores[Strategies.Blend].HitRate > scores["popularity"].HitRate);
    }
}
