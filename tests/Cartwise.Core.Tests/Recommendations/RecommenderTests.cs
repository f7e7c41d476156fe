using Cartwise.Core.Mining;
using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Tests.Recommendations;

public sealed class RecommenderTests
{
    // Categories: 1 Home (root) > 2 Kitchen, 3 Decor; 4 Garden (root).
    private static readonly Dictionary<long, long?> Parents = new() { [1] = null, [2] = 1, [3] = 1, [4] = null };
    private static readonly Dictionary<long, string> Names = new() { [1] = "Home", [2] = "Home > Kitchen", [3] = "Home > Decor", [4] = "Garden" };

    private static ProductInfo P(long id, long category, decimal price, bool available = true, string? group = null, string? brand = null) =>
        new(id, "P" + id, "Product " + id, price, "EUR", null, null, category, brand, group, available);

    private static readonly Dictionary<long, ProductInfo> Catalogue = new[]
    {
        P(1, 2, 10), P(2, 2, 12), P(3, 2, 8), P(4, 3, 30), P(5, 3, 40), P(6, 4, 5), P(7, 2, 14, available: false), P(8, 2, 13, group: "MUG"),
        P(9, 2, 15, group: "MUG"), P(10, 2, 100), P(11, 4, 6),
    }.ToDictionary(p => p.Id);

    /// <summary>1 and 2 go together; 1+2 bring 3; 4 and 5 go together; 6 is the bestseller; 7 (unavailable) goes with 1.</summary>
    private static RecommendationModel Model()
    {
        var orders = new List<OrderBasket>();
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        void Add(int times, params long[] products) { for (var i = 0; i < times; i++) orders.Add(new OrderBasket(t, products)); }
        Add(20, 1, 2, 3);
        Add(5, 1, 2);
        Add(10, 1, 7);
        Add(12, 4, 5);
        Add(40, 6);
        Add(8, 6, 11);
        Add(3, 9);
        Add(2, 3);
        return ModelBuilder.Build(1, t, Catalogue, Parents, Names, orders, [[1, 4], [1, 4], [1, 5]],
            new ModelOptions(new MiningOptions(minSupportCount: 3), MinConfidence: 0.1)).Model;
    }

    private static RecommendationRequest Request(string? strategy, long[]? products = null, long[]? cart = null, long[]? purchased = null, long? category = null,
        RecommendationFilters? filters = null, int limit = 5, Dictionary<string, double>? weights = null) =>
        new(strategy, products ?? [], cart ?? [], category, limit, filters ?? new RecommendationFilters(), purchased ?? [], [], weights);

    [Fact]
    public void BoughtTogether_RanksByLiftWeightedConfidence_AndSaysWhy()
    {
        var recs = Recommender.Recommend(Model(), Request(Strategies.BoughtTogether, products: [1]));

        Assert.Equal(2, recs[0].Product);
        Assert.Equal(3, recs[1].Product);
        var reason = recs[0].Reason;
        Assert.Equal((Strategies.BoughtTogether, 25), (reason.Strategy, reason.Support));
        Assert.Equal(25.0 / 35, reason.Confidence!.Value, 9);            // 25 of the 35 baskets with 1 hold 2
        Assert.Equal(25.0 * 100 / (35 * 25), reason.Lift!.Value, 9);     // 100 baskets, 25 with 2
        Assert.DoesNotContain(recs, r => r.Product == 7);                // unavailable
    }

    [Fact]
    public void Cart_UsesRulesWhoseWholeAntecedentIsInTheCart()
    {
        var model = Model();

        var both = Recommender.Recommend(model, Request(Strategies.Cart, cart: [1, 2], limit: 1));

        Assert.Equal(3, both[0].Product);
        Assert.Equal(Strategies.Cart, both[0].Reason.Strategy);
        Assert.Equal(2, both[0].Reason.Antecedent!.Length);                // {1, 2} ⇒ 3 beats {1} ⇒ 3 and {2} ⇒ 3
        Assert.Equal(1.0 * 20 / 25, both[0].Reason.Confidence!.Value, 9);
        Assert.DoesNotContain(Recommender.Recommend(model, Request(Strategies.Cart, cart: [1, 2, 3])), r => r.Product is 1 or 2 or 3);
    }

