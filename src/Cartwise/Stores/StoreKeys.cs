using System.Security.Cryptography;
using System.Text;

namespace Cartwise.Stores;

/// <summary>Store keys: 32 random bytes, URL-safe, with a prefix that tells a tracking key from an admin key.</summary>
public static class StoreKeys
{
    public const string DemoTrackingKey = "demo-tracking-key";
    public const string DemoAdminKey = "demo-admin-key";

    public static string NewTrackingKey() => "cwt_" + Random();
    public static string NewAdminKey() => "cwa_" + Random();
    /// <summary>The secret a shop's server signs customer ids with (<c>customer_token</c>); kept as is, since the token is computed from it.</summary>
    public static string NewIdentitySecret() => "cwi_" + Random();

    /// <summary>Keys carry 256 bits of entropy, so a plain SHA-256 is enough to store them safely.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Random() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
