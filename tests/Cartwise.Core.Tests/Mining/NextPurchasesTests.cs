using Cartwise.Core.Mining;

namespace Cartwise.Core.Tests.Mining;

public sealed class NextPurchasesTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static TimedBasket Order(double day, params long[] items) => new(T0.AddDays(day), items);

    [Fact]
    public void CoffeeMachine_ThenCoffee_NineDaysLater_AndTheSameBasketDoesNotCount()
    {
        // 1 machine, 2 coffee, 3 cleaning fluid. Ann and Bob buy coffee after the machine; Cat buys both at once.
        IReadOnlyList<TimedBasket>[] customers =
        [
            [Order(0, 1), Order(9, 2), Order(40, 2)],
            [Order(0, 1, 3), Order(11, 2)],
            [Order(0, 1, 2)],
            [Order(5, 2), Order(70, 2)],
        ];
        var rules = NextPurchases.Mine(customers, TimeSpan.FromDays(60), 1).ToDictionary(r => (r.Antecedent, r.Consequent));

        var coffee = rules[(1, 2)];
        Assert.Equal(2, coffee.Support);
        Assert.Equal(2.0 / 3, coffee.Confidence, 9);
        Assert.Equal(10, coffee.MedianLagDays, 9);
        // Coffee's base rate: of the 4 customers, Ann and Bob bought it after their first order within 60 days (Dan's
        // second coffee was 65 days on): 2 / 4.
        Assert.Equal(2.0 / 3 / 0.5, coffee.Lift, 9);
        Assert.Equal(1, rules[(3, 2)].Support);
        Assert.Equal(1, rules[(2, 2)].Support); // Ann's coffee again 31 days later: a re-order of itself
        Assert.Equal(31, rules[(2, 2)].MedianLagDays, 9);
        Assert.False(rules.ContainsKey((1, 3))); // only in the machine's own basket
        Assert.Empty(NextPurchases.Mine(customers, TimeSpan.FromDays(60), 3));
    }

    [Fact]
    public void Mine_FindsEveryRuleOfABruteForceReference_WithTheSameFigures()
    {
        var random = new Random(8);
        for (var round = 0; round < 30; round++)
        {
            var customers = Enumerable.Range(0, random.Next(1, 25)).Select(_ =>
                (IReadOnlyList<TimedBasket>)Enumerable.Range(0, random.Next(1, 6))
                    .Select(_ => Order(random.Next(0, 120), Enumerable.Range(0, random.Next(1, 4)).Select(_ => (long)random.Next(1, 7)).Distinct().ToArray())).ToList()).ToList();
            var window = TimeSpan.FromDays(random.Next(1, 80));
            var minSupport = random.Next(1, 3);
            var mined = NextPurchases.Mine(customers, window, minSupport).ToDictionary(r => (r.Antecedent, r.Consequent));

            var expected = Reference(customers, window, minSupport);
            Assert.Equal(expected.Keys.Order(), mined.Keys.Order());
            foreach (var (key, (support, confidence, lift, median)) in expected)
            {
                var r = mined[key];
                Assert.Equal(support, r.Support);
                Assert.Equal(confidence, r.Confidence, 9);
                Assert.Equal(lift, r.Lift, 9);
                Assert.Equal(median, r.MedianLagDays, 9);
            }

            // Capped per antecedent: each antecedent's strongest rules of the uncapped result, with the same figures.
            var capped = NextPurchases.Mine(customers, window, minSupport, perAntecedent: 2);
            foreach (var group in mined.Values.GroupBy(r => r.Antecedent))
            {
                var strongest = group.Select(r => NextPurchases.Strength(r.Confidence, r.Lift)).OrderDescending().Take(2).ToList();
                var kept = capped.Where(r => r.Antecedent == group.Key).ToList();
                Assert.Equal(strongest, kept.Select(r => NextPurchases.Strength(r.Confidence, r.Lift)).OrderDescending().ToList());
                Assert.All(kept, r => Assert.Equal(mined[(r.Antecedent, r.Consequent)], r));
            }
        }
    }

    /// <summary>The definition, pair by pair and customer by customer.</summary>
    private static Dictionary<(long, long), (int, double, double, double)> Reference(List<IReadOnlyList<TimedBasket>> customers, TimeSpan window, int minSupport)
    {
        var items = customers.SelectMany(c => c.SelectMany(o => o.Items)).Distinct().ToList();
        var result = new Dictionary<(long, long), (int, double, double, double)>();
        var nonEmpty = customers.Count(c => c.Count > 0);
        // A customer's orders merged by time, ascending.
        List<(DateTimeOffset At, HashSet<long> Items)> Orders(IReadOnlyList<TimedBasket> c) =>
            c.GroupBy(o => o.At).OrderBy(g => g.Key).Select(g => (g.Key, g.SelectMany(o => o.Items).ToHashSet())).ToList();
        double? LagAfter(List<(DateTimeOffset At, HashSet<long> Items)> orders, int from, long b) =>
            orders.Skip(from + 1).Where(o => o.At - orders[from].At <= window && o.Items.Contains(b)).Select(o => (double?)(o.At - orders[from].At).TotalDays).FirstOrDefault();
        foreach (var a in items)
            foreach (var b in items)
            {
                var lags = new List<double>();
                int buyers = 0, baseHits = 0;
                foreach (var c in customers)
                {
                    var orders = Orders(c);
                    if (orders.Count == 0) continue;
                    if (LagAfter(orders, 0, b) is not null) baseHits++;
                    var firstA = orders.FindIndex(o => o.Items.Contains(a));
                    if (firstA < 0) continue;
                    buyers++;
                    if (LagAfter(orders, firstA, b) is { } lag) lags.Add(lag);
                }
                if (lags.Count < Math.Max(1, minSupport)) continue;
                lags.Sort();
                var confidence = (double)lags.Count / buyers;
                var rate = (double)baseHits / nonEmpty;
                var median = lags.Count % 2 == 1 ? lags[lags.Count / 2] : (lags[lags.Count / 2 - 1] + lags[lags.Count / 2]) / 2;
                result[(a, b)] = (lags.Count, confidence, rate == 0 ? 0 : confidence / rate, median);
            }
        return result;
    }
}
