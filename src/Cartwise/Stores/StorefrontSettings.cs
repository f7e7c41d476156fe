using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

/// <summary>The storefront's limits when a store sets none.</summary>
public static class StorefrontLimits
{
    /// <summary>A visitor's browser sends a batch every few seconds at most; 600 a minute stops a flood, not a shopper.</summary>
    public const int DefaultPerClient = 600;
    /// <summary>All visitors together: 1,000 requests a second.</summary>
    public const int DefaultPerKey = 60_000;
    public const int MaxOrigins = 50;
}

/// <summary>
/// Who may call the storefront routes from a browser, how often, and the free-shipping threshold. Origins are
/// <c>scheme://host[:port]</c>; <c>https://*.shop.example</c> admits every subdomain (not the bare domain).
/// </summary>
public sealed record StorefrontSettingsRequest(IReadOnlyList<string>? AllowedOrigins, int ClientRequestsPerMinute, int KeyRequestsPerMinute, decimal? FreeShippingThreshold);

public static class StorefrontSettings
{
    /// <summary>The store's allowed origins, as saved (normalised).</summary>
    public static IReadOnlyList<string> Origins(Store store) =>
        store.AllowedOrigins is { Length: > 0 } list ? list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    /// <summary><c>scheme://host[:port]</c> in lower case without the scheme's default port, or why the text is not an origin.</summary>
    public static (string? Origin, string? Problem) Normalize(string text)
    {
        var t = text.Trim().TrimEnd('/');
        var wildcard = t.Contains("://*.", StringComparison.Ordinal);
        var probe = wildcard ? t.Replace("://*.", "://", StringComparison.Ordinal) : t;
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.UserInfo.Length > 0
            || u.AbsolutePath != "/" || u.Query.Length > 0 || u.Fragment.Length > 0 || t.Contains('*', StringComparison.Ordinal) && !wildcard)
            return (null, $"'{text.Trim()}' is not an origin: write scheme://host or scheme://host:port (https://*.host for its subdomains), without a path.");
        var port = u.IsDefaultPort ? "" : ":" + u.Port.ToString(CultureInfo.InvariantCulture);
        return (u.Scheme + "://" + (wildcard ? "*." : "") + u.IdnHost.ToLowerInvariant() + port, null);
    }

    /// <summary>True when a browser page of <paramref name="origin"/> (the request's Origin header) may use the store's tracking key.</summary>
    public static bool Allows(Store store, string origin)
    {
        var (normal, _) = Normalize(origin);
        if (normal is null) return false;
        foreach (var allowed in Origins(store))
        {
            if (allowed == normal) return true;
            var star = allowed.IndexOf("://*.", StringComparison.Ordinal);
            if (star < 0) continue;
            // https://*.shop.example admits https://www.shop.example(:port as written): same scheme, a longer host ending in .shop.example.
            var scheme = allowed[..(star + 3)];
            var suffix = allowed[(star + 4)..];
            if (normal.StartsWith(scheme, StringComparison.Ordinal) && normal.EndsWith(suffix, StringComparison.Ordinal) && normal.Length > scheme.Length + suffix.Length)
                return true;
        }
        return false;
    }

    public static IEnumerable<ValidationResult> Validate(StorefrontSettingsRequest request)
    {
        var origins = request.AllowedOrigins ?? [];
        if (origins.Count > StorefrontLimits.MaxOrigins) yield return new($"At most {StorefrontLimits.MaxOrigins} origins.", ["allowedOrigins"]);
        foreach (var o in origins.Where(o => !string.IsNullOrWhiteSpace(o)))
            if (Normalize(o).Problem is { } problem) { yield return new(problem, ["allowedOrigins"]); break; }
        if (request.ClientRequestsPerMinute is < 0 or > 1_000_000) yield return new("Must be from 0 (no limit) to 1,000,000.", ["clientRequestsPerMinute"]);
        if (request.KeyRequestsPerMinute is < 0 or > 100_000_000) yield return new("Must be from 0 (no limit) to 100,000,000.", ["keyRequestsPerMinute"]);
        if (request.FreeShippingThreshold is < 0 or > 1_000_000_000) yield return new("Must be a positive amount, or empty for none.", ["freeShippingThreshold"]);
    }

    /// <summary>Saves the storefront settings; the problems, when any, name the field and change nothing.</summary>
    public static async Task<IReadOnlyList<ValidationResult>> UpdateAsync(CartwiseDb db, StoreCache stores, StorefrontSettingsRequest request, CancellationToken ct)
    {
        var problems = Validate(request).ToList();
        if (problems.Count > 0) return problems;
        var origins = (request.AllowedOrigins ?? []).Where(o => !string.IsNullOrWhiteSpace(o)).Select(o => Normalize(o).Origin!).Distinct(StringComparer.Ordinal).ToList();
        var s = await db.Stores.SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        s.AllowedOrigins = origins.Count == 0 ? null : string.Join('\n', origins);
        s.ClientRequestsPerMinute = request.ClientRequestsPerMinute;
        s.KeyRequestsPerMinute = request.KeyRequestsPerMinute;
        s.FreeShippingThreshold = request.FreeShippingThreshold is > 0 ? request.FreeShippingThreshold : null;
        await db.SaveChangesAsync(ct);
        stores.Forget(s.Id);
        return [];
    }
}
