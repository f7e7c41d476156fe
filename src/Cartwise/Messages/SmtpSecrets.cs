using Microsoft.AspNetCore.DataProtection;

namespace Cartwise.Messages;

/// <summary>
/// A store's SMTP address carries its password, so it is kept encrypted with ASP.NET Core Data Protection; the key
/// ring lives in the database (<see cref="Data.CartwiseDb.DataProtectionKeys"/>) so every node can read what another
/// wrote. A value written before encryption (no prefix) is read as it is and encrypted at its next save. Thread-safe.
/// </summary>
public sealed class SmtpSecrets(IDataProtectionProvider provider)
{
    private const string Prefix = "dp1:";
    private readonly IDataProtector _protector = provider.CreateProtector("Cartwise.StoreSmtp.v1");

    /// <summary>What the column stores for <paramref name="url"/>.</summary>
    public string? Protect(string? url) => url is null ? null : Prefix + _protector.Protect(url);

    /// <summary>The SMTP address stored as <paramref name="stored"/>.</summary>
    public string? Unprotect(string? stored) =>
        stored is null ? null : stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;
}
