using System.Collections.Frozen;

namespace Cartwise.Core.Orders;

/// <summary>One row of an order-history file, already read into typed fields.</summary>
/// <param name="Line">Line number in the file (1 = header), for problems.</param>
/// <param name="OccurredAt">When the order was placed (UTC).</param>
public sealed record OrderLineRecord(
    long Line,
    string OrderId,
    string ProductId,
    string? ProductName,
    int Quantity,
    decimal Price,
    DateTimeOffset OccurredAt,
    string? CustomerId,
    string? Email,
    string? Country,
    string? Category,
    string? Currency);

/// <summary>What an order-history row means for Cartwise.</summary>
public enum LineKind
{
    /// <summary>A product sold: becomes an order line.</summary>
    Sale,
    /// <summary>Postage or carriage: adds to the order's shipping and value, not a product.</summary>
    Shipping,
    /// <summary>A fee, manual correction, discount, sample, commission or voucher: adds to the order's value, not a product.</summary>
    NonProduct,
    /// <summary>Returned goods: refunds the matching earlier purchase of the same customer and product.</summary>
    Refund,
    /// <summary>A stock or bad-debt adjustment, not a sale: skipped.</summary>
    Adjustment,
}

/// <summary>
/// The rules that turn rows of the UCI Online Retail layout into orders (see docs/imports.md). Pure and
/// thread-safe.
/// </summary>
public static class OrderLineRules
{
    // Stock codes of the Online Retail data that are not products (the dataset's README lists 33 odd codes; the
    // DCGS… ones among them are real products of the shop's dotcom range).
    private static readonly FrozenSet<string> ShippingCodes = new[] { "POST", "DOT", "C2" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    private static readonly FrozenSet<string> NonProductCodes =
        new[] { "M", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK", "CRUK COMMISSION", "ADJUST", "ADJUST2", "TEST001", "TEST002" }
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Classifies a row. A leading C marks a cancellation invoice, a leading A a bad-debt adjustment.</summary>
    public static LineKind Classify(OrderLineRecord row)
    {
        if (row.OrderId.StartsWith('A')) return LineKind.Adjustment;
        var cancellation = row.OrderId.StartsWith('C') || row.Quantity < 0;
        if (ShippingCodes.Contains(row.ProductId)) return cancellation ? LineKind.Adjustment : LineKind.Shipping;
        if (NonProductCodes.Contains(row.ProductId) || row.ProductId.StartsWith("gift_", StringComparison.OrdinalIgnoreCase))
            return cancellation ? LineKind.Adjustment : LineKind.NonProduct;
        if (row.OrderId.StartsWith('C')) return LineKind.Refund;
        // Negative quantities on ordinary invoices are stock corrections (price 0, no customer): not sales, not refunds.
        if (row.Quantity < 0) return row.Price == 0 && row.CustomerId is null ? LineKind.Adjustment : LineKind.Refund;
        return LineKind.Sale;
    }
}
