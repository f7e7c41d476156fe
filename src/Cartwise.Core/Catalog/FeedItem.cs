using System.Globalization;
using Cartwise.Core.Tracking;

namespace Cartwise.Core.Catalog;

/// <summary>Whether a product can be bought now (Google Merchant Center's availability values).</summary>
public enum Availability
{
    /// <summary>Can be bought and shipped now.</summary>
    InStock,
    /// <summary>Cannot be bought; never recommended.</summary>
    OutOfStock,
    /// <summary>Can be ordered before release.</summary>
    Preorder,
    /// <summary>Can be ordered, ships later.</summary>
    Backorder,
}

/// <summary>One validated product of a feed. Immutable.</summary>
public sealed record FeedItem(
    string Id,
    string? Title,
    string? Description,
    string? Link,
    string? ImageLink,
    decimal? Price,
    string? Currency,
    decimal? SalePrice,
    Availability Availability,
    string? Brand,
    string? ProductType,
    string? GoogleProductCategory,
    string? ItemGroupId,
    string? Gtin,
    string? Condition,
    IReadOnlyList<string?> CustomLabels)
{
    /// <summary>The category path to file the product under: its product_type, else its Google category.</summary>
    public IReadOnlyList<string> CategoryPath =>
        CategoryPaths.Split(ProductType) is { Count: > 0 } p ? p
        : GoogleProductCategory is { } g && !g.All(char.IsAsciiDigit) ? CategoryPaths.Split(g) : [];
}

/// <summary>Category paths as written by shops: "Home &gt; Furniture &gt; Chairs" (also "/" or "|" separated).</summary>
public static class CategoryPaths
{
    /// <summary>The path's names, trimmed, empty parts dropped. Several comma-separated paths: the first one.</summary>
    public static IReadOnlyList<string> Split(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) return [];
        var separator = path.Contains('>', StringComparison.Ordinal) ? '>' : path.Contains('|', StringComparison.Ordinal) ? '|' : path.Contains(" / ", StringComparison.Ordinal) ? '/' : '>';
        return path.Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The canonical text of a path: names joined by " &gt; ".</summary>
    public static string Join(IEnumerable<string> names) => string.Join(" > ", names);
}

/// <summary>One field at fault in one feed item.</summary>
public sealed record FeedProblem(string? ItemId, long Line, string Field, string Reason);

/// <summary>
/// Turns the raw text fields of one feed item (XML or CSV, already keyed by Merchant Center attribute names such as
/// <c>id</c>, <c>price</c>, <c>availability</c>) into a <see cref="FeedItem"/>, or the problems that reject it.
/// Pure and thread-safe.
/// </summary>
public static class FeedItemReader
{
    /// <summary>The Merchant Center attributes Cartwise reads (without the <c>g:</c> prefix).</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "id", "title", "description", "link", "image_link", "price", "sale_price", "availability", "brand", "product_type",
        "google_product_category", "item_group_id", "gtin", "condition", "custom_label_0", "custom_label_1", "custom_label_2",
        "custom_label_3", "custom_label_4",
    ];

    /// <summary>Merchant Center's own limits, in characters; a longer value rejects the item, naming the field.</summary>
    public static readonly IReadOnlyDictionary<string, int> MaxLengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["id"] = 200, ["title"] = 150, ["description"] = 5000, ["link"] = 2000, ["image_link"] = 2000, ["price"] = 100, ["sale_price"] = 100,
        ["availability"] = 100, ["brand"] = 70, ["product_type"] = 750, ["google_product_category"] = 750, ["item_group_id"] = 50,
        ["gtin"] = 50, ["condition"] = 100, ["custom_label_0"] = 100, ["custom_label_1"] = 100, ["custom_label_2"] = 100,
        ["custom_label_3"] = 100, ["custom_label_4"] = 100,
    };

    /// <summary>The longest of <see cref="MaxLengths"/>.</summary>
    public static readonly int MaxFieldLength = MaxLengths.Values.Max();

    /// <summary>Reads one item; <paramref name="line"/> is where it starts, for the problems.</summary>
    public static (FeedItem? Item, IReadOnlyList<FeedProblem> Problems) Read(IReadOnlyDictionary<string, string> fields, long line, string defaultCurrency)
    {
        var problems = new List<FeedProblem>();
        string? Get(string name) => fields.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var id = Get("id");
        if (id is null) problems.Add(new FeedProblem(null, line, "id", "Every item needs an id."));
        foreach (var (name, max) in MaxLengths)
            if (fields.TryGetValue(name, out var v) && v.Trim().Length > max)
                problems.Add(new FeedProblem(id is null ? null : id.Length > 50 ? id[..50] : id, line, name,
                    $"Is longer than {max:N0} characters (Merchant Center's limit for {name})."));
        if (problems.Count > 0) return (null, problems);

        var (price, currency) = ReadPrice(Get("price"), "price", defaultCurrency, id, line, problems);
        var (sale, _) = ReadPrice(Get("sale_price"), "sale_price", defaultCurrency, id, line, problems);
        var availability = Availability.InStock;
        if (Get("availability") is { } a)
        {
            var parsed = ParseAvailability(a);
            if (parsed is null) problems.Add(new FeedProblem(id, line, "availability", $"'{a}' is not in stock, out of stock, preorder or backorder."));
            else availability = parsed.Value;
        }
        if (problems.Count > 0) return (null, problems);
        return (new FeedItem(id!, Get("title"), Get("description"), Get("link"), Get("image_link"), price, currency, sale, availability, Get("brand"),
            Get("product_type"), Get("google_product_category"), Get("item_group_id"), Get("gtin"), Get("condition"),
            [Get("custom_label_0"), Get("custom_label_1"), Get("custom_label_2"), Get("custom_label_3"), Get("custom_label_4")]), problems);
    }

    private static Availability? ParseAvailability(string value) => value.Trim().ToLowerInvariant().Replace('_', ' ') switch
    {
        "in stock" or "instock" or "available" or "available for order" => Availability.InStock,
        "out of stock" or "outofstock" or "discontinued" => Availability.OutOfStock,
        "preorder" or "pre order" => Availability.Preorder,
        "backorder" or "back order" => Availability.Backorder,
        _ => null,
    };

    /// <summary>Merchant Center prices: "12.50 GBP", "GBP 12.50", "12.50" (the store's currency), "1,299.00 PLN".</summary>
    private static (decimal? Amount, string? Currency) ReadPrice(string? text, string field, string defaultCurrency, string? id, long line, List<FeedProblem> problems)
    {
        if (text is null) return (null, null);
        string? currency = null;
        var amountText = text;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2)
        {
            if (parts[1].Length == 3 && parts[1].All(char.IsAsciiLetter)) (amountText, currency) = (parts[0], parts[1].ToUpperInvariant());
            else if (parts[0].Length == 3 && parts[0].All(char.IsAsciiLetter)) (amountText, currency) = (parts[1], parts[0].ToUpperInvariant());
        }
        if (currency is not null && !Currencies.IsKnown(currency))
        {
            problems.Add(new FeedProblem(id, line, field, $"'{currency}' is not an ISO 4217 currency code."));
            return (null, null);
        }
        if (!decimal.TryParse(amountText, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount < 0)
        {
            problems.Add(new FeedProblem(id, line, field, $"'{text}' is not a price (write it as 12.50 GBP)."));
            return (null, null);
        }
        return (amount, currency ?? defaultCurrency);
    }
}
