using Cartwise.Core.Analytics;

namespace Cartwise.Core.Tests.Analytics;

public sealed class OrderAnalyticsTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    private static OrderFact O(long id, long? person, int day, decimal value, decimal refunded = 0, bool coupon = false) =>
        new(id, person, Day0.AddDays(day), value, refunded, coupon);

    [Fact]
    public void Order_values_net_refunds_and_leave_wholly_refunded_orders_out()
    {
        var report = OrderValues.Compute([O(1, 1, 0, 10), O(2, 2, 0, 20, 5, coupon: true), O(3, 3, 0, 30), O(4, 4, 0, 40, 40), O(5, 5, 0, 100)]);
        Assert.Equal(4, report.Orders);
        Assert.Equal(155m, report.Revenue);
        Assert.Equal(38.75m, report.AverageOrderValue);
        Assert.Equal(22.5m, report.Median);
        Assert.Equal(1, report.RefundedOrders);
        Assert.Equal(45m, report.Refunded);
        Assert.Equal(0.25, report.CouponShare);
    }

    [Fact]
    public void Quantiles_interpolate_as_numpy_does()
    {
        decimal[] v = [1, 2, 3, 4, 10];
        Assert.Equal(3m, Quantiles.Of(v, 0.5));
        Assert.Equal(2m, Quantiles.Of(v, 0.25));
        Assert.Equal(7.6m, Quantiles.Of(v, 0.9));
        Assert.Equal(10m, Quantiles.Of(v, 1));
    }

    [Fact]
    public void A_given_bucket_width_covers_every_order()
    {
        var values = Enumerable.Range(1, 100).Select(i => (decimal)i).ToList();
        var (width, buckets) = OrderValues.Histogram(values, 25);
        Assert.Equal(25m, width);
        Assert.Equal([24, 25, 25, 25, 1], buckets.Select(b => b.Orders));
        var (chosen, auto) = OrderValues.Histogram(values);
        Assert.Equal(5m, chosen);
        Assert.Equal(100, auto.Sum(b => b.Orders));
        Assert.Null(auto[^1].To);
    }

    [Fact]
    public void Repeat_purchases_count_people_by_their_orders_up_to_the_end()
    {
        OrderFact[] history =
        [
            O(1, 1, -30, 50), O(2, 1, 0, 50), O(3, 1, 5, 50), O(4, 1, 6, 50),  // four orders, second 30 days after the first
            O(5, 2, 1, 20), O(6, 2, 3, 20),                                        // two, 2 days apart
            O(7, 3, 2, 70),                                                        // one
            O(8, null, 2, 15),                                                     // a guest
            O(9, 4, 40, 10),                                                       // after the range
        ];
        var r = RepeatPurchases.Compute(history, Day0.AddDays(-1), Day0.AddDays(10));
        Assert.Equal(3, r.Customers);
        Assert.Equal(2, r.RepeatCustomers);
        Assert.Equal(0.6667, r.RepeatRate);
        Assert.Equal([1, 1, 0, 1], r.ByOrders.Select(g => g.Customers));
        Assert.Equal(16, r.MedianDaysToSecond);
        Assert.Equal(1, r.DaysToSecond.Single(b => b.Label == "0–7").Customers);
        Assert.Equal(1, r.DaysToSecond.Single(b => b.Label == "8–30").Customers);
        Assert.Equal((2, 90m), (r.NewOrders, r.NewRevenue));
        Assert.Equal((4, 170m), (r.ReturningOrders, r.ReturningRevenue));
        Assert.Equal((1, 15m), (r.GuestOrders, r.GuestRevenue));
    }

    [Fact]
    public void Cohorts_form_a_left_aligned_triangle_in_the_store_time_zone()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Warsaw");
        var jan31Late = new DateTimeOffset(2026, 1, 31, 23, 30, 0, TimeSpan.Zero); // 1 February in Warsaw
        OrderFact[] history =
        [
            new(1, 1, new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero), 10, 0, false),
            new(2, 1, new(2026, 3, 5, 10, 0, 0, TimeSpan.Zero), 30, 0, false),
            new(3, 2, new(2026, 1, 20, 10, 0, 0, TimeSpan.Zero), 5, 0, false),
            new(4, 3, jan31Late, 7, 0, false),
            new(5, 3, new(2026, 2, 10, 10, 0, 0, TimeSpan.Zero), 8, 0, false),
        ];
        var cohorts = Cohorts.Monthly(history, zone, new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 31));
        Assert.Equal(["2026-01", "2026-02"], cohorts.Select(c => c.Month));
        Assert.Equal(2, cohorts[0].Customers);
        Assert.Equal([2, 0, 1], cohorts[0].Months.Select(m => m.Customers));
        Assert.Equal(0.5, cohorts[0].Months[2].Share);
        Assert.Equal(30m, cohorts[0].Months[2].Revenue);
        Assert.Equal([1, 0], cohorts[1].Months.Select(m => m.Customers));
        Assert.Equal(15m, cohorts[1].Months[0].Revenue);
    }

    [Fact]
    public void The_threshold_sits_a_little_above_most_orders_as_seed_003_reasons()
    {
        // Items at 30–45; most orders are one or two items.
        var random = new Random(5);
        var prices = Enumerable.Range(0, 400).Select(_ => (decimal)random.Next(30, 46)).ToList();
        var orders = Enumerable.Range(0, 400).Select(i => prices[i] + (i % 3 == 0 ? prices[(i + 7) % 400] : 0)).ToList();
        var s = ShippingThreshold.Suggest(orders, prices.Select(p => (p, 1L)));
        Assert.NotNull(s.Suggested);
        Assert.Equal(Quantiles.Of(prices.Order().ToList(), 0.5), s.TypicalItemPrice);
        Assert.True(s.Suggested > 50, $"suggested {s.Suggested}: a 50 threshold is not compelling at 30–45 an item");
        var chosen = s.Candidates.Single(c => c.Threshold == s.Suggested);
        Assert.True(chosen.ShareAbove <= ShippingThreshold.MaxShareAbove);
        Assert.Equal((double)orders.Count(v => v >= s.Suggested) / orders.Count, chosen.ShareAbove, 4);
        Assert.Equal(50m, Quantiles.UpToFive(47));
        // Counted prices give the quantile of the expanded list.
        var counted = new List<(decimal, long)> { (1m, 3), (2m, 1), (10m, 2) };
        decimal[] expanded = [1, 1, 1, 2, 10, 10];
        foreach (var p in new[] { 0, 0.25, 0.5, 0.7, 0.9, 1 }) Assert.Equal(Quantiles.Of(expanded, p), Quantiles.OfCounted(counted, p));
        Assert.Equal(200m, Quantiles.UpToFive(163));
    }
}
