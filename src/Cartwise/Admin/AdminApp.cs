using System.Security.Claims;
using Cartwise.Data;
using Cartwise.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Cartwise.Admin;

/// <summary>
/// The admin web app: Blazor static server rendering inside the one executable, signed in with a cookie. The cookie
/// carries the user and the store being looked at; it never authorises <c>/api</c> routes, whose policies name only
/// the key schemes.
/// </summary>
public static class AdminApp
{
    public const string CookieScheme = "AdminCookie";
    public const string UserIdClaim = "cartwise:user";
    public const string StylesheetPath = "/admin.css";
    /// <summary>The framework's script for enhanced navigation and forms (embedded at build, see the project file).</summary>
    public const string ScriptPath = "/_framework/blazor.web.js";
    /// <summary>The admin app's own script islands (filters, the unsaved-changes guard, drag and drop).</summary>
    public const string IslandsPath = "/admin.js";

    public static IServiceCollection AddAdminApp(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddLocalization();
        services.AddCascadingAuthenticationState();
        services.AddAuthentication().AddCookie(CookieScheme, o =>
        {
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.Cookie.Name = "cartwise.admin";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
        });
        // [Authorize] on a page means: signed in with the cookie.
        services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder(CookieScheme).RequireAuthenticatedUser().Build());
        return services;
    }

    /// <summary>The admin pages speak the user's language; the API keeps the invariant culture.</summary>
    public static WebApplication UseAdminLanguage(this WebApplication app)
    {
        var options = new RequestLocalizationOptions().SetDefaultCulture(Text.Cultures[0]).AddSupportedCultures(Text.Cultures).AddSupportedUICultures(Text.Cultures);
        app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal), b => b.UseRequestLocalization(options));
        return app;
    }

    public static WebApplication MapAdminApp(this WebApplication app)
    {
        app.MapPost("/admin/language", (HttpContext http, [FromForm] string culture, [FromForm] string? returnUrl) =>
        {
            if (Text.Cultures.Contains(culture))
                http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return TypedResults.Redirect(LocalOnly(returnUrl));
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        // No antiforgery token: the form is also on the sign-in page (no user yet, while a signed-in user's token is
        // bound to them), and all it can do is set the language cookie.
        app.MapGet(StylesheetPath, () => EmbeddedFiles.Serve("Cartwise.Admin.admin.css", "text/css; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(IslandsPath, () => EmbeddedFiles.Serve("Cartwise.Admin.admin.js", "text/javascript; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        // Signed in to sign out: the form's antiforgery token belongs to the signed-in user.
        app.MapPost("/logout", async (HttpContext http, [FromForm] string? reason) =>
        {
            await http.SignOutAsync(CookieScheme);
            return TypedResults.Redirect("/login");
        }).RequireAuthorization().ExcludeFromDescription();
        app.MapPost("/admin/store", SwitchStoreAsync).RequireAuthorization().ExcludeFromDescription();
        app.MapGet(ScriptPath, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return EmbeddedFiles.Serve("Cartwise.Admin.blazor.web.js", "text/javascript; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorComponents<App>();
        return app;
    }


    /// <summary>The signed-in user's id, or null.</summary>
    public static long? UserId(ClaimsPrincipal? user) =>
        user?.FindFirst(UserIdClaim)?.Value is { } v && long.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Issues the cookie: the user, and the store the pages show (a store granted to the user, or none).</summary>
    public static Task SignInAsync(HttpContext http, Users.User user, long? storeId)
    {
        List<Claim> claims = [new(UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new(ClaimTypes.Name, user.Email)];
        if (storeId is { } s) claims.Add(new(KeyAuth.StoreIdClaim, s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return http.SignInAsync(CookieScheme, new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme)));
    }

    /// <summary>A return address inside this site only (no open redirect through the sign-in page).</summary>
    public static string LocalOnly(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static async Task<IResult> SwitchStoreAsync(HttpContext http, [FromForm] long storeId, CartwiseDb db, CancellationToken ct)
    {
        if (UserId(http.User) is not { } userId) return TypedResults.Redirect("/login");
        var user = await db.Users.FindAsync([userId], ct);
        if (user is null || !await Users.UserService.MayOpenAsync(db, userId, storeId, ct)) return TypedResults.NotFound();
        await SignInAsync(http, user, storeId);
        return TypedResults.Redirect("/");
    }
}
