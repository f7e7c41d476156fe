namespace Cartwise.Stores;

/// <summary>One shop. Keys are stored as SHA-256 hashes: the plain keys are shown once, at creation.</summary>
public sealed class Store
{
    public long Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public required string TrackingKeyHash { get; set; }
    public required string AdminKeyHash { get; set; }
    /// <summary>ISO 4217; order values are compared in it.</summary>
    public string Currency { get; set; } = "EUR";
    /// <summary>ISO 3166 alpha-2, for phone numbers written without a country code.</summary>
    public string? DefaultCountry { get; set; }
    /// <summary>IANA time zone, for quiet hours and display.</summary>
    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The store's own SMTP server (smtp://user:pass@host:port?tls=…), encrypted with Data Protection
    /// (<see cref="Messages.SmtpSecrets"/>) since it carries a password; null: the server's default transport.
    /// </summary>
    public string? SmtpUrl { get; set; }
    /// <summary>At most this many messages a second per server node (the provider's limit); 0: no limit.</summary>
    public int SendRate { get; set; }
    /// <summary>The postal address shown in every message's footer.</summary>
    public string? PostalAddress { get; set; }
    /// <summary>Orders this many days after a click are credited to the message.</summary>
    public int ClickWindowDays { get; set; } = 5;
    /// <summary>Orders this many days after an open are credited to the message; null: opens credit nothing.</summary>
    public int? OpenWindowDays { get; set; } = 1;
    /// <summary>The key that signs open, click and unsubscribe links (base64, made when first needed).</summary>
    public string? LinkSecret { get; set; }
    /// <summary>
    /// The key the shop's server signs customer ids with (<c>customer_token</c> = HMAC-SHA256 of the shop's customer
    /// id, hex): an event or recommendation request carrying a valid token speaks for that customer. Made when first asked for.
    /// </summary>
    public string? IdentitySecret { get; set; }
    /// <summary>Consent given through the tracking key without a valid customer token counts only once confirmed by email.</summary>
    public bool DoubleOptIn { get; set; } = true;
    /// <summary>The message that asks to confirm consent (it needs a link to <c>{{ confirm_url }}</c>); null: the built-in one.</summary>
    public long? ConfirmationMessageId { get; set; }
    /// <summary>
    /// Events may update the names, prices, brands and categories of products no feed knows. A feed's products are
    /// never changed by events; the first feed import turns this off.
    /// </summary>
    public bool EventsUpdateProducts { get; set; } = true;

    /// <summary>
    /// The origins (<c>scheme://host[:port]</c>, one a line) whose pages may call the storefront routes from a
    /// browser; null: none but Cartwise's own. A browser request from any other origin is refused.
    /// </summary>
    public string? AllowedOrigins { get; set; }
    /// <summary>Storefront requests a minute from one client address with the tracking key; 0: no limit.</summary>
    public int ClientRequestsPerMinute { get; set; } = StorefrontLimits.DefaultPerClient;
    /// <summary>Storefront requests a minute with the tracking key from all clients together; 0: no limit.</summary>
    public int KeyRequestsPerMinute { get; set; } = StorefrontLimits.DefaultPerKey;
    /// <summary>The order value from which shipping is free (the free-shipping widget's threshold); null: none.</summary>
    public decimal? FreeShippingThreshold { get; set; }
    /// <summary>
    /// The customer blend tuned on the store's history (<see cref="Core.Recommendations.TunedBlend"/> as JSON, written
    /// by <c>cartwise evaluate --tune</c>); null: the built-in blend.
    /// </summary>
    public string? TunedBlend { get; set; }
}

/// <summary>Every row that belongs to a store carries its id; the DbContext filters by it in one place.</summary>
public interface IStoreOwned
{
    long StoreId { get; set; }
}