    [Fact]
    public void Filters_PriceBandCategoriesAndAlreadyBought()
    {
        var model = Model();

        var cheap = Recommender.Recommend(model, Request(Strategies.BoughtTogether, products: [1], filters: new RecommendationFilters(MaxPrice: 9)));
        var notBought = Recommender.Recommend(model, Request(Strategies.BoughtTogether, products: [1], purchased: [2]));
        var boughtAllowed = Recommender.Recommend(model, Request(Strategies.BoughtTogether, products: [1], purchased: [2], filters: new RecommendationFilters(ExcludeBought: false)));
        var outsideHome = Recommender.Recommend(model, Request(Strategies.Bestsellers, filters: new RecommendationFilters(ExcludeCategories: [1])));
        var onlyDecor = Recommender.Recommend(model, Request(Strategies.Bestsellers, filters: new RecommendationFilters(IncludeCategories: [3])));

        Assert.Equal(3, cheap[0].Product);
        Assert.All(cheap, r => Assert.True(Catalogue[r.Product].Price <= 9));
        Assert.DoesNotContain(notBought, r => r.Product == 2);
        Assert.Equal(2, boughtAllowed[0].Product);
        Assert.All(outsideHome, r => Assert.Equal(4, Catalogue[r.Product].CategoryId));
        Assert.All(onlyDecor, r => Assert.Equal(3, Catalogue[r.Product].CategoryId));
    }

    [Fact]
    public void Upsell_OffersPricierItemsOfTheSameCategoryWithinTheRatio()
    {
        var recs = Recommender.Recommend(Model(), Request(Strategies.Upsell, products: [1], limit: 10) with { UpsellRatio = 1.5m });

        // 10 → at most 15: 2 (12), 8 (13), 9 (15); not 7 (unavailable), not 10 (100), not cheaper ones.
        Assert.Equal([2, 8, 9], recs.Where(r => r.Reason.Strategy == Strategies.Upsell).Select(r => r.Product).Order().ToArray());
    }

    [Fact]
    public void Similar_PutsTheSameItemGroupFirst()
    {
        var recs = Recommender.Recommend(Model(), Request(Strategies.Similar, products: [8]));

        Assert.Equal(9, recs[0].Product);
        Assert.Contains("same item group", recs[0].Reason.Text);
    }

