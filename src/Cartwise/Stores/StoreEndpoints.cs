using Cartwise.Catalog;
using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Stores;

public sealed record StoreView(long Id, string Slug, string Name, string Currency, string? DefaultCountry, string TimeZone, DateTimeOffset CreatedAt,
    bool DoubleOptIn, bool EventsUpdateProducts, long? ConfirmationMessageId);

/// <summary>How the store treats what the public tracking key sends (see the README's security section).</summary>
public sealed record StoreSettingsRequest(bool DoubleOptIn, bool EventsUpdateProducts, long? ConfirmationMessageId);

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
        g.MapGet("/stats", StatsAsync).WithSummary("Counts of products, categories, customers, orders, order lines and events by name.");
        return app;
    }

    internal static async Task<Results<Ok<StoreView>, NotFound>> GetAsync(CartwiseDb db, CancellationToken ct)
    {
        var s = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Id == db.CurrentStoreId, ct);
        return s is null ? TypedResults.NotFound() : TypedResults.Ok(View(s));
    }

    internal static StoreView View(Store s) =>
        new(s.Id, s.Slug, s.Name, s.Currency, s.DefaultCountry, s.TimeZone, s.CreatedAt, s.DoubleOptIn, s.EventsUpdateProducts, s.ConfirmationMessageId);

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
        var secret = StoreKeys.NewIdentitySecret();
        await db.Stores.Where(s => s.Id == db.CurrentStoreId).ExecuteUpdateAsync(u => u.SetProperty(s => s.IdentitySecret, secret), ct);
        stores.Forget(db.CurrentStoreId);
        return TypedResults.Ok(new IdentitySecretView(secret));
    }

    internal static async Task<Ok<StoreStats>> StatsAsync(CartwiseDb db, CancellationToken ct) => TypedResults.Ok(await StoreService.StatsAsync(db, ct));
}
