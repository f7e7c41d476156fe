using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

public sealed record StoreView(long Id, string Slug, string Name, string Currency, string? DefaultCountry, string TimeZone, DateTimeOffset CreatedAt,
    bool DoubleOptIn, bool EventsUpdateProducts, long? ConfirmationMessageId,
    IReadOnlyList<string> AllowedOrigins, int ClientRequestsPerMinute, int KeyRequestsPerMinute, decimal? FreeShippingThreshold);

/// <summary>How the store treats what the public tracking key sends (see docs/security.md).</summary>
public sealed record StoreSettingsRequest(bool DoubleOptIn, bool EventsUpdateProducts, long? ConfirmationMessageId);

/// <summary>A store's name, currency (ISO 4217), country (ISO 3166 alpha-2, optional) and IANA time zone.</summary>
public sealed record StoreProfileRequest(string Name, string Currency, string? Country, string TimeZone);

/// <summary>A key just made: shown this once.</summary>
public sealed record NewKeyView(string Kind, string Key);

/// <summary>The secret the shop's server computes <c>customer_token</c>s with.</summary>
public sealed record IdentitySecretView(string Secret);

/// <summary>The store's overview: what an operator checks after an import.</summary>
public sealed record StoreStats(
    int Products, int Categories, int Customers, int AnonymousVisitors, int Orders, int OrderLines, int Events, IReadOnlyDictionary<string, int> EventsByName);

public static class StoreEndpoints
{
    public static IEndpointRouteBuilder MapStoreEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Store");
        g.MapGet("/store", GetAsync).WithSummary("The store the admin key belongs to.");
        g.MapPut("/store/settings", SettingsAsync).WithSummary("Double opt-in, whether events may describe products no feed lists, the confirmation message.");
        g.MapGet("/store/identity-secret", IdentitySecretAsync).WithSummary("The secret for customer_token = hex(HMAC-SHA256(secret, customer_id)); made when first asked for.");
        g.MapPost("/store/identity-secret/rotate", RotateIdentitySecretAsync).WithSummary("A new identity secret: tokens computed with the old one stop working.");
        g.MapPut("/store/storefront", StorefrontAsync).WithSummary("Origins whose pages may use the tracking key, request limits per client and per key, the free-shipping threshold.");
        g.MapPut("/store", ProfileAsync).WithSummary("Change the store's name, currency, country and time zone.");
        g.MapPost("/store/keys/{kind}/rotate", RotateKeyAsync).WithSummary("A new tracking or admin key (kind = tracking|admin), shown once; the old one stops working.");
        g.MapGet("/stats/sales", SalesAsync).WithSummary("Orders, revenue and average order value from= to= (days of the store's time zone, both included), with a row per day.");
        g.MapGet("/stats", StatsAsync).WithSummary("Counts of products, categories, customers, orders, order lines and events by name.");
        return app;
    }

    internal static async Task<Results<Ok<StoreView>, NotFound>> GetAsync(CartwiseDb db, CancellationToken ct)
    {
        var s = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Id == db.CurrentStoreId, ct);
        return s is null ? TypedResults.NotFound() : TypedResults.Ok(View(s));
    }

    internal static StoreView View(Store s) =>
        new(s.Id, s.Slug, s.Name, s.Currency, s.DefaultCountry, s.TimeZone, s.CreatedAt, s.DoubleOptIn, s.EventsUpdateProducts, s.ConfirmationMessageId,
            StorefrontSettings.Origins(s), s.ClientRequestsPerMinute, s.KeyRequestsPerMinute, s.FreeShippingThreshold);

    internal static async Task<Results<Ok<StoreView>, ValidationProblem>> SettingsAsync(StoreSettingsRequest request, CartwiseDb db, StoreCache stores, CancellationToken ct)
    {
        if (request.ConfirmationMessageId is { } mid && !await db.Messages.AnyAsync(m => m.Id == mid, ct))
            return Problems.Field("confirmationMessageId", $"No message {mid} in this store.");
        var s = await db.Stores.SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        s.DoubleOptIn = request.DoubleOptIn;
        s.EventsUpdateProducts = request.EventsUpdateProducts;
        s.ConfirmationMessageId = request.ConfirmationMessageId;
        await db.SaveChangesAsync(ct);
        stores.Forget(s.Id);
        return TypedResults.Ok(View(s));
    }

    internal static async Task<Ok<IdentitySecretView>> IdentitySecretAsync(CartwiseDb db, StoreCache stores, CancellationToken ct)
    {
        // Only set when still empty: two requests at once agree on whichever was written first.
        await db.Stores.Where(s => s.Id == db.CurrentStoreId && s.IdentitySecret == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.IdentitySecret, StoreKeys.NewIdentitySecret()), ct);
        stores.Forget(db.CurrentStoreId);
        return TypedResults.Ok(new IdentitySecretView(await db.Stores.Where(s => s.Id == db.CurrentStoreId).Select(s => s.IdentitySecret!).SingleAsync(ct)));
    }

    internal static async Task<Ok<IdentitySecretView>> RotateIdentitySecretAsync(CartwiseDb db, StoreCache stores, CancellationToken ct)
    {
        return TypedResults.Ok(new IdentitySecretView(await StoreService.RotateIdentitySecretAsync(db, stores, ct)));
    }

    internal static async Task<Results<Ok<StoreView>, ValidationProblem>> ProfileAsync(StoreProfileRequest request, CartwiseDb db, StoreCache stores, CancellationToken ct)
    {
        if (await StoreService.UpdateProfileAsync(db, stores, request, ct) is [var first, ..]) return Problems.Field(first.MemberNames.First(), first.ErrorMessage!);
        return TypedResults.Ok(View(await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct)));
    }

    internal static async Task<Results<Ok<StoreView>, ValidationProblem>> StorefrontAsync(StorefrontSettingsRequest request, CartwiseDb db, StoreCache stores, CancellationToken ct)
    {
        if (await StorefrontSettings.UpdateAsync(db, stores, request, ct) is [var first, ..]) return Problems.Field(first.MemberNames.First(), first.ErrorMessage!);
        return TypedResults.Ok(View(await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct)));
    }

    internal static async Task<Results<Ok<NewKeyView>, ValidationProblem>> RotateKeyAsync(string kind, CartwiseDb db, KeyDirectory keys, CancellationToken ct)
    {
        if (kind is not ("tracking" or "admin")) return Problems.Field("kind", "Must be tracking or admin.");
        return TypedResults.Ok(new NewKeyView(kind, await StoreService.RotateKeyAsync(db, keys, kind == "admin", ct)));
    }

    internal static async Task<Results<Ok<SalesReport>, ValidationProblem>> SalesAsync(CartwiseDb db, TimeProvider clock, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (defaultFrom, defaultTo) = await StoreFigures.DefaultRangeAsync(db, clock.GetUtcNow(), ct);
        var (f, t) = (from ?? defaultFrom, to ?? defaultTo);
        if (StoreFigures.RangeProblem(f, t) is { } problem) return Problems.Field(problem.Field, problem.Error);
        return TypedResults.Ok(await StoreFigures.SalesAsync(db, f, t, ct));
    }

    internal static async Task<Ok<StoreStats>> StatsAsync(CartwiseDb db, CancellationToken ct) => TypedResults.Ok(await StoreService.StatsAsync(db, ct));
}
