using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Cartwise.Core.Customers;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

/// <summary>The plain keys of a new store: shown once, never stored.</summary>
public sealed record CreatedStore(long StoreId, string Slug, string TrackingKey, string AdminKey);

/// <summary>Creates stores. Used by the CLI, the demo and tests.</summary>
public static partial class StoreService
{
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    /// <summary>Checks a new store's settings; the messages name the field at fault.</summary>
    public static IEnumerable<ValidationResult> Validate(string slug, string currency, string? country, string timeZone)
    {
        if (!SlugPattern().IsMatch(slug))
            yield return new("Slug must be 1–64 lower-case letters, digits or hyphens, not starting or ending with a hyphen.", ["slug"]);
        if (!Currencies.IsKnown(currency)) yield return new($"'{currency}' is not an ISO 4217 currency code.", ["currency"]);
        if (country is not null && !ContactPoints.IsKnownCountry(country)) yield return new($"'{country}' is not a country Cartwise knows the phone prefix of.", ["country"]);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)) yield return new($"'{timeZone}' is not an IANA time zone.", ["timeZone"]);
    }

    /// <summary>Checks a store's name, currency, country and time zone (a new store's or a changed one's).</summary>
    public static IEnumerable<ValidationResult> ValidateProfile(StoreProfileRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) yield return new("Name must be 1–200 characters.", ["name"]);
        foreach (var problem in Validate("x", request.Currency ?? "", string.IsNullOrWhiteSpace(request.Country) ? null : request.Country, request.TimeZone ?? ""))
            yield return problem;
    }

    /// <summary>Changes the store's name, currency, country and time zone; the problems, when any, name the field and change nothing.</summary>
    public static async Task<IReadOnlyList<ValidationResult>> UpdateProfileAsync(CartwiseDb db, StoreCache stores, StoreProfileRequest request, CancellationToken ct)
    {
        var problems = ValidateProfile(request).ToList();
        if (problems.Count > 0) return problems;
        var s = await db.Stores.SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        s.Name = request.Name.Trim();
        s.Currency = request.Currency.ToUpperInvariant();
        s.DefaultCountry = string.IsNullOrWhiteSpace(request.Country) ? null : request.Country.ToUpperInvariant();
        s.TimeZone = request.TimeZone;
        await db.SaveChangesAsync(ct);
        stores.Forget(s.Id);
        return [];
    }

    /// <summary>
    /// A new tracking or admin key for the store; the old one stops working at once on this node and within 30 s on
    /// the others. The plain key is returned once and never stored.
    /// </summary>
    public static async Task<string> RotateKeyAsync(CartwiseDb db, Hosting.KeyDirectory keys, bool admin, CancellationToken ct)
    {
        var s = await db.Stores.SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var key = admin ? StoreKeys.NewAdminKey() : StoreKeys.NewTrackingKey();
        var old = admin ? s.AdminKeyHash : s.TrackingKeyHash;
        if (admin) s.AdminKeyHash = StoreKeys.Hash(key);
        else s.TrackingKeyHash = StoreKeys.Hash(key);
        await db.SaveChangesAsync(ct);
        keys.Forget(admin, old);
        return key;
    }

    /// <summary>A new identity secret: customer tokens computed with the old one stop working.</summary>
    public static async Task<string> RotateIdentitySecretAsync(CartwiseDb db, StoreCache stores, CancellationToken ct)
    {
        var secret = StoreKeys.NewIdentitySecret();
        await db.Stores.Where(s => s.Id == db.CurrentStoreId).ExecuteUpdateAsync(u => u.SetProperty(s => s.IdentitySecret, secret), ct);
        stores.Forget(db.CurrentStoreId);
        return secret;
    }

    public static async Task<CreatedStore> CreateAsync(CartwiseDb db, string slug, string? name, string currency, string? country, string timeZone,
        DateTimeOffset now, CancellationToken ct, string? trackingKey = null, string? adminKey = null)
    {
        var errors = Validate(slug, currency, country, timeZone).ToList();
        if (errors.Count > 0) throw new ValidationException(string.Join(" ", errors.Select(e => e.ErrorMessage)));
        if (await db.Stores.AnyAsync(s => s.Slug == slug, ct)) throw new ValidationException($"A store with the slug '{slug}' already exists.");
        trackingKey ??= StoreKeys.NewTrackingKey();
        adminKey ??= StoreKeys.NewAdminKey();
        var store = new Store
        {
            Slug = slug,
            Name = name ?? slug,
            Currency = currency,
            DefaultCountry = country?.ToUpperInvariant(),
            TimeZone = timeZone,
            TrackingKeyHash = StoreKeys.Hash(trackingKey),
            AdminKeyHash = StoreKeys.Hash(adminKey),
            IdentitySecret = StoreKeys.NewIdentitySecret(),
            CreatedAt = now,
        };
        db.Stores.Add(store);
        await db.SaveChangesAsync(ct);
        return new CreatedStore(store.Id, store.Slug, trackingKey, adminKey);
    }

    /// <summary>The store's counts (the API's <c>/stats</c> and the admin app's overview).</summary>
    public static async Task<StoreStats> StatsAsync(CartwiseDb db, CancellationToken ct)
    {
        var byName = await db.Events.GroupBy(e => e.Name).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var live = db.Customers.Where(c => c.MergedIntoId == null && c.ErasedAt == null);
        return new StoreStats(
            await db.Products.CountAsync(ct),
            await db.Categories.CountAsync(ct),
            await live.CountAsync(c => c.IsIdentified, ct),
            await live.CountAsync(c => !c.IsIdentified, ct),
            await db.Orders.CountAsync(ct),
            await db.OrderLines.CountAsync(ct),
            byName.Values.Sum(),
            byName);
    }
}
