using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cartwise.Core.Customers;

namespace Cartwise.Core.Tracking;

/// <summary>What the parser needs to know beyond the body itself.</summary>
/// <param name="Now">The current time; timestamps more than <see cref="FutureTolerance"/> after it are rejected.</param>
/// <param name="DefaultCountry">ISO 3166 country for phone numbers written without a country code.</param>
/// <param name="FallbackLanguage">From the request's Accept-Language, used when an event names no language.</param>
/// <param name="MeasurementId">The Measurement Protocol stream (<c>measurement_id</c> of <c>/mp/collect</c>), kept on its events.</param>
public sealed record ParseContext(DateTimeOffset Now, string? DefaultCountry, string? FallbackLanguage, string? MeasurementId = null)
{
    /// <summary>How far ahead of the server clock an event timestamp may be (client clocks drift).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromHours(1);

    /// <summary>
    /// The earliest timestamp an event may carry. Nothing a shop tracks is older, and a date near
    /// <see cref="DateTimeOffset.MinValue"/> breaks every window computed back from it.
    /// </summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
}

/// <summary>The outcome for one event of a body: the event, or the fields at fault (path → messages).</summary>
public sealed record ParsedEvent(int Index, TrackedEvent? Event, IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>True when the event passed validation.</summary>
    public bool IsValid => Event is not null;
}

/// <summary>The events of one request body, in order, and whether the body was a batch.</summary>
public sealed record ParsedBody(IReadOnlyList<ParsedEvent> Events, bool IsBatch, IReadOnlyDictionary<string, string[]> BodyErrors);

/// <summary>
/// Reads tracking bodies: one flat event, a batch <c>{"events":[…]}</c>, or a GA4 Measurement Protocol body
/// (<c>client_id</c>, <c>user_id</c>, <c>timestamp_micros</c>, <c>events[]</c> of <c>{name, params}</c>).
/// Every problem is reported with the JSON path of the field at fault. Pure and thread-safe.
/// </summary>
public static class EventParser
{
    /// <summary>The largest number of events one request may carry.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Parses a whole request body.</summary>
    public static ParsedBody ParseBody(JsonElement body, ParseContext context)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return BodyError("", "The body must be a JSON object: one event, or {\"events\":[…]}.");

        if (!body.TryGetProperty("events", out var events))
            return new ParsedBody([ParseEvent(body, 0, "", context)], false, Empty);

        // Outside the events (Measurement Protocol's client_id, user_data…) a bad string spoils every event.
        foreach (var p in body.EnumerateObject())
        {
            if (!TryName(p, out var field)) return BodyError("", UnreadableText);
            if (field != "events" && BadText(p.Value, field) is { } bad) return BodyError(bad.Path, bad.Message);
        }

        if (events.ValueKind != JsonValueKind.Array)
            return BodyError("events", "Must be an array of events.");
        var count = events.GetArrayLength();
        if (count == 0) return BodyError("events", "Must hold at least one event.");
        if (count > MaxBatch) return BodyError("events", $"Holds {count} events; at most {MaxBatch} are accepted per request.");

