using Cartwise.Stores;

namespace Cartwise.Tracking;

/// <summary>A tracked event as stored: the searchable fields in columns, the whole event as JSON.</summary>
public sealed class StoredEvent : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>Idempotency key, unique per store.</summary>
    public required string EventId { get; set; }
    public required string Name { get; set; }
    public long? CustomerId { get; set; }
    public Customers.Customer? Customer { get; set; }
    public string? AnonymousId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string? TransactionId { get; set; }
    public decimal? Value { get; set; }
    public string? Currency { get; set; }
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmCampaign { get; set; }
    /// <summary>The event's JSON as received (identity fields are removed when the customer is erased).</summary>
    public required string Payload { get; set; }
}
