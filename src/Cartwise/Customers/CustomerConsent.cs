using Microsoft.EntityFrameworkCore;

namespace Cartwise.Customers;

/// <summary>
/// The write of email consent outside event ingestion (which records it in its batched writer): an unsubscribe or a
/// bounce withdraws it, a double opt-in confirmation gives it. Always with its time and source.
/// </summary>
public static class CustomerConsent
{
    /// <summary>Sets the consent of <paramref name="customers"/>; returns how many rows changed.</summary>
    public static Task<int> RecordAsync(IQueryable<Customer> customers, bool consent, string source, DateTimeOffset at, CancellationToken ct) =>
        customers.ExecuteUpdateAsync(u => u
            .SetProperty(c => c.EmailConsent, consent).SetProperty(c => c.EmailConsentAt, at).SetProperty(c => c.EmailConsentSource, source), ct);
}
