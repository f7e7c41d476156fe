using Cartwise.Core.Recommendations;

namespace Cartwise.Core.Tests.Recommendations;

public sealed class WidgetAttributionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    private static PlacedOrder Order(long id, long customer, double days, decimal value, params (string Item, decimal Value)[] items) =>
        new(id, customer, T0.AddDays(days), value, items.ToDictionary(i => i.Item, i => i.Value));

    [Fact]
    public void ClicksAreCredited_WithTheAdditionsAndOrdersOfTheSameCustomerAndItem_WithinSevenDays()
    {
        WidgetImpression[] impressions = [new("cart", "cart", 4), new("cart", "cart", 4), new("cart", "cart", 3), new("cart", "cart", 4), new("upsell", "upsell", 2)];
        WidgetClick[] clicks =
        [
            new("cart", "cart", 1, T0, ["MUG"]),
            new("upsell", "upsell", 2, T0, ["LAMP"]),
            new("cart", "cart", 3, T0, ["PLATE"]),
        ];
        CartAddition[] additions =
        [
            new(1, T0.AddMinutes(1), ["MUG"]),
            new(1, T0.AddMinutes(2), ["MUG"]),  // the same click's item again: counted once
            new(2, T0.AddDays(-1), ["LAMP"]),   // before the click: not the widget's doing
            new(3, T0.AddDays(8), ["PLATE"]),   // after the window
            new(4, T0.AddMinutes(1), ["MUG"]),  // another customer
        ];
        PlacedOrder[] orders =
        [
            Order(10, 1, 2, 40m, ("MUG", 9m), ("TEA", 31m)),   // two days after the click: credited, 9 of it the clicked mug
            Order(11, 1, 3, 15m, ("TEA", 15m)),                // no clicked item in it
            Order(12, 2, 7.5, 80m, ("LAMP", 80m)),             // 7.5 days after the click
            Order(13, 3, -1, 20m, ("PLATE", 20m)),             // before the click
        ];

        var (rows, total) = WidgetAttribution.Compute(impressions, clicks, additions, orders);

        var cart = rows.Single(r => r.Widget == "cart");
        Assert.Equal((4, 15, 2, 0.5), (cart.Impressions, cart.ItemsShown, cart.Clicks, cart.ClickThroughRate!.Value));
        Assert.Equal((1, 1, 40m, 9m), (cart.AddedToCart, cart.Orders, cart.Revenue, cart.ItemRevenue));
        var upsell = rows.Single(r => r.Widget == "upsell");
        Assert.Equal((1, 1, 1.0, 0, 0, 0m), (upsell.Impressions, upsell.Clicks, upsell.ClickThroughRate!.Value, upsell.AddedToCart, upsell.Orders, upsell.Revenue));
        Assert.Equal("cart", rows[0].Widget);
        Assert.Equal((5, 3, 0.6, 1, 1, 40m), (total.Impressions, total.Clicks, total.ClickThroughRate!.Value, total.AddedToCart, total.Orders, total.Revenue));
    }

    [Fact]
    public void AnOrderThatTwoWidgetsLedTo_CountsForEach_AndOnceInTheTotal()
    {
        WidgetClick[] clicks = [new("cart", "cart", 1, T0, ["MUG"]), new("free-shipping", "bestsellers", 1, T0.AddHours(1), ["PLATE"])];

        var (rows, total) = WidgetAttribution.Compute([], clicks, [], [Order(10, 1, 1, 30m, ("MUG", 9m), ("PLATE", 21m))]);

        Assert.All(rows, r => Assert.Equal((1, 30m), (r.Orders, r.Revenue)));
        Assert.Equal(9m, rows.Single(r => r.Widget == "cart").ItemRevenue);
        Assert.Equal((1, 30m, 30m), (total.Orders, total.Revenue, total.ItemRevenue));
        // Clicks without impressions reported (a blocked beacon): no rate rather than a made-up one.
        Assert.All(rows, r => Assert.Null(r.ClickThroughRate));
    }
}
