using Cartwise.Stores;

namespace Cartwise.Orders;

/// <summary>An order, known by the shop's transaction id (unique per store).</summary>
public sealed class Order : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string ExternalId { get; set; }
    public long? CustomerId { get; set; }
    public Customers.Customer? Customer { get; set; }
    public DateTimeOffset PlacedAt { get; set; }
    public decimal Value { get; set; }
    public required string Currency { get; set; }
    public string? Coupon { get; set; }
    public decimal? Shipping { get; set; }
    public decimal? Tax { get; set; }
    public decimal RefundedValue { get; set; }
    public DateTimeOffset? RefundedAt { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
}

/// <summary>One line of an order, keyed by its order and number. Refunds lower <see cref="RefundedQuantity"/>; the line itself stays.</summary>
public sealed class OrderLine : IStoreOwned
{
    public long StoreId { get; set; }
    public long OrderId { get; set; }
    public int LineNo { get; set; }
    public long ProductId { get; set; }
    public Catalog.Product? Product { get; set; }
    public int Quantity { get; set; }
    public decimal Price { get; set; }
    public int RefundedQuantity { get; set; }
}
