using System.Net;
using Cartwise.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Messages;

/// <summary>
/// The links inside sent messages: open pixel, click redirect and unsubscribe (page and RFC 8058 one-click POST).
/// No login: the signature of the link is the proof. A bad signature records nothing and redirects nowhere.
/// </summary>
public static class LinkEndpoints
{
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IEndpointRouteBuilder MapLinkEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("").AllowAnonymous().WithTags("Message links");
        g.MapGet("/t/o/{token}", OpenAsync).WithSummary("Open pixel of a sent message (a 1×1 GIF).");
        g.MapGet("/t/c/{token}", ClickAsync).WithSummary("Click link of a sent message: records the click and redirects to the signed target.");
        // GET only shows a button: mail scanners follow links, and must neither unsubscribe nor confirm anyone.
        g.MapGet("/u/{token}", UnsubscribePageAsync).WithSummary("Unsubscribe link: a page with one button that unsubscribes.");
        g.MapPost("/u/{token}", OneClickAsync).WithSummary("Unsubscribe: RFC 8058 one-click, and the page's button.").DisableAntiforgery();
        g.MapGet("/confirm/{token}", ConfirmPageAsync).WithSummary("Double opt-in link: a page with one button that confirms the subscription.");
        g.MapPost("/confirm/{token}", ConfirmAsync).WithSummary("Confirms the subscription of a double opt-in email's recipient.").DisableAntiforgery();
        return app;
    }

    private sealed record Found(OutboxMessage Row, string Secret);

    private static async Task<Found?> FindAsync(CartwiseDb db, string token, CancellationToken ct)
    {
        if (LinkSigner.OutboxId(token) is not { } id) return null;
        var row = await db.Outbox.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
        if (row is null) return null;
        var secret = await db.Stores.Where(s => s.Id == row.StoreId).Select(s => s.LinkSecret).SingleOrDefaultAsync(ct);
        if (secret is null) return null;
        db.CurrentStoreId = row.StoreId;
        return new Found(row, secret);
    }

    internal static async Task<FileContentHttpResult> OpenAsync(string token, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is { } f && LinkSigner.Verify(f.Secret, "o", token))
            await RecordAsync(db, f.Row, ActivityKinds.Open, null, clock.GetUtcNow(), ct);
        return TypedResults.File(Pixel, "image/gif");
    }

    internal static async Task<Results<RedirectHttpResult, ProblemHttpResult>> ClickAsync(string token, string? u, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (u is null || await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "c", token, u)
            || !Uri.TryCreate(u, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            return TypedResults.Problem(statusCode: 400, title: "Invalid link", detail: "This link is not a signed link of a message.");
        await RecordAsync(db, f.Row, ActivityKinds.Click, u, clock.GetUtcNow(), ct);
        return TypedResults.Redirect(u);
    }

    internal static async Task<Results<ContentHttpResult, NotFound>> UnsubscribePageAsync(string token, CartwiseDb db, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "u", token)) return TypedResults.NotFound();
        var store = await StoreNameAsync(db, f.Row, ct);
        return ButtonPage("Unsubscribe", "Unsubscribe?", $"Stop marketing emails from {store} to {f.Row.Email}?", "Unsubscribe");
    }

    internal static async Task<Results<ContentHttpResult, NotFound>> OneClickAsync(string token, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "u", token)) return TypedResults.NotFound();
        await UnsubscribeAsync(db, f.Row, clock.GetUtcNow(), ct);
        var store = await StoreNameAsync(db, f.Row, ct);
        return Page("Unsubscribed", "You are unsubscribed", $"<p>{Enc(f.Row.Email)} will get no more marketing emails from {Enc(store)}.</p>");
    }

    internal static async Task<Results<ContentHttpResult, NotFound>> ConfirmPageAsync(string token, CartwiseDb db, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "k", token) || f.Row.Kind != OutboxKinds.Confirmation) return TypedResults.NotFound();
        var store = await StoreNameAsync(db, f.Row, ct);
        return ButtonPage("Confirm your subscription", "Confirm your subscription", $"Get emails from {store} at {f.Row.Email}?", "Yes, subscribe me");
    }

    internal static async Task<Results<ContentHttpResult, NotFound>> ConfirmAsync(string token, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "k", token)) return TypedResults.NotFound();
        if (!await ConsentConfirmation.ConfirmAsync(db, f.Row, clock.GetUtcNow(), ct)) return TypedResults.NotFound();
        if (!await db.MessageActivities.AnyAsync(a => a.OutboxId == f.Row.Id && a.Kind == ActivityKinds.Confirm, ct))
            await RecordAsync(db, f.Row, ActivityKinds.Confirm, null, clock.GetUtcNow(), ct);
        var store = await StoreNameAsync(db, f.Row, ct);
        return Page("Subscribed", "You are subscribed", $"<p>{Enc(f.Row.Email)} will get emails from {Enc(store)}. Every email has a link to stop them.</p>");
    }

    private const string ButtonStyle = "font-size:16px;padding:10px 20px;border:0;border-radius:4px;background:#1d4ed8;color:#ffffff;cursor:pointer;";

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static Task<string> StoreNameAsync(CartwiseDb db, OutboxMessage row, CancellationToken ct) =>
        db.Stores.Where(s => s.Id == row.StoreId).Select(s => s.Name).SingleAsync(ct);

    /// <summary>A question and one button that POSTs back to the same link.</summary>
    private static ContentHttpResult ButtonPage(string title, string heading, string question, string button) =>
        Page(title, heading, $"<p>{Enc(question)}</p><form method=\"post\"><button type=\"submit\" style=\"{ButtonStyle}\">{Enc(button)}</button></form>");

    private static ContentHttpResult Page(string title, string heading, string body) => TypedResults.Content(
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{Enc(title)}</title></head>" +
        $"<body style=\"font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#111827;\"><h1>{Enc(heading)}</h1>{body}</body></html>",
        "text/html; charset=utf-8");

    private static async Task UnsubscribeAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        await OutboxService.SuppressAsync(db, row.Email, "unsubscribe", row.Id, now, ct, row.CustomerId);
        if (!await db.MessageActivities.AnyAsync(a => a.OutboxId == row.Id && a.Kind == ActivityKinds.Unsubscribe, ct))
            await RecordAsync(db, row, ActivityKinds.Unsubscribe, null, now, ct);
    }

    private static async Task RecordAsync(CartwiseDb db, OutboxMessage row, string kind, string? url, DateTimeOffset now, CancellationToken ct)
    {
        db.MessageActivities.Add(new MessageActivity { StoreId = row.StoreId, OutboxId = row.Id, CustomerId = row.CustomerId, Kind = kind, Url = url, At = now });
        await db.SaveChangesAsync(ct);
    }
}
