using Cartwise.Core.Evaluation;
using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Tests.Evaluation;

public sealed class BlendTuningTests
{
    private static readonly DateTimeOffset T = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Customers of 10 product families (ids 10g..10g+5), three orders each: two in the first 80 days, one in days
    /// 90–100. Re-ordering customers buy their first product again in the third order and nothing new; the others only
    /// ever buy new products of their family, the last one of three.
    /// </summary>
    private static (EvaluationSplit Split, Dictionary<long, ProductInfo> Products) Shop(int customers, bool reorders)
    {
        var random = new Random(customers);
        var histories = new List<CustomerHistory>();
        for (var c = 0; c < customers; c++)
        {
            long f = 10 * random.Next(10);
            var early = T.AddDays(random.Next(70));
            histories.Add(new CustomerHistory(c,
            [
                new OrderBasket(early, [f, f + 1], c),
                new OrderBasket(early.AddDays(random.Next(1, 10)), [reorders ? f : f + 2], c),
                new OrderBasket(T.AddDays(90 + random.NextDouble() * 10), reorders ? [f] : [f + 3 + random.Next(3)], c),
            ]));
        }
        var orders = histories.SelectMany(h => h.Orders).ToList();
        var products = orders.SelectMany(o => o.Products).Distinct()
            .ToDictionary(id => id, id => new ProductInfo(id, "P" + id, null, 10, "EUR", null, null, null, null, null, true));
        return (EvaluationSplit.ByDate(histories, [], BlendTuning.ValidationDate(orders)), products);
    }

    [Fact]
    public void TooFewCustomersAfterTheValidationSplit_KeepTheBuiltInBlend()
    {
        var (split, products) = Shop(150, reorders: false);

        var result = BlendTuning.Tune(split, products, new Dictionary<long, long?>(), 2, new ModelOptions(), T);

        Assert.Null(result.Blend);
        Assert.Contains($"{split.Cases.Count} customers ordered both before and after the validation split", result.Refusal);
        Assert.Contains("tuning needs 200: the built-in blend stays", result.Refusal);
    }

    [Fact]
    public void AShopWhoseCustomersNeverReorder_GivesReordersNoShare_AndFindsAtLeastWhatTheBuiltInBlendFinds()
    {
        var (split, products) = Shop(500, reorders: false);

        var blend = BlendTuning.Tune(split, products, new Dictionary<long, long?>(), 2, new ModelOptions(), T).Blend;

        Assert.NotNull(blend);
        Assert.True(split.Cases.Count >= BlendTuning.MinimumCustomers, $"{split.Cases.Count} customers judged");
        Assert.Equal(split.Cases.Count, blend.Customers);
        Assert.Equal(0, blend.RepurchaseShare);
        Assert.True(blend.Tuned.NewHitRate >= blend.BuiltIn.NewHitRate, $"tuned {blend.Tuned.NewHitRate} < built-in {blend.BuiltIn.NewHitRate}");
        Assert.True(blend.Tuned.AllNewHitRate > blend.BuiltIn.AllNewHitRate, "with no share for re-orders, the list with re-orders finds more new products");
        Assert.Contains(blend.Weights, w => w.Value > 0 && BlendTuning.Searched.Contains(w.Key));
    }

    [Fact]
    public void AShopWhoseCustomersReorder_GivesReordersAtLeastHalfTheList()
    {
        var (split, products) = Shop(500, reorders: true);

        var blend = BlendTuning.Tune(split, products, new Dictionary<long, long?>(), 2, new ModelOptions(), T).Blend;

        Assert.NotNull(blend);
        Assert.True(blend.RepurchaseShare >= 0.5, $"share {blend.RepurchaseShare}");
        Assert.Equal(1.0, blend.Tuned.AllHitRate);
    }
}