    [Fact]
    public void Similar_FindsTheSameAuthorAcrossCategories()
    {
        // Seed 003: "same author, same genre". Custom labels carry such attributes from the feed.
        var books = new Dictionary<long, ProductInfo>
        {
            [1] = P(1, 2, 20) with { Labels = ["Tolkien", "fantasy"] },
            [2] = P(2, 3, 25) with { Labels = ["tolkien", "Fantasy"] },   // same author and genre
            [3] = P(3, 4, 22) with { Labels = ["Pratchett", "fantasy"] },
            [4] = P(4, 4, 22),
        };
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var model = ModelBuilder.Build(1, t, books, Parents, Names, [new OrderBasket(t, [4])], [], new ModelOptions()).Model;

        var recs = Recommender.Recommend(model, Request(Strategies.Similar, products: [1], limit: 3)).Where(r => r.Reason.Strategy == Strategies.Similar).ToList();

        Assert.Equal([2, 3], recs.Select(r => r.Product).ToArray());
        Assert.Contains("Tolkien", recs[0].Reason.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ViewedTogether_ComesFromSessions()
    {
        var recs = Recommender.Recommend(Model(), Request(Strategies.ViewedTogether, products: [1]));

        Assert.Equal(4, recs[0].Product);
        Assert.Equal(Strategies.ViewedTogether, recs[0].Reason.Strategy);
    }

    [Fact]
    public void Bundles_AreFrequentSetsWithTheProduct()
    {
        var recs = Recommender.Recommend(Model(), Request(Strategies.Bundles, products: [1]));

        Assert.NotEmpty(recs);
        Assert.Contains(recs, r => r.Bundle is { } b && b.Products.Order().SequenceEqual([1L, 2, 3]) && b.Support == 20);
    }

    [Fact]
    public void ColdStart_FallsBackToCategoryBestsellersThenStoreBestsellers()
    {
        // Product 10 was never ordered: no rules, no neighbours.
        var recs = Recommender.Recommend(Model(), Request(Strategies.BoughtTogether, products: [10], limit: 6));

        Assert.All(recs, r => Assert.Equal(Strategies.Bestsellers, r.Reason.Strategy));
        var kitchenFirst = recs.TakeWhile(r => Catalogue[r.Product].CategoryId == 2).Count();
        Assert.True(kitchenFirst >= 3, "the category's bestsellers come first");
        Assert.Contains(recs.Skip(kitchenFirst), r => r.Product == 6);   // then the store's bestseller
    }

    [Fact]
    public void Blend_WeightsChangeTheOrder()
    {
        var model = Model();

        var together = Recommender.Recommend(model, Request(null, products: [1], weights: new() { [Strategies.BoughtTogether] = 1, [Strategies.ViewedTogether] = 0.1 }));
        var viewed = Recommender.Recommend(model, Request(null, products: [1], weights: new() { [Strategies.BoughtTogether] = 0.1, [Strategies.ViewedTogether] = 1 }));

        Assert.Equal(2, together[0].Product);
        Assert.Equal(4, viewed[0].Product);
    }

    [Fact]
    public void NoInputs_GiveStoreBestsellers()
    {
        var recs = Recommender.Recommend(Model(), Request(null, limit: 2));
        Assert.Equal([6, 1], recs.Select(r => r.Product).ToArray());
    }

    [Fact]
    public void UnknownStrategy_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Recommender.Recommend(Model(), Request("magic", products: [1])));

    [Fact]
    public void BoughtNext_RecommendsWhatFollowedAPurchase_AndFadesOnceItsMomentHasPassed()
    {
        // 30 customers bought 1 and, 8 to 12 days later, 4; 10 others bought 1 and 6 months later 5.
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var orders = new List<OrderBasket>();
        for (var c = 0; c < 30; c++)
        {
            orders.Add(new OrderBasket(t.AddDays(c), [1], c));
            orders.Add(new OrderBasket(t.AddDays(c + 8 + c % 5), [4], c));
        }
        for (var c = 30; c < 40; c++)
        {
            orders.Add(new OrderBasket(t.AddDays(c), [1], c));
            orders.Add(new OrderBasket(t.AddDays(c + 180), [5], c));
        }
        var model = ModelBuilder.Build(1, t.AddDays(250), Catalogue, Parents, Names, orders, [], new ModelOptions()).Model;
        RecommendationRequest Bought(double daysAgo) => Request(Strategies.Next, purchased: [1]) with
        {
            PurchasedAt = new Dictionary<long, DateTimeOffset> { [1] = t.AddDays(300 - daysAgo) },
            Now = t.AddDays(300),
        };

        var fresh = Recommender.Recommend(model, Bought(2));
        var late = Recommender.Recommend(model, Bought(90));

        Assert.Equal([4L], fresh.Where(r => r.Reason.Strategy == Strategies.Next).Select(r => r.Product)); // 5 came after the 60-day window
        Assert.Equal("bought next by 30 customers who bought Product 1, typically 10 days later", fresh[0].Reason.Text);
        Assert.Equal(30, fresh[0].Reason.Support);
        Assert.Equal([1L], fresh[0].Reason.Antecedent!);
        Assert.True(late[0].Score < fresh[0].Score / 100, $"3 months on the coffee moment has passed: {late[0].Score} vs {fresh[0].Score}");
        Assert.Equal(fresh[0].Score, Recommender.Recommend(model, Request(Strategies.Next, products: [1]))[0].Score, 9); // a product asked about counts as bought now
    }

    [Fact]
    public void BuyAgain_RanksWhatIsDueAboveWhatWasJustBought_AndSaysWhy()
    {
        // Forty customers re-order products 1 and 4 every 30 days; product 6 is bought once and never again.
        var t = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var orders = new List<OrderBasket>();
        for (var c = 0; c < 40; c++)
            for (var k = 0; k < 3; k++) orders.Add(new OrderBasket(t.AddDays(c + 30 * k), k == 0 ? [1, 4, 6] : [1, 4], c));
        var model = ModelBuilder.Build(1, t.AddDays(200), Catalogue, Parents, Names, orders, [], new ModelOptions()).Model;
        var now = t.AddDays(200);
        // The customer bought 1 and 4 twice each: 1 a month ago (due), 4 yesterday; 6 once, a month ago.
        var request = Request(Strategies.BuyAgain, purchased: [1, 4, 6]) with
        {
            PurchasedAt = new Dictionary<long, DateTimeOffset> { [1] = now.AddDays(-30), [4] = now.AddDays(-1), [6] = now.AddDays(-30) },
            PurchaseCounts = new Dictionary<long, int> { [1] = 2, [4] = 2, [6] = 1 },
            Now = now,
        };

        var recs = Recommender.Recommend(model, request);

        Assert.Equal([1L, 4, 6], recs.Take(3).Select(r => r.Product));
        Assert.Equal("bought 2 times, last 30 days ago; customers re-order it about every 30 days", recs[0].Reason.Text);
        Assert.Equal(40, recs[0].Reason.Support);
        // Every other strategy still leaves out what the customer bought.
        Assert.DoesNotContain(Recommender.Recommend(model, request with { Strategy = Strategies.BoughtTogether }), r => r.Product is 1 or 4 or 6);
        // A customer's blend leaves re-orders out unless they are wanted; then they share the list with new products.
        Assert.DoesNotContain(Recommender.Recommend(model, request with { Strategy = null, Limit = 6 }), r => r.Product is 1 or 4 or 6);
        var blend = Recommender.Recommend(model, request with { Strategy = null, Limit = 6, Filters = new RecommendationFilters(ExcludeBought: false) });
        Assert.Contains(blend, r => r.Reason.Strategy == Strategies.BuyAgain);
    }

    [Fact]
    public void ItemKnnAndEase_ReadTheWholeHistory_TheRecentPartMore()
    {
        var model = Model();
        var now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        // Bought 4 two years ago and 1 last week: 1's partner (2) comes before 4's (5).
        var request = Request(Strategies.ItemKnn, purchased: [4, 1]) with
        {
            PurchasedAt = new Dictionary<long, DateTimeOffset> { [4] = now.AddDays(-730), [1] = now.AddDays(-7) },
            Now = now,
        };

        var knn = Recommender.Recommend(model, request).Where(r => r.Reason.Strategy == Strategies.ItemKnn).Select(r => r.Product).ToList();
        var ease = Recommender.Recommend(model, request with { Strategy = Strategies.Ease }).Where(r => r.Reason.Strategy == Strategies.Ease).ToList();

        Assert.True(knn.IndexOf(2) >= 0 && knn.IndexOf(2) < knn.IndexOf(5), string.Join(",", knn));
        Assert.Equal(2, ease[0].Product);
        Assert.Contains(ease, r => r.Product == 5);
        Assert.Equal("goes with Product 1 in customers' histories", ease[0].Reason.Text);
    }
}
