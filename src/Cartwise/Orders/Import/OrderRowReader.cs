using System.Globalization;
using Cartwise.Core.Orders;
using CsvHelper;

namespace Cartwise.Orders.Import;

/// <summary>
/// Reads order-history CSV rows into <see cref="OrderLineRecord"/>s, reporting rows it cannot read. Column names come
/// from the layout (online-retail) or from the header and <c>--map</c> (lines). Not thread-safe.
/// </summary>
internal sealed class OrderRowReader
{
    public static readonly IReadOnlyList<string> Fields =
        ["order_id", "product_id", "product_name", "quantity", "price", "date", "customer_id", "email", "country", "category", "currency"];

    private static readonly string[] Required = ["order_id", "product_id", "quantity", "price", "date"];

    private static int IndexOf(string field) => Fields.ToList().IndexOf(field);

    private static readonly Dictionary<string, string> OnlineRetailColumns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["InvoiceNo"] = "order_id", ["Invoice"] = "order_id", ["StockCode"] = "product_id", ["Description"] = "product_name",
        ["Quantity"] = "quantity", ["InvoiceDate"] = "date", ["UnitPrice"] = "price", ["Price"] = "price",
        ["CustomerID"] = "customer_id", ["Customer ID"] = "customer_id", ["Country"] = "country",
    };

    // The original release writes "12/1/2010 8:26"; the shared copy ISO "2010-12-01 08:26:00".
    private static readonly string[] OnlineRetailDates = ["M/d/yyyy H:mm", "M/d/yyyy H:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];

    private readonly CsvReader _csv;
    private readonly int[] _index;
    private readonly string[]? _dateFormats;
    private readonly CultureInfo _culture;
    private readonly TimeZoneInfo _zone;
    private string? _lastDateText;
    private DateTimeOffset _lastDate;
    private readonly int _shiftDays;

    public OrderRowReader(CsvReader csv, OrderImportOptions options, TimeZoneInfo storeZone)
    {
        _csv = csv;
        _zone = storeZone;
        _shiftDays = options.ShiftDays;
        _culture = options.Culture is null ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(options.Culture);
        var onlineRetail = options.Format == "online-retail";
        _dateFormats = options.DateFormat is not null ? [options.DateFormat] : onlineRetail ? OnlineRetailDates : null;
        var header = csv.Headers.ToArray();
        _index = Enumerable.Repeat(-1, Fields.Count).ToArray();
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            string? field = null;
            if (options.Map is not null && options.Map.TryGetValue(name, out var mapped)) field = mapped;
            else if (onlineRetail && OnlineRetailColumns.TryGetValue(name, out var known)) field = known;
            else if (Fields.Contains(name.ToLowerInvariant())) field = name.ToLowerInvariant();
            if (field is null) continue;
            var at = IndexOf(field);
            if (at < 0) throw new InvalidDataException($"--map names '{field}', which is not one of: {string.Join(", ", Fields)}.");
            _index[at] = i;
        }
        var missing = Required.Where(f => _index[IndexOf(f)] < 0).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"The file has no column for {string.Join(", ", missing)} (columns: {string.Join(", ", header)})" +
                (onlineRetail ? "." : "; name them with --map COLUMN=FIELD."));
    }

    private string? Field(int field)
    {
        var i = _index[field];
        if (i < 0 || i >= _csv.FieldCount) return null;
        var s = _csv.GetString(i);
        return s.Length == 0 || string.IsNullOrWhiteSpace(s) ? null : s;
    }

    /// <summary>Reads the current row; null with a reason when it cannot be read.</summary>
    public (OrderLineRecord? Row, string? Problem) Current()
    {
        var order = Field(0)?.Trim();
        var product = Field(1)?.Trim();
        if (order is null) return (null, "no order id");
        if (product is null) return (null, "no product id");
        var quantityText = Field(3);
        if (!int.TryParse(quantityText, NumberStyles.Integer, _culture, out var quantity))
            return (null, $"quantity '{quantityText}' is not a whole number");
        if (quantity == 0) return (null, "quantity is 0");
        var priceText = Field(4);
        if (!decimal.TryParse(priceText, NumberStyles.Number, _culture, out var price))
            return (null, $"price '{priceText}' is not a number");
        var dateText = Field(5);
        if (dateText is null) return (null, "no date");
        if (dateText != _lastDateText)
        {
            if (!TryParseDate(dateText, out var date)) return (null, $"date '{dateText}' is not in the expected format{(_dateFormats is null ? " (ISO 8601)" : $" ({_dateFormats[0]})")}");
            if (date < Core.Tracking.ParseContext.Earliest) return (null, $"date '{dateText}' is before {Core.Tracking.ParseContext.Earliest:yyyy-MM-dd}");
            _lastDateText = dateText;
            _lastDate = date;
        }
        var currency = Field(10)?.Trim().ToUpperInvariant();
        if (currency is not null && !Core.Tracking.Currencies.IsKnown(currency)) return (null, $"currency '{currency}' is not an ISO 4217 code");
        var customer = Field(6)?.Trim();
        // Some exports write numeric ids as floats ("17850.0").
        if (customer is not null && customer.EndsWith(".0", StringComparison.Ordinal) && customer[..^2].All(char.IsAsciiDigit)) customer = customer[..^2];
        var email = Field(7) is { } e ? Core.Customers.ContactPoints.NormalizeEmail(e) : null;
        if (Field(7) is { } rawEmail && email is null) return (null, $"email '{rawEmail}' is not valid");
        return (new OrderLineRecord(_csv.LineNumber, order, product, Field(2)?.Trim(), quantity, price, _lastDate, customer, email, Field(8)?.Trim(), Field(9)?.Trim(), currency), null);
    }

    private bool TryParseDate(string text, out DateTimeOffset value)
    {
        text = text.Trim();
        if (_dateFormats is null)
        {
            if (DateTimeOffset.TryParse(text, _culture, DateTimeStyles.None, out var any))
            {
                // No offset written: the store's local time.
                value = HasOffset(text) ? any.ToUniversalTime().AddDays(_shiftDays) : Local(any.DateTime);
                return true;
            }
            value = default;
            return false;
        }
        if (DateTime.TryParseExact(text, _dateFormats, _culture, DateTimeStyles.None, out var local))
        {
            value = Local(local);
            return true;
        }
        value = default;
        return false;
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || (text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':');

    private DateTimeOffset Local(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local.AddDays(_shiftDays), DateTimeKind.Unspecified);
        // A time skipped by a daylight-saving change does not exist locally: read it as standard time.
        var offset = _zone.IsInvalidTime(unspecified) ? _zone.BaseUtcOffset : _zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset).ToUniversalTime();
    }
}
