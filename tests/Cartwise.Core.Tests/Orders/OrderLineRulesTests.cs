using Cartwise.Core.Orders;

namespace Cartwise.Core.Tests.Orders;

public sealed class OrderLineRulesTests
{
    private static OrderLineRecord Row(string order, string product, int quantity, decimal price = 1m, string? customer = "1") =>
        new(2, order, product, null, quantity, price, DateTimeOffset.UnixEpoch, customer, null, null, null, null);

    [Theory]
    [InlineData("536365", "85123A", 6, 2.55, "17850", LineKind.Sale)]
    [InlineData("536365", "21756", 3, 0, "17850", LineKind.Sale)]
    [InlineData("C536379", "71053", -4, 3.39, "17850", LineKind.Refund)]
    [InlineData("536381", "22139", -10, 0, null, LineKind.Adjustment)]
    [InlineData("A563185", "B", 1, 11062.06, null, LineKind.Adjustment)]
    [InlineData("536365", "POST", 1, 18, "17850", LineKind.Shipping)]
    [InlineData("536365", "DOT", 1, 569.77, null, LineKind.Shipping)]
    [InlineData("C536365", "POST", -1, 18, "17850", LineKind.Adjustment)]
    [InlineData("536382", "gift_0001_20", 1, 17.02, "13047", LineKind.NonProduct)]
    [InlineData("536383", "BANK CHARGES", 1, 15, "13047", LineKind.NonProduct)]
    [InlineData("536383", "m", 1, 2.5, "13047", LineKind.NonProduct)]
    [InlineData("536384", "DCGSSGIRL", 1, 3.29, null, LineKind.Sale)]
    [InlineData("Z-2", "SKU-3", -1, 99, "K1", LineKind.Refund)]
    public void Classify(string order, string product, int quantity, double price, string? customer, LineKind expected) =>
        Assert.Equal(expected, OrderLineRules.Classify(Row(order, product, quantity, (decimal)price, customer)));
}
