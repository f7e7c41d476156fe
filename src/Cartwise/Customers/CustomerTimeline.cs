using System.Globalization;
using System.Text.Json;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Customers;

/// <summary>Kinds of timeline entries.</summary>
public static class TimelineKinds
{
    public const string Event = "event";
    public const string Decision = "decision";
    public const string Message = "message";
    public const string Coupon = "coupon";
    public const string Open = "open";
    public const string Click = "click";
    public const string Unsubscribe = "unsubscribe";
    public const string Consent = "consent";
}

/// <param name="Kind">One of <see cref="TimelineKinds"/>.</param>
/// <param name="Title">What happened (an event's name, a scenario and rule, a message's subject).</param>
/// <param name="Detail">The rest: products, a decision's reason, a message's status and error, a clicked link.</param>
/// <param name="OutboxId">The outbox row the entry is about, when there is one.</param>
public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Title, string? Detail, long? OutboxId);

/// <summary>
/// Everything that happened with one customer, newest first, in one list: events, scenario decisions with their
/// reasons, messages with their outcome, coupon codes given, opens, clicks, unsubscribes and the consent on record.
/// The API's <c>/customers/{id}/timeline</c> and the admin app's customer page read it here.
/// </summary>
public static class CustomerTimeline
{
    public static async Task<IReadOnlyList<TimelineEntry>> ForAsync(CartwiseDb db, long customerId, DateTimeOffset? before, int take, CancellationToken ct)
    {
        var until = before ?? DateTimeOffset.MaxValue;
        var entries = new List<TimelineEntry>();

        var events = await db.Events.AsNoTracking().Where(e => e.CustomerId == customerId && e.OccurredAt < until).OrderByDescending(e => e.OccurredAt).Take(take)
            .Select(e => new { e.OccurredAt, e.Name, e.TransactionId, e.Value, e.Currency, e.Payload }).ToListAsync(ct);
        entries.AddRange(events.Select(e => new TimelineEntry(e.OccurredAt, TimelineKinds.Event, e.Name,
            Join(e.TransactionId, e.Value is { } v ? $"{v.ToString("0.00", CultureInfo.InvariantCulture)} {e.Currency}" : null, Items(e.Payload)), null)));

        var decisions = await (from d in db.ScenarioDecisions.AsNoTracking()
                               where d.CustomerId == customerId && d.DecidedAt < until
                               orderby d.DecidedAt descending
                               join s in db.Scenarios.AsNoTracking() on d.ScenarioId equals s.Id into scenario
                               from s in scenario.DefaultIfEmpty()
                               select new { d.DecidedAt, d.Kind, d.Reason, d.Rule, d.DueAt, d.OutboxId, d.Variant, Scenario = s == null ? "scenario " + d.ScenarioId : s.Name })
            .Take(take).ToListAsync(ct);
        entries.AddRange(decisions.Select(d => new TimelineEntry(d.DecidedAt, TimelineKinds.Decision, d.Variant is null ? $"{d.Scenario} · {d.Rule}" : $"{d.Scenario} · {d.Rule} · variant {d.Variant}",
            Join(d.Kind.Replace('_', ' '), d.Reason, d.DueAt is { } due && d.Kind == Core.Scenarios.DecisionKinds.Scheduled ? $"due {due:yyyy-MM-dd HH:mm}" : null), d.OutboxId)));

        var messages = await db.Outbox.AsNoTracking().Where(o => o.CustomerId == customerId && !o.IsTest && o.CreatedAt < until).OrderByDescending(o => o.CreatedAt).Take(take)
            .Select(o => new { o.Id, o.CreatedAt, o.SentAt, o.Status, o.Subject, o.LastError, o.CouponCode, o.MessageId, o.Email }).ToListAsync(ct);
        foreach (var m in messages)
        {
            entries.Add(new TimelineEntry(m.SentAt ?? m.CreatedAt, TimelineKinds.Message, m.Subject ?? $"message {m.MessageId}", Join(m.Status, m.LastError, m.Email), m.Id));
            if (m.CouponCode is { } code) entries.Add(new TimelineEntry(m.SentAt ?? m.CreatedAt, TimelineKinds.Coupon, code, m.Subject, m.Id));
        }
        var ids = messages.Select(m => m.Id).ToList();
        var activity = await db.MessageActivities.AsNoTracking().Where(a => ids.Contains(a.OutboxId) && a.At < until).OrderByDescending(a => a.At).Take(take)
            .Select(a => new { a.At, a.Kind, a.Url, a.OutboxId }).ToListAsync(ct);
        var subjects = messages.ToDictionary(m => m.Id, m => m.Subject);
        entries.AddRange(activity.Select(a => new TimelineEntry(a.At, a.Kind, subjects.GetValueOrDefault(a.OutboxId) ?? "message", a.Url, a.OutboxId)));

        var consent = await db.Customers.AsNoTracking().Where(c => c.Id == customerId && c.EmailConsentAt != null && c.EmailConsentAt < until)
            .Select(c => new { c.EmailConsent, c.EmailConsentAt, c.EmailConsentSource }).SingleOrDefaultAsync(ct);
        if (consent is not null)
            entries.Add(new TimelineEntry(consent.EmailConsentAt!.Value, TimelineKinds.Consent, consent.EmailConsent == true ? "email consent given" : "email consent withdrawn",
                consent.EmailConsentSource, null));

        return entries.OrderByDescending(e => e.At).ThenBy(e => e.Kind, StringComparer.Ordinal).Take(take).ToList();
    }

    private static string? Join(params string?[] parts) =>
        parts.Where(p => !string.IsNullOrWhiteSpace(p)).ToList() is { Count: > 0 } list ? string.Join(" · ", list) : null;

    /// <summary>The items an event names, as "2 × Blue mug".</summary>
    private static string? Items(string payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (!doc.RootElement.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return null;
            var names = new List<string>();
            foreach (var item in items.EnumerateArray().Take(5))
            {
                var name = item.TryGetProperty("item_name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()
                    : item.TryGetProperty("item_id", out var id) ? id.ToString() : null;
                if (name is null) continue;
                names.Add(item.TryGetProperty("quantity", out var q) && q.ValueKind == JsonValueKind.Number ? $"{q} × {name}" : name);
            }
            return names.Count == 0 ? null : string.Join(", ", names) + (items.GetArrayLength() > 5 ? $" and {items.GetArrayLength() - 5} more" : "");
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
