using Cartwise.Stores;

namespace Cartwise.Coupons;

/// <summary>A pool of unique coupon codes, imported from CSV or generated.</summary>
public sealed class CouponPool : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Name { get; set; }
    /// <summary>Below this many unused codes the API warns.</summary>
    public int LowWarning { get; set; } = 100;
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One code of a pool. It is given to one outbox row at most (<see cref="OutboxId"/> is unique and only ever set
/// from null), so never to two people, also under concurrent sends.
/// </summary>
public sealed class CouponCode : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long PoolId { get; set; }
    public required string Code { get; set; }
    public long? OutboxId { get; set; }
    public long? CustomerId { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
}
