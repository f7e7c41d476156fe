using System.Security.Cryptography;
using System.Text;

namespace Cartwise.Core.Customers;

/// <summary>
/// The proof that a storefront request speaks for a signed-in customer: the shop's server computes
/// <c>hex(HMAC-SHA256(identity secret, shop customer id))</c> and puts it in the page; a visitor cannot compute it for
/// anyone else. Stateless and thread-safe.
/// </summary>
public static class CustomerToken
{
    /// <summary>The token of <paramref name="customerId"/> (lower-case hex, 64 characters).</summary>
    public static string Compute(string secret, string customerId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(customerId)));

    /// <summary>
    /// True when <paramref name="token"/> is the token of <paramref name="customerId"/> (compared in constant time; any
    /// case); always false for a store without a secret.
    /// </summary>
    public static bool Verify(string? secret, string customerId, string? token)
    {
        if (secret is null || token is not { Length: 64 }) return false;
        var expected = Encoding.ASCII.GetBytes(Compute(secret, customerId));
        var given = Encoding.ASCII.GetBytes(token.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The error of a missing or wrong token, for the field that should carry it.</summary>
    public static string Problem(string customerId) =>
        $"Is missing or is not the token of customer_id '{customerId}' (hex of HMAC-SHA256 of it with the store's identity secret).";
}
