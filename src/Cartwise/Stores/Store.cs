namespace Cartwise.Stores;

/// <summary>One shop. Keys are stored as SHA-256 hashes: the plain keys are shown once, at creation.</summary>
public sealed class Store
{
    public long Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public required string TrackingKeyHash { get; set; }
    public required string AdminKeyHash { get; set; }
    /// <summary>ISO 4217; order values are compared in it.</summary>
    public string Currency { get; set; } = "EUR";
    /// <summary>ISO 3166 alpha-2, for phone numbers written without a country code.</summary>
    public string? DefaultCountry { get; set; }
    /// <summary>IANA time zone, for quiet hours and display.</summary>
    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Every row that belongs to a store carries its id; the DbContext filters by it in one place.</summary>
public interface IStoreOwned
{
    long StoreId { get; set; }
}
