using System.Security.Claims;
using System.Text.Encodings.Web;
using Cartwise.Data;
using Cartwise.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cartwise.Hosting;

/// <summary>
/// Store keys as authentication: <c>X-Cartwise-Key</c> carries a tracking key (write events, read public catalogue
/// data), <c>Authorization: Bearer</c> an admin key (everything of its own store). A principal holds its store id.
/// </summary>
public static class KeyAuth
{
    public const string TrackingScheme = "TrackingKey";
    public const string AdminScheme = "AdminKey";
    public const string AdminPolicy = "admin";
    /// <summary>Either key: what a storefront may call (recommendations, widgets).</summary>
    public const string StorefrontPolicy = "storefront";
    public const string StoreIdClaim = "cartwise:store";
    public const string TrackingHeader = "X-Cartwise-Key";

    public static long StoreId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(StoreIdClaim) ?? throw new InvalidOperationException("The principal has no store."), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The tracking key a request carries: the header, or the query (<c>?key=</c>: navigator.sendBeacon sets no header,
    /// and a request without custom headers needs no CORS preflight). Never the admin key. Empty: none.
    /// </summary>
    public static string TrackingKeyOf(HttpRequest request) =>
        request.Headers[TrackingHeader].ToString().Trim() is { Length: > 0 } header ? header
        : request.Query[IsMeasurementProtocol(request.Path) ? "api_secret" : "key"].ToString().Trim();

    /// <summary>The token of an <c>Authorization: Bearer …</c> header (admin keys, the metrics key), or null without one.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The GA4 Measurement Protocol addresses, where the tracking key comes as <c>api_secret</c>, as Google's clients send it.</summary>
    public static bool IsMeasurementProtocol(PathString path) =>
        path.StartsWithSegments("/mp/collect", StringComparison.Ordinal) || path.StartsWithSegments("/debug/mp/collect", StringComparison.Ordinal);

    /// <summary>True when the caller used its store's admin key (not only the public tracking key).</summary>
    public static bool IsAdmin(this ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == AdminScheme);

    public static IServiceCollection AddKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<KeyDirectory>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(TrackingScheme, null)
            .AddScheme<AuthenticationSchemeOptions, KeyAuthenticationHandler>(AdminScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(AdminScheme).RequireAuthenticatedUser())
            .AddPolicy(StorefrontPolicy, p => p.AddAuthenticationSchemes(TrackingScheme, AdminScheme).RequireAuthenticatedUser());
        return services;
    }
}

/// <summary>Key hash → store id, cached for 30 s so that tracking does not query the database per request. Thread-safe.</summary>
public sealed class KeyDirectory(DatabaseTarget target, TimeProvider clock)
{
    private readonly SingleFlightCache<(bool Admin, string Hash), long?> _cache = new(clock, TimeSpan.FromSeconds(30));

    /// <summary>Drops a key that was just replaced, on this node (other nodes stop taking it within 30 s).</summary>
    public void Forget(bool admin, string hash) => _cache.Forget((admin, hash));

    public Task<long?> FindStoreAsync(bool admin, string hash) => _cache.GetAsync((admin, hash), async k =>
    {
        // A context of its own: the request's CartwiseDb is bound to the store only after authentication.
        await using var db = target.CreateContext();
        return k.Admin
            ? await db.Stores.Where(s => s.AdminKeyHash == k.Hash).Select(s => (long?)s.Id).SingleOrDefaultAsync()
            : await db.Stores.Where(s => s.TrackingKeyHash == k.Hash).Select(s => (long?)s.Id).SingleOrDefaultAsync();
    });
}

internal sealed class KeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, KeyDirectory keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var admin = Scheme.Name == KeyAuth.AdminScheme;
        string? key;
        if (admin)
        {
            key = KeyAuth.BearerOf(Request);
        }
        else
        {
            key = KeyAuth.TrackingKeyOf(Request);
        }
        if (string.IsNullOrEmpty(key)) return AuthenticateResult.NoResult();

        var storeId = await keys.FindStoreAsync(admin, StoreKeys.Hash(key));
        if (storeId is null) return AuthenticateResult.Fail("Unknown key.");
        var identity = new ClaimsIdentity([new Claim(KeyAuth.StoreIdClaim, storeId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (Scheme.Name == KeyAuth.AdminScheme) Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
