namespace Cartwise.Core.Tracking;

/// <summary>The event names Cartwise accepts, in the GA4 e-commerce vocabulary.</summary>
public static class EventNames
{
    /// <summary>A page was seen (the storefront script's <c>page</c> and <c>identify</c>; it carries identities and consent).</summary>
    public const string PageView = "page_view";
    /// <summary>A list of products was shown (a recommendation widget's impression).</summary>
    public const string ViewItemList = "view_item_list";
    /// <summary>A product of a list was clicked (a recommendation widget's click).</summary>
    public const string SelectItem = "select_item";
    /// <summary>A product page was seen.</summary>
    public const string ViewItem = "view_item";
    /// <summary>Items went into the cart.</summary>
    public const string AddToCart = "add_to_cart";
    /// <summary>Items left the cart.</summary>
    public const string RemoveFromCart = "remove_from_cart";
    /// <summary>The cart page was seen.</summary>
    public const string ViewCart = "view_cart";
    /// <summary>Checkout started.</summary>
    public const string BeginCheckout = "begin_checkout";
    /// <summary>An order was placed (needs <c>transaction_id</c>).</summary>
    public const string Purchase = "purchase";
    /// <summary>An order, or some of its lines, was refunded.</summary>
    public const string Refund = "refund";

    /// <summary>All accepted names, in funnel order.</summary>
    public static IReadOnlyList<string> All { get; } = [PageView, ViewItemList, SelectItem, ViewItem, AddToCart, RemoveFromCart, ViewCart, BeginCheckout, Purchase, Refund];

    /// <summary>Whether <paramref name="name"/> is an accepted event name (case-sensitive, as GA4).</summary>
    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

/// <summary>Who did it: every field a profile can be found or merged by. All optional, at least one present.</summary>
/// <param name="CustomerId">The shop's own customer id.</param>
/// <param name="Email">Trimmed and lower-cased.</param>
/// <param name="Phone">E.164 (<c>+48123456789</c>).</param>
/// <param name="AnonymousId">The storefront cookie id.</param>
public sealed record EventIdentity(string? CustomerId, string? Email, string? Phone, string? AnonymousId)
{
    /// <summary>True when the event names a person, not only a browser.</summary>
    public bool IsIdentified => CustomerId is not null || Email is not null || Phone is not null;
}

/// <summary>One product line of an event (GA4 <c>items[]</c>).</summary>
public sealed record EventItem(
    string ItemId,
    string? Name,
    IReadOnlyList<string> Categories,
    string? Brand,
    string? Variant,
    decimal? Price,
    int Quantity)
{
    /// <summary>The item's category path, "A &gt; B &gt; C", or null when the event named none.</summary>
    public string? CategoryPath => Categories.Count == 0 ? null : string.Join(" > ", Categories);
}

/// <summary>UTM parameters that came with the event.</summary>
public sealed record Utm(string? Source, string? Medium, string? Campaign);

/// <summary>
/// A validated, normalised tracking event. Immutable; safe to share between threads.
/// </summary>
/// <param name="Name">One of <see cref="EventNames"/>.</param>
/// <param name="EventId">Idempotency key: the sender's id, or a hash of the event's JSON when it sent none.</param>
/// <param name="Timestamp">When it happened (UTC); null means "when received".</param>
/// <param name="Language">A BCP 47 language tag, lower-cased primary subtag (<c>pl</c>, <c>pt-br</c>).</param>
/// <param name="EmailConsent">Email marketing consent when the event states it, else null.</param>
/// <param name="RawJson">The event's JSON as received, kept for replay and export.</param>
public sealed record TrackedEvent(
    string Name,
    string EventId,
    DateTimeOffset? Timestamp,
    EventIdentity Identity,
    string? Language,
    bool? EmailConsent,
    IReadOnlyList<EventItem> Items,
    string? TransactionId,
    decimal? Value,
    string? Currency,
    string? Coupon,
    decimal? Shipping,
    decimal? Tax,
    Utm Utm,
    string RawJson)
{
    /// <summary>The <c>customer_token</c> the event carried (checked by the server, which knows the store's secret).</summary>
    public string? CustomerToken { get; init; }

    /// <summary>
    /// The event speaks for its customer: it came with the admin key (a shop's server, an import) or with a customer
    /// token that matches its <c>customer_id</c>. Only a verified event may merge two identified profiles, change an
    /// identified profile's identity fields, or give consent without a confirmation email.
    /// </summary>
    public bool Verified { get; init; }
}
