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
        g.MapGet("/u/{token}", UnsubscribePageAsync).WithSummary("Unsubscribe link: unsubscribes at once and says so.");
        g.MapPost("/u/{token}", OneClickAsync).WithSummary("RFC 8058 one-click unsubscribe.").DisableAntiforgery();
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
            await RecordAsync(db, f.Row, "open", null, clock.GetUtcNow(), ct);
        return TypedResults.File(Pixel, "image/gif");
    }

    internal static async Task<Results<RedirectHttpResult, ProblemHttpResult>> ClickAsync(string token, string? u, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (u is null || await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "c", token, u)
            || !Uri.TryCreate(u, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            return TypedResults.Problem(statusCode: 400, title: "Invalid link", detail: "This link is not a signed link of a message.");
        await RecordAsync(db, f.Row, "click", u, clock.GetUtcNow(), ct);
        return TypedResults.Redirect(u);
    }

    internal static async Task<Results<ContentHttpResult, NotFound>> UnsubscribePageAsync(string token, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "u", token)) return TypedResults.NotFound();
        await UnsubscribeAsync(db, f.Row, clock.GetUtcNow(), ct);
        var store = await db.Stores.Where(s => s.Id == f.Row.StoreId).Select(s => s.Name).SingleAsync(ct);
        var html = $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Unsubscribed</title></head>" +
                   $"<body style=\"font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#111827;\"><h1>You are unsubscribed</h1>" +
                   $"<p>{WebUtility.HtmlEncode(f.Row.Email)} will get no more marketing emails from {WebUtility.HtmlEncode(store)}.</p></body></html>";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    internal static async Task<Results<Ok, NotFound>> OneClickAsync(string token, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, token, ct) is not { } f || !LinkSigner.Verify(f.Secret, "u", token)) return TypedResults.NotFound();
        await UnsubscribeAsync(db, f.Row, clock.GetUtcNow(), ct);
        return TypedResults.Ok();
    }

    private static async Task UnsubscribeAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        await OutboxService.SuppressAsync(db, row.Email, "unsubscribe", row.Id, now, ct, row.CustomerId);
        if (!await db.MessageActivities.AnyAsync(a => a.OutboxId == row.Id && a.Kind == "unsubscribe", ct))
            await RecordAsync(db, row, "unsubscribe", null, now, ct);
    }

    private static async Task RecordAsync(CartwiseDb db, OutboxMessage row, string kind, string? url, DateTimeOffset now, CancellationToken ct)
    {
        db.MessageActivities.Add(new MessageActivity { StoreId = row.StoreId, OutboxId = row.Id, CustomerId = row.CustomerId, Kind = kind, Url = url, At = now });
        await db.SaveChangesAsync(ct);
    }
}
