namespace Cartwise.Core.Analytics;

/// <summary>
/// An order as the reports read it. <paramref name="Person"/> is the customer after merges (orders follow the
/// surviving profile), null for a guest; <paramref name="Refunded"/> is what refunds took back, as the order import
/// and tracking record it.
/// </summary>
public readonly record struct OrderFact(long Order, long? Person, DateTimeOffset PlacedAt, decimal Value, decimal Refunded, bool HasCoupon)
{
    /// <summary>What the order earned after refunds.</summary>
    public decimal Net => Value - Refunded;

    /// <summary>An order counts as a sale while something of it was kept: a wholly refunded order is not one.</summary>
    public bool IsSale => Value > 0 && Net > 0;
}
