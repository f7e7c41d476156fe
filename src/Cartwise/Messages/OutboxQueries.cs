using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Messages;

/// <summary>An outbox row as sent: its headers, HTML and text parts, and what the recipient did with it.</summary>
public sealed record OutboxDetail(OutboxView Row, string? MessageName, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Html, string? Text,
    IReadOnlyList<ActivityView> Activity);

public sealed record ActivityView(string Kind, string? Url, DateTimeOffset At);

/// <summary>What the outbox pages and the API's <c>/outbox</c> read (one implementation for both).</summary>
public static class OutboxQueries
{
    /// <summary>Every status a row can be in, for filters.</summary>
    public static IReadOnlyList<string> Statuses { get; } =
        [OutboxStatus.Pending, OutboxStatus.Claimed, OutboxStatus.Sending, OutboxStatus.Sent, OutboxStatus.Failed, OutboxStatus.Skipped];

    /// <summary>Rows newest first, keyset-paged: <c>before</c> is the id the next page starts below.</summary>
    /// <param name="email">The start of the recipient's address.</param>
    public static async Task<(IReadOnlyList<OutboxView> Items, long? Next)> PageAsync(CartwiseDb db, string? status, string? email, bool? test, long? before, int take,
        CancellationToken ct)
    {
        var q = db.Outbox.AsNoTracking();
        if (status is { Length: > 0 }) q = q.Where(o => o.Status == status);
        if (email?.Trim().ToLowerInvariant() is { Length: > 0 } e) q = q.Where(o => o.Email.StartsWith(e));
        if (test is { } t) q = q.Where(o => o.IsTest == t);
        if (before is not null) q = q.Where(o => o.Id < before);
        var rows = await q.OrderByDescending(o => o.Id).Take(take + 1).Select(o => new OutboxView(o.Id, o.Key, o.MessageId, o.CustomerId, o.Email, o.Language,
            o.ScenarioId, o.Rule, o.Status, o.DueAt, o.Attempts, o.Uncertain, o.IsTest, o.Subject, o.CouponCode, o.LastError, o.ProviderResponse, o.CreatedAt, o.SentAt)).ToListAsync(ct);
        return (rows.Take(take).ToList(), rows.Count > take ? rows[take - 1].Id : null);
    }

    /// <summary>One row with the message as it went out (when it did), or null when the store has no such row.</summary>
    public static async Task<OutboxDetail?> DetailAsync(CartwiseDb db, long id, CancellationToken ct)
    {
        var (items, _) = await PageAsync(db, null, null, null, id + 1, 1, ct);
        if (items is not [var row] || row.Id != id) return null;
        var name = await db.Messages.Where(m => m.Id == row.MessageId).Select(m => m.Name).SingleOrDefaultAsync(ct);
        var stored = await db.OutboxBodies.AsNoTracking().Where(b => b.OutboxId == id).Select(b => b.MimeGzip).SingleOrDefaultAsync(ct);
        var activity = await db.MessageActivities.AsNoTracking().Where(a => a.OutboxId == id).OrderBy(a => a.At)
            .Select(a => new ActivityView(a.Kind, a.Url, a.At)).ToListAsync(ct);
        if (stored is null) return new OutboxDetail(row, name, [], null, null, activity);
        var mime = MessageComposer.Decompress(stored);
        var headers = mime.Headers.Select(h => new KeyValuePair<string, string>(h.Field, h.Value)).ToList();
        return new OutboxDetail(row, name, headers, mime.HtmlBody, mime.TextBody, activity);
    }
}
