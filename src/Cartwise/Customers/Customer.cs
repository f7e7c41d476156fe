using Cartwise.Stores;

namespace Cartwise.Customers;

/// <summary>
/// One person (or, before they are identified, one browser). Profiles found to be the same person are merged into
/// the oldest; the others stay as tombstones with <see cref="MergedIntoId"/> set, so old ids still lead somewhere.
/// </summary>
public sealed class Customer : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>The shop's own id for the customer.</summary>
    public string? ExternalId { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Language { get; set; }
    public string? Country { get; set; }
    public bool? EmailConsent { get; set; }
    public DateTimeOffset? EmailConsentAt { get; set; }
    public string? EmailConsentSource { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public long? MergedIntoId { get; set; }
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>True once a customer id, email or phone is known.</summary>
    public bool IsIdentified { get; set; }
}

/// <summary>
/// A key a profile is found by: <c>c:</c> customer id, <c>e:</c> email, <c>p:</c> phone, <c>a:</c> anonymous id.
/// Unique per store, so one key leads to exactly one profile.
/// </summary>
public sealed class CustomerIdentity : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Key { get; set; }
    public long CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string ForCustomerId(string id) => "c:" + id;
    public static string ForEmail(string email) => "e:" + email;
    public static string ForPhone(string phone) => "p:" + phone;
    public static string ForAnonymous(string id) => "a:" + id;
}

/// <summary>
/// An event sent with the public tracking key that would have merged two identified profiles, or changed an identity
/// field of one, which only the admin key or a valid customer token may do. The event was stored on
/// <see cref="CustomerId"/>; what it claimed is kept here for the operator.
/// </summary>
public sealed class IdentityConflict : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long CustomerId { get; set; }
    public required string EventId { get; set; }
    /// <summary>What was refused, e.g. "would merge profiles 12 and 40" or "would add email x@y to profile 12".</summary>
    public required string Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
