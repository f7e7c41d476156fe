namespace Cartwise.Hosting;

/// <summary>
/// Headers every answer carries: no MIME sniffing, no referrer (signed links carry their token in the path), and on
/// HTML a policy that allows no inline script and no framing; API answers (personal data) are never stored by caches unless they say so.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>Scripts and styles only from Cartwise itself; inline style attributes are allowed (emails and pages use them), inline script is not.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            var h = http.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            if (http.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                h.ContentSecurityPolicy = ContentSecurityPolicy;
                h.XFrameOptions = "DENY";
            }
            // An API answer that set its own policy (a widget's public HTML) keeps it.
            if (http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) && h.CacheControl.Count == 0) h.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(http);
    });
}