        var measurementProtocol = IsMeasurementProtocol(body, events);
        var results = new List<ParsedEvent>(count);
        var i = 0;
        foreach (var e in events.EnumerateArray())
        {
            var prefix = $"events[{i}]";
            // A Measurement Protocol event is re-serialised before it is parsed: its text is checked first.
            if (measurementProtocol && BadText(e, prefix) is { } bad) results.Add(Fail(i, bad.Path, bad.Message));
            else results.Add(measurementProtocol ? ParseMeasurementProtocolEvent(body, e, i, prefix, context) : ParseEvent(e, i, prefix, context));
            i++;
        }
        return new ParsedBody(results, true, Empty);
    }

    private static readonly Dictionary<string, string[]> Empty = [];

    private const string UnreadableText = "Holds text that is not valid Unicode (invalid UTF-8, or a lone UTF-16 surrogate such as \\ud800).";

    /// <summary>
    /// The first string (value or property name) of <paramref name="e"/> that cannot be stored as text: one that is
    /// not valid Unicode, or that holds U+0000 (PostgreSQL's text refuses it). The reader accepts both; decoding them
    /// later would throw, so they are found here, per event, before anything else reads the event. The walk is as deep
    /// as the document, which the endpoint bounds.
    /// </summary>
    private static (string Path, string Message)? BadText(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                string value;
                try { value = e.GetString()!; }
                catch (InvalidOperationException) { return (path, UnreadableText); }
                return value.Contains('\0', StringComparison.Ordinal) ? (path, "Must not contain the NUL character (\\u0000).") : null;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (!TryName(p, out var name)) return (path, UnreadableText + " (a property name)");
                    if (name.Contains('\0', StringComparison.Ordinal)) return (path, "A property name must not contain the NUL character (\\u0000).");
                    if (BadText(p.Value, Path(path, name)) is { } bad) return bad;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                    if (BadText(item, $"{path}[{i++}]") is { } bad) return bad;
                return null;
            default:
                return null;
        }
    }

    private static bool TryName(JsonProperty p, out string name)
    {
        try { name = p.Name; return true; }
        catch (InvalidOperationException) { name = ""; return false; }
    }

    private static ParsedBody BodyError(string field, string message) =>
        new([], false, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Whether a body is a GA4 Measurement Protocol one (<c>client_id</c>, <c>user_id</c>, events of <c>{name, params}</c>).</summary>
    public static bool IsMeasurementProtocol(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array
        && IsMeasurementProtocol(body, events);

    private static bool IsMeasurementProtocol(JsonElement body, JsonElement events)
    {
        if (body.TryGetProperty("client_id", out _) || body.TryGetProperty("user_id", out _) || body.TryGetProperty("timestamp_micros", out _))
            return true;
        foreach (var e in events.EnumerateArray())
            return e.ValueKind == JsonValueKind.Object && e.TryGetProperty("params", out _);
        return false;
    }

    /// <summary>Flattens a Measurement Protocol event into Cartwise's flat shape, then parses it.</summary>
    private static ParsedEvent ParseMeasurementProtocolEvent(JsonElement body, JsonElement e, int index, string prefix, ParseContext context)
    {
        if (e.ValueKind != JsonValueKind.Object)
            return Fail(index, prefix, "Must be an object {\"name\":…, \"params\":{…}}.");
        var flat = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (e.TryGetProperty("params", out var parameters))
        {
            if (parameters.ValueKind != JsonValueKind.Object) return Fail(index, Path(prefix, "params"), "Must be an object.");
            foreach (var p in parameters.EnumerateObject()) flat[p.Name] = p.Value;
        }
        if (e.TryGetProperty("name", out var name)) flat["name"] = name;
        if (body.TryGetProperty("client_id", out var clientId) && !flat.ContainsKey("anonymous_id")) flat["anonymous_id"] = clientId;
        if (body.TryGetProperty("user_id", out var userId) && !flat.ContainsKey("customer_id")) flat["customer_id"] = userId;
        if (!flat.ContainsKey("timestamp"))
        {
            if (e.TryGetProperty("timestamp_micros", out var eventMicros)) flat["timestamp_micros"] = eventMicros;
            else if (body.TryGetProperty("timestamp_micros", out var micros)) flat["timestamp_micros"] = micros;
        }
        if (body.TryGetProperty("user_data", out var userData) && userData.ValueKind == JsonValueKind.Object)
        {
            foreach (var (from, to) in new[] { ("email", "email"), ("email_address", "email"), ("phone", "phone"), ("phone_number", "phone") })
                if (userData.TryGetProperty(from, out var v) && !flat.ContainsKey(to)) flat[to] = v;
        }
        if (context.MeasurementId is { } stream && !flat.ContainsKey("measurement_id")) flat["measurement_id"] = JsonSerializer.SerializeToElement(stream);
        // Re-serialise so that the stored raw JSON is the flat event, the same shape as a native one.
        var json = JsonSerializer.SerializeToElement(flat);
        return ParseEvent(json, index, prefix, context);
    }

    private static ParsedEvent Fail(int index, string field, string message) =>
        new(index, null, new Dictionary<string, string[]> { [field] = [message] });

    private static string Path(string prefix, string field) => prefix.Length == 0 ? field : prefix + "." + field;

    /// <summary>Parses one flat event object. <paramref name="prefix"/> is its path in the body ("" for a lone event).</summary>
    public static ParsedEvent ParseEvent(JsonElement e, int index, string prefix, ParseContext context)
    {
        var errors = new Errors(prefix);
        if (e.ValueKind != JsonValueKind.Object)
            return Fail(index, prefix, "Must be an event object.");
        if (BadText(e, prefix) is { } bad) return Fail(index, bad.Path, bad.Message);

        var name = errors.String(e, "name");
        if (name is null) { if (!e.TryGetProperty("name", out _)) errors.Add("name", "Is required."); }
        else if (!EventNames.IsKnown(name)) errors.Add("name", $"'{name}' is not an accepted event; use one of {string.Join(", ", EventNames.All)}.");

        var eventId = errors.Id(e, "event_id");
        var timestamp = ReadTimestamp(e, errors, context);

        var customerId = errors.Id(e, "customer_id");
        var token = Blank(errors.String(e, "customer_token"));
        if (token is not null && Blank(customerId) is null && !errors.HasAny("customer_id"))
            errors.Add("customer_token", "Comes with the customer_id it was computed from.");
        var anonymousId = errors.String(e, "anonymous_id");
        string? email = null, phone = null;
        var rawEmail = errors.String(e, "email");
        if (!string.IsNullOrWhiteSpace(rawEmail))
        {
            email = ContactPoints.NormalizeEmail(rawEmail);
            if (email is null) errors.Add("email", $"'{rawEmail}' is not a valid email address.");
        }
        var rawPhone = errors.String(e, "phone");
        if (!string.IsNullOrWhiteSpace(rawPhone))
        {
            phone = ContactPoints.NormalizePhone(rawPhone, context.DefaultCountry);
            if (phone is null) errors.Add("phone", $"'{rawPhone}' is not a phone number (write it with its country code, e.g. +48 600 100 200).");
        }
        var identity = new EventIdentity(Blank(customerId), email, phone, Blank(anonymousId));
        if (identity is { CustomerId: null, Email: null, Phone: null, AnonymousId: null } && !errors.HasAny("customer_id", "email", "phone", "anonymous_id"))
            errors.Add("anonymous_id", "An event needs someone to belong to: give customer_id, email, phone or anonymous_id.");

        var language = NormalizeLanguage(errors.String(e, "language")) ?? NormalizeLanguage(context.FallbackLanguage);
        var consent = ReadConsent(e, errors);

        var currency = errors.String(e, "currency");
        if (currency is not null)
        {
            currency = currency.Trim().ToUpperInvariant();
            if (!Currencies.IsKnown(currency)) errors.Add("currency", $"'{currency}' is not an ISO 4217 currency code.");
        }
        var value = errors.Money(e, "value");
        var shipping = errors.Money(e, "shipping");
        var tax = errors.Money(e, "tax");
        var transactionId = Blank(errors.Id(e, "transaction_id"));
        var coupon = Blank(errors.String(e, "coupon"));
        var utm = new Utm(Blank(errors.String(e, "utm_source")), Blank(errors.String(e, "utm_medium")), Blank(errors.String(e, "utm_campaign")));

        var items = ReadItems(e, errors);

        if (name is EventNames.ViewItem or EventNames.AddToCart or EventNames.RemoveFromCart or EventNames.BeginCheckout or EventNames.Purchase
            && items is { Count: 0 } && !errors.HasAny("items") && !HasElements(e, "items"))
            errors.Add("items", $"A {name} event needs at least one item.");
        if (name is EventNames.Purchase or EventNames.Refund && transactionId is null && !errors.HasAny("transaction_id"))
            errors.Add("transaction_id", $"A {name} event needs the order's transaction_id.");

        if (errors.Count > 0 || name is null)
            return new ParsedEvent(index, null, errors.ToDictionary());

        if (name == EventNames.Purchase && value is null)
            value = items!.Sum(i => (i.Price ?? 0m) * i.Quantity) + (shipping ?? 0m) + (tax ?? 0m);

        var raw = e.GetRawText();
        eventId = Blank(eventId) ?? DeriveEventId(raw);
        return new ParsedEvent(index, new TrackedEvent(name, eventId, timestamp, identity, language, consent, items!,
            transactionId, value, currency, coupon, shipping, tax, utm, raw) { CustomerToken = token }, Empty);
    }

    /// <summary>An event sent without an id gets one from its content, so that the same event sent twice is stored once.</summary>
    private static string DeriveEventId(string raw) =>
        "h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)))[..32];

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>
    /// The item ids of a stored event (its JSON as received), read as <see cref="ParseEvent"/> read them when it was
    /// accepted: a whole number as its digits, a string trimmed, blanks left out. Every reader of stored events'
    /// items goes through here, so an id is never read two ways. Malformed JSON has none.
    /// </summary>
    public static List<string> ItemIds(string payload)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return [];
        }
        using var _ = doc;
        return ItemIds(doc.RootElement);
    }

    /// <summary>The item ids of a stored event already parsed (<see cref="ItemIds(string)"/>).</summary>
    public static List<string> ItemIds(JsonElement root)
    {
        var ids = new List<string>();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return ids;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            if (Blank(new Errors("").Id(item, "item_id")) is { } id) ids.Add(id);
        }
        return ids;
    }

    private static DateTimeOffset? ReadTimestamp(JsonElement e, Errors errors, ParseContext context)
    {
        DateTimeOffset? ts = null;
        if (e.TryGetProperty("timestamp", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind == JsonValueKind.String &&
                DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                ts = parsed.ToUniversalTime();
            else if (t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms) && ms is > 0 and < 253402300799999)
                ts = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            else
            {
                errors.Add("timestamp", "Must be an ISO 8601 date-time (2024-05-01T12:00:00Z) or Unix milliseconds.");
                return null;
            }
        }
        else if (e.TryGetProperty("timestamp_micros", out var micros) && micros.ValueKind != JsonValueKind.Null)
        {
            if (micros.ValueKind == JsonValueKind.Number && micros.TryGetInt64(out var us) && us is > 0 and < 253402300799999999)
                ts = DateTimeOffset.FromUnixTimeMilliseconds(us / 1000);
            else if (micros.ValueKind == JsonValueKind.String && long.TryParse(micros.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out us)
                     && us is > 0 and < 253402300799999999)
                ts = DateTimeOffset.FromUnixTimeMilliseconds(us / 1000);
            else
            {
                errors.Add("timestamp_micros", "Must be Unix microseconds.");
                return null;
            }
        }
        if (ts is { } old && old < ParseContext.Earliest)
        {
            errors.Add(e.TryGetProperty("timestamp", out _) ? "timestamp" : "timestamp_micros",
                $"{old:O} is before {ParseContext.Earliest:yyyy-MM-dd}; send the time the event happened.");
            return null;
        }
        if (ts is { } value && value > context.Now + ParseContext.FutureTolerance)
        {
            errors.Add(e.TryGetProperty("timestamp", out _) ? "timestamp" : "timestamp_micros",
                $"{value:O} is in the future (server time {context.Now:O}).");
            return null;
        }
        return ts;
    }

    private static bool? ReadConsent(JsonElement e, Errors errors)
    {
        if (!e.TryGetProperty("consent", out var c)) return null;
        switch (c.ValueKind)
        {
            case JsonValueKind.Null: return null;
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.String:
                switch (c.GetString()?.Trim().ToLowerInvariant())
                {
                    case "yes" or "true" or "granted" or "1": return true;
                    case "no" or "false" or "denied" or "0": return false;
                }
                break;
            case JsonValueKind.Object:
                // GA4 consent object: {"ad_user_data":"GRANTED", …}; email marketing is the field we honour.
                if (c.TryGetProperty("email_marketing", out var em) || c.TryGetProperty("email", out em))
                    return em.ValueKind == JsonValueKind.True || (em.ValueKind == JsonValueKind.String && em.GetString()?.ToUpperInvariant() is "GRANTED" or "YES" or "TRUE");
                return null;
        }
        errors.Add("consent", "Must be true/false, \"yes\"/\"no\" or \"granted\"/\"denied\".");
        return null;
    }

    private static bool HasElements(JsonElement e, string field) =>
        e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0;

    private static List<EventItem>? ReadItems(JsonElement e, Errors errors)
    {
        if (!e.TryGetProperty("items", out var items) || items.ValueKind == JsonValueKind.Null) return [];
        if (items.ValueKind != JsonValueKind.Array)
        {
            errors.Add("items", "Must be an array of items.");
            return null;
        }
        var list = new List<EventItem>(items.GetArrayLength());
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var at = $"items[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(at, "Must be an item object.");
                continue;
            }
            var itemErrors = errors.Nested(at);
            var id = Blank(itemErrors.Id(item, "item_id"));
            if (id is null && !itemErrors.HasAny("item_id")) itemErrors.Add("item_id", "Is required.");
            var name = Blank(itemErrors.String(item, "item_name"));
            var categories = new List<string>(5);
            foreach (var field in (string[])["item_category", "item_category2", "item_category3", "item_category4", "item_category5"])
            {
                var cat = Blank(itemErrors.String(item, field));
                if (cat is null) continue;
                // A single field may carry a whole path ("Home > Chairs"), as many shops send it.
                categories.AddRange(cat.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            }
            var brand = Blank(itemErrors.String(item, "item_brand"));
            var variant = Blank(itemErrors.String(item, "item_variant"));
            var price = itemErrors.Money(item, "price");
            var quantity = 1;
            if (item.TryGetProperty("quantity", out var q) && q.ValueKind != JsonValueKind.Null)
            {
                if (q.ValueKind != JsonValueKind.Number || !q.TryGetDecimal(out var qd) || qd != decimal.Truncate(qd))
                    itemErrors.Add("quantity", "Must be a whole number.");
                else if (qd is <= 0 or > 1_000_000)
                    itemErrors.Add("quantity", "Must be between 1 and 1,000,000.");
                else quantity = (int)qd;
            }
            if (id is not null) list.Add(new EventItem(id, name, categories, brand, variant, price, quantity));
        }
        return list;
    }

    /// <summary>Collects field errors under a path prefix and reads typed values, recording wrong types.</summary>
    private sealed class Errors(string prefix, Dictionary<string, List<string>>? shared = null)
    {
        private readonly Dictionary<string, List<string>> _all = shared ?? new(StringComparer.Ordinal);

        public int Count => _all.Count;

        public Errors Nested(string at) => new(Path(prefix, at), _all);

        public void Add(string field, string message)
        {
            var key = Path(prefix, field);
            if (!_all.TryGetValue(key, out var list)) _all[key] = list = [];
            list.Add(message);
        }

        public bool HasAny(params string[] fields) => fields.Any(f => _all.ContainsKey(Path(prefix, f)));

        public Dictionary<string, string[]> ToDictionary() => _all.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

        public string? String(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String)
            {
                var s = v.GetString()!;
                if (s.Length <= 1000) return s;
                Add(field, "Is longer than 1,000 characters.");
                return null;
            }
            Add(field, $"Must be a string, not {Describe(v.ValueKind)}.");
            return null;
        }

        /// <summary>Ids may come as strings or whole numbers (GA4 senders do both).</summary>
        public string? Id(JsonElement e, string field)
        {
            if (e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number)
            {
                if (v.TryGetInt64(out var n)) return n.ToString(CultureInfo.InvariantCulture);
                Add(field, "Must be a string or a whole number.");
                return null;
            }
            return String(e, field);
        }

        public decimal? Money(JsonElement e, string field)
        {
            if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            decimal d;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out d)) { }
            else if (v.ValueKind == JsonValueKind.String && decimal.TryParse(v.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out d)) { }
            else
            {
                Add(field, $"Must be a number, not {Describe(v.ValueKind)}.");
                return null;
            }
            if (d < 0)
            {
                Add(field, $"Must not be negative ({d.ToString(CultureInfo.InvariantCulture)}).");
                return null;
            }
            if (d > 1_000_000_000m)
            {
                Add(field, "Is too large.");
                return null;
            }
            return d;
        }

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => kind.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>True for a language tag as a marketer types one: 2–3 letters, then subtags of 2–8 letters or digits (en, pl, pt-BR).</summary>
    public static bool IsLanguageTag(string tag)
    {
        var parts = tag.Split('-');
        return parts[0].Length is >= 2 and <= 3 && parts[0].All(char.IsAsciiLetter)
            && parts.Skip(1).All(p => p.Length is >= 2 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }

    /// <summary>Lower-cases a language tag and keeps its first two subtags ("pt-BR" → "pt-br"); null when unusable.</summary>
    public static string? NormalizeLanguage(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return null;
        // Accept-Language may list several: take the first.
        var first = tag.Split(',')[0].Split(';')[0].Trim().Replace('_', '-').ToLowerInvariant();
        var parts = first.Split('-', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0].Length is < 2 or > 3 || !parts[0].All(char.IsAsciiLetterLower)) return null;
        return parts.Length > 1 && parts[1].Length is >= 2 and <= 4 && parts[1].All(char.IsAsciiLetterOrDigit) ? parts[0] + "-" + parts[1] : parts[0];
    }
}
