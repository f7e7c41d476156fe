using Cartwise.Stores;

namespace Cartwise.Messages;

/// <summary>A sender identity of a store, reusable by every message and scenario.</summary>
public sealed class Sender : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Name { get; set; }
    public required string FromAddress { get; set; }
    public string? ReplyTo { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An email message: its language variants (subject, preheader, blocks) as JSON, the sender and the coupon source.
/// Templates are checked when the message is saved, so a stored message always parses.
/// </summary>
public sealed class Message : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Name { get; set; }
    public required string DefaultLanguage { get; set; }
    public long? SenderId { get; set; }
    /// <summary>The variants as JSON (a list of <see cref="Core.Messages.MessageVariant"/>).</summary>
    public required string Variants { get; set; }
    /// <summary>none, static or dynamic.</summary>
    public string CouponMode { get; set; } = CouponModes.None;
    /// <summary>The one code everybody gets (static mode).</summary>
    public string? StaticCode { get; set; }
    /// <summary>The pool unique codes come from (dynamic mode).</summary>
    public long? CouponPoolId { get; set; }
    /// <summary>A fixed expiry date of the coupon…</summary>
    public DateTimeOffset? CouponExpiresAt { get; set; }
    /// <summary>…or so many days after sending.</summary>
    public int? CouponValidDays { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class CouponModes
{
    public const string None = "none";
    public const string Static = "static";
    public const string Dynamic = "dynamic";
}

/// <summary>
/// One email to send: a row with an idempotency key (store, recipient, scenario, rule, trigger), claimed by workers,
/// rendered at send time. Status moves pending → claimed → sending → sent, or back to pending with a later due time
/// on a temporary failure, or to failed (dead letter) or skipped with the reason.
/// </summary>
public sealed class OutboxMessage : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>Unique per store: enqueueing the same key again does nothing.</summary>
    public required string Key { get; set; }
    public long MessageId { get; set; }
    public long? CustomerId { get; set; }
    public required string Email { get; set; }
    /// <summary>The language to render in; null: the customer's language.</summary>
    public string? Language { get; set; }
    public long? ScenarioId { get; set; }
    /// <summary>The scenario's rule or tier that asked for this message.</summary>
    public string? Rule { get; set; }
    /// <summary>The triggering event or order, as the scenario names it.</summary>
    public string? TriggerId { get; set; }
    /// <summary>The triggering order (PURCHASED items, order fields in templates).</summary>
    public long? OrderId { get; set; }
    /// <summary>The triggering products (catalogue ids, comma-separated).</summary>
    public string? ProductIds { get; set; }
    /// <summary>A test send: sample data, kept out of reports and of consent checks.</summary>
    public bool IsTest { get; set; }
    /// <summary><see cref="OutboxKinds.Message"/>, or <see cref="OutboxKinds.Confirmation"/> (double opt-in: sent to someone without consent yet, to ask for it).</summary>
    public string Kind { get; set; } = OutboxKinds.Message;
    public string Status { get; set; } = OutboxStatus.Pending;
    public DateTimeOffset DueAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    /// <summary>
    /// An attempt was interrupted after the message went to the server and before its answer was recorded; the
    /// message was sent again, so the recipient may have it twice.
    /// </summary>
    public bool Uncertain { get; set; }
    public string? LastError { get; set; }
    public string? ProviderResponse { get; set; }
    public string? Subject { get; set; }
    public string? CouponCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class OutboxKinds
{
    public const string Message = "message";
    public const string Confirmation = "confirmation";

    /// <summary>The idempotency key of a consent confirmation: one per address and week.</summary>
    public static string ConfirmationKey(string email, DateTimeOffset now) =>
        $"confirm:{email}:{now.UtcTicks / TimeSpan.FromDays(7).Ticks}";
}

public static class OutboxStatus
{
    public const string Pending = "pending";
    public const string Claimed = "claimed";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>
/// The message as it went out (MIME, gzip-compressed), so the outbox can show it as the recipient got it. Written
/// with the row's <c>sending</c> commit; a retry replaces it.
/// </summary>
public sealed class OutboxBody : IStoreOwned
{
    public long OutboxId { get; set; }
    public long StoreId { get; set; }
    public required byte[] MimeGzip { get; set; }
}

/// <summary>What a recipient did with a message (<see cref="MessageActivity.Kind"/>).</summary>
public static class ActivityKinds
{
    public const string Open = "open";
    public const string Click = "click";
    public const string Unsubscribe = "unsubscribe";
    /// <summary>A consent confirmation link followed.</summary>
    public const string Confirm = "confirm";
}

/// <summary>An open, click or unsubscribe of a sent message.</summary>
public sealed class MessageActivity : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long OutboxId { get; set; }
    public long? CustomerId { get; set; }
    /// <summary>open, click or unsubscribe.</summary>
    public required string Kind { get; set; }
    public string? Url { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>An address that gets nothing more from the store: unsubscribed, bounced or erased.</summary>
public sealed class Suppression : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>Lower-case.</summary>
    public required string Email { get; set; }
    /// <summary>unsubscribe, bounce, complaint or erased.</summary>
    public required string Reason { get; set; }
    public long? OutboxId { get; set; }
    public DateTimeOffset At { get; set; }
}
