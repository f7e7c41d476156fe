using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Cartwise.Storefront;

/// <summary>
/// What a shop's pages load from Cartwise: the storefront script (<c>/sdk/cartwise.js</c>). The routes it calls
/// (<c>/api/v1/track</c>, <c>/api/v1/recommendations…</c>) answer any origin: they need the public tracking key,
/// take no cookies, and the script sends only CORS-simple requests (the key in the query, text/plain bodies).
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

    /// <summary>Lets a shop's pages, on any origin, read the storefront routes' answers (and asks of them).</summary>
    public static IApplicationBuilder UseStorefrontCors(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/api/v1/track", StringComparison.Ordinal) || path.StartsWithSegments("/api/v1/recommendations", StringComparison.Ordinal))
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            if (HttpMethods.IsOptions(http.Request.Method))
            {
                http.Response.Headers.AccessControlAllowMethods = "GET, POST";
                http.Response.Headers.AccessControlAllowHeaders = "Content-Type, X-Cartwise-Key";
                http.Response.Headers.AccessControlMaxAge = "86400";
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
        }
        await next(http);
    });
}
