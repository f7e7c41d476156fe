using System.Globalization;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Cartwise.Storefront;

/// <summary>
/// What a shop's pages load from Cartwise: the storefront script (<c>/sdk/cartwise.js</c>). The routes it calls
/// (<c>/api/v1/track</c>, <c>/api/v1/recommendations…</c>) answer the origins the store allows, need the public
/// tracking key and take no cookies; the script sends only CORS-simple requests (the key in the query, text/plain bodies).
/// </summary>
public static class StorefrontEndpoints
{
    public const string ScriptPath = "/sdk/cartwise.js";

    private static readonly Lazy<(byte[] Body, string ETag)> Script = new(() =>
    {
        var body = Hosting.EmbeddedFiles.Bytes("Cartwise.Storefront.cartwise.js");
        return (body, "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "\"");
    });

    /// <summary>The script's version: its hash, for a versioned URL (<c>?v=…</c>) a browser may keep for a year.</summary>
    public static string Version => Script.Value.ETag.Trim('"');

    public static IEndpointRouteBuilder MapStorefrontEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(ScriptPath, (HttpContext http, string? v) =>
        {
            var (body, etag) = Script.Value;
            http.Response.Headers.ETag = etag;
            http.Response.Headers.CacheControl = v == Version ? "public, max-age=31536000, immutable" : "public, max-age=3600";
            http.Response.Headers.AccessControlAllowOrigin = "*";
            if (http.Request.Headers.IfNoneMatch.ToString() == etag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(body, "text/javascript; charset=utf-8");
        }).AllowAnonymous().WithTags("Storefront").WithSummary("The storefront script: tracking, the dataLayer, consent and recommendation widgets (one file, no dependencies).");
        return app;
    }

    private static readonly object CallerKey = new();

    /// <summary>A storefront request with the tracking key, once its origin is admitted: what the rate limits count.</summary>
    private sealed record Caller(long StoreId, string Client, int PerClient, int PerKey);

    private static bool IsStorefrontRoute(PathString path) =>
        path.StartsWithSegments("/api/v1/track", StringComparison.Ordinal) || path.StartsWithSegments("/api/v1/recommendations", StringComparison.Ordinal)
        || KeyAuth.IsMeasurementProtocol(path);

    /// <summary>
    /// The storefront's rate limits (ASP.NET Core's limiter): per store and client address, and per store, each a
    /// fixed minute, as the store's settings say; 429 with <c>Retry-After</c>. The admin key is not limited.
    /// </summary>
    public static IServiceCollection AddStorefrontLimits(this IServiceCollection services) => services.AddRateLimiter(o =>
    {
        o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, (long, string, int)>(http => http.Items[CallerKey] is Caller { PerClient: > 0 } c
                ? RateLimitPartition.GetFixedWindowLimiter((c.StoreId, c.Client, c.PerClient), k => Window(k.Item3))
                : RateLimitPartition.GetNoLimiter((0L, "", 0))),
            PartitionedRateLimiter.Create<HttpContext, (long, int)>(http => http.Items[CallerKey] is Caller { PerKey: > 0 } c
                ? RateLimitPartition.GetFixedWindowLimiter((c.StoreId, c.PerKey), k => Window(k.Item2))
                : RateLimitPartition.GetNoLimiter((0L, 0))));
        o.OnRejected = async (context, ct) =>
        {
            var http = context.HttpContext;
            var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            var c = (Caller)http.Items[CallerKey]!;
            await http.Response.WriteAsJsonAsync(new ProblemDetails
            {
                Status = 429, Title = "Too many requests",
                Detail = $"The store takes {(c.PerClient > 0 ? c.PerClient.ToString(CultureInfo.InvariantCulture) + " storefront requests a minute from one address" : "")}" +
                    $"{(c.PerClient > 0 && c.PerKey > 0 ? " and " : "")}{(c.PerKey > 0 ? c.PerKey.ToString(CultureInfo.InvariantCulture) + " from all addresses together" : "")}; retry in {seconds} s.",
            }, ct);
        };
    });

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true };

    /// <summary>
    /// Admits a browser's request to the storefront routes only from the origins the store allows (its settings) or
    /// from Cartwise's own: the allowed origin is echoed (<c>Vary: Origin</c>), any other gets 403 and nothing is
    /// done. Requests without an Origin (a shop's server) pass. Then the rate limiter counts the tracking key's calls.
    /// </summary>
    public static IApplicationBuilder UseStorefrontGuard(this IApplicationBuilder app)
    {
        app.Use(async (http, next) =>
        {
            if (!IsStorefrontRoute(http.Request.Path)) { await next(http); return; }
            var origin = http.Request.Headers.Origin.ToString();
            var preflight = HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);
            var key = KeyAuth.TrackingKeyOf(http.Request);
            var store = key.Length == 0 ? null : await StoreOfAsync(http, key);
            if (origin.Length > 0)
            {
                var own = string.Equals(origin, http.Request.Scheme + "://" + http.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
                // A preflight carries no custom header: without ?key= it cannot name its store, and the request it
                // announces is checked when it comes.
                var allowed = own || (store is not null ? StorefrontSettings.Allows(store, origin) : preflight && key.Length == 0);
                http.Response.Headers.Vary = HeaderNames.Origin;
                if (!allowed)
                {
                    await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                        detail: store is null
                            ? $"Pages of {origin} may not call Cartwise with an unknown key."
                            : $"Pages of {origin} may not use this store's tracking key: add the origin to the store's allowed origins (Settings → Storefront, or PUT /api/v1/store/storefront).")
                        .ExecuteAsync(http);
                    return;
                }
                http.Response.Headers.AccessControlAllowOrigin = origin;
            }
            if (preflight)
            {
                http.Response.Headers.AccessControlAllowMethods = "GET, POST";
                http.Response.Headers.AccessControlAllowHeaders = "Content-Type, X-Cartwise-Key";
                http.Response.Headers.AccessControlMaxAge = "86400";
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            if (store is not null)
                http.Items[CallerKey] = new Caller(store.Id, http.Connection.RemoteIpAddress?.ToString() ?? "", store.ClientRequestsPerMinute, store.KeyRequestsPerMinute);
            await next(http);
        });
        return app.UseRateLimiter();
    }

    private static async Task<Store?> StoreOfAsync(HttpContext http, string key)
    {
        var id = await http.RequestServices.GetRequiredService<KeyDirectory>().FindStoreAsync(false, StoreKeys.Hash(key));
        return id is { } found ? await http.RequestServices.GetRequiredService<StoreCache>().GetAsync(found, http.RequestAborted) : null;
    }
}
