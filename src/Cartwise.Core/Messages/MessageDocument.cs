namespace Cartwise.Core.Messages;

/// <summary>The block types a message is built from.</summary>
public static class BlockTypes
{
    /// <summary>A heading line (Liquid in <see cref="Block.Text"/>).</summary>
    public const string Heading = "heading";
    /// <summary>A paragraph of text; line breaks are kept (Liquid in <see cref="Block.Text"/>).</summary>
    public const string Text = "text";
    /// <summary>An image with alt text and an optional link.</summary>
    public const string Image = "image";
    /// <summary>A call-to-action button.</summary>
    public const string Button = "button";
    /// <summary>A horizontal rule.</summary>
    public const string Divider = "divider";
    /// <summary>Two or more columns, each a list of blocks.</summary>
    public const string Columns = "columns";
    /// <summary>The items of the triggering order.</summary>
    public const string Purchased = "purchased";
    /// <summary>Items from a recommendation strategy, given the trigger's products, cart and customer.</summary>
    public const string Recommended = "recommended";
    /// <summary>The store's bestsellers.</summary>
    public const string Bestsellers = "bestsellers";
    /// <summary>The message's coupon code with its expiry.</summary>
    public const string Coupon = "coupon";
    /// <summary>The unsubscribe link and the store's address.</summary>
    public const string Footer = "footer";

    /// <summary>Every block type.</summary>
    public static IReadOnlyList<string> All { get; } = [Heading, Text, Image, Button, Divider, Columns, Purchased, Recommended, Bestsellers, Coupon, Footer];

    /// <summary>The types that show product items.</summary>
    public static bool ShowsItems(string type) => type is Purchased or Recommended or Bestsellers;
}

/// <summary>
/// One block of a message. Which fields matter depends on <see cref="Type"/>: text blocks use <see cref="Text"/>;
/// image uses <see cref="ImageUrl"/>, <see cref="Alt"/> and <see cref="Url"/>; button uses <see cref="Text"/> and
/// <see cref="Url"/>; item blocks use <see cref="Title"/>, <see cref="Strategy"/> and <see cref="Limit"/>; columns
/// use <see cref="Columns"/>. Every text field may hold Liquid.
/// </summary>
public sealed record Block(
    string Type,
    string? Text = null,
    string? Url = null,
    string? ImageUrl = null,
    string? Alt = null,
    string? Title = null,
    string? Strategy = null,
    int? Limit = null,
    string? Align = null,
    IReadOnlyList<IReadOnlyList<Block>>? Columns = null);

/// <summary>A message in one language: its subject, preheader and blocks.</summary>
public sealed record MessageVariant(string Language, string Subject, string? Preheader, IReadOnlyList<Block> Blocks);

/// <summary>A problem found in a message: where (a JSON path) and what.</summary>
public sealed record MessageError(string Path, string Error);

/// <summary>Checks a message's variants before it is saved, so that a template error never waits for send time.</summary>
public static class MessageValidator
{
    /// <summary>
    /// The problems of <paramref name="variants"/>: no variant in <paramref name="defaultLanguage"/>, duplicate
    /// languages, unknown block types, missing fields, and Liquid errors with their line and column.
    /// </summary>
    public static IReadOnlyList<MessageError> Validate(string defaultLanguage, IReadOnlyList<MessageVariant>? variants, MessageRenderer renderer)
    {
        var errors = new List<MessageError>();
        if (variants is null || variants.Count == 0)
        {
            errors.Add(new("variants", "a message needs at least one language variant"));
            return errors;
        }
        if (!variants.Any(v => string.Equals(v.Language, defaultLanguage, StringComparison.OrdinalIgnoreCase)))
            errors.Add(new("defaultLanguage", $"no variant in the default language '{defaultLanguage}'"));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < variants.Count; i++)
        {
            var v = variants[i];
            var path = $"variants[{i}]";
            if (string.IsNullOrWhiteSpace(v.Language)) errors.Add(new(path + ".language", "required"));
            else if (!seen.Add(v.Language)) errors.Add(new(path + ".language", $"'{v.Language}' appears twice"));
            if (string.IsNullOrWhiteSpace(v.Subject)) errors.Add(new(path + ".subject", "required"));
            else Template(renderer, v.Subject, path + ".subject", errors);
            Template(renderer, v.Preheader, path + ".preheader", errors);
            if (v.Blocks is null || v.Blocks.Count == 0) errors.Add(new(path + ".blocks", "a variant needs at least one block"));
            else Blocks(renderer, v.Blocks, path + ".blocks", errors);
        }
        return errors;
    }

    private static void Blocks(MessageRenderer renderer, IReadOnlyList<Block> blocks, string path, List<MessageError> errors)
    {
        for (var i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            var at = $"{path}[{i}]";
            if (b is null)
            {
                errors.Add(new(at, "a block cannot be null"));
                continue;
            }
            switch (b.Type)
            {
                case BlockTypes.Heading or BlockTypes.Text:
                    if (string.IsNullOrWhiteSpace(b.Text)) errors.Add(new(at + ".text", "required"));
                    break;
                case BlockTypes.Button:
                    if (string.IsNullOrWhiteSpace(b.Text)) errors.Add(new(at + ".text", "required"));
                    if (string.IsNullOrWhiteSpace(b.Url)) errors.Add(new(at + ".url", "required"));
                    break;
                case BlockTypes.Image:
                    if (string.IsNullOrWhiteSpace(b.ImageUrl)) errors.Add(new(at + ".imageUrl", "required"));
                    if (string.IsNullOrWhiteSpace(b.Alt)) errors.Add(new(at + ".alt", "required: images need alt text for clients that block them"));
                    break;
                case BlockTypes.Columns:
                    if (b.Columns is not { Count: >= 2 and <= 4 }) errors.Add(new(at + ".columns", "between 2 and 4 columns"));
                    else
                        for (var c = 0; c < b.Columns.Count; c++)
                        {
                            if (b.Columns[c].Any(x => x?.Type == BlockTypes.Columns)) errors.Add(new($"{at}.columns[{c}]", "columns cannot be nested"));
                            Blocks(renderer, b.Columns[c], $"{at}.columns[{c}]", errors);
                        }
                    break;
                case BlockTypes.Recommended:
                    if (b.Strategy is not null && !Recommendations.Strategies.All.Contains(b.Strategy))
                        errors.Add(new(at + ".strategy", $"unknown strategy '{b.Strategy}'; one of {string.Join(", ", Recommendations.Strategies.All)}"));
                    break;
                case BlockTypes.Divider or BlockTypes.Purchased or BlockTypes.Bestsellers or BlockTypes.Coupon or BlockTypes.Footer:
                    break;
                default:
                    errors.Add(new(at + ".type", $"unknown block type '{b.Type}'; one of {string.Join(", ", BlockTypes.All)}"));
                    break;
            }
            if (b.Limit is < 1 or > 12) errors.Add(new(at + ".limit", "between 1 and 12"));
            Template(renderer, b.Text, at + ".text", errors);
            Template(renderer, b.Title, at + ".title", errors);
            Template(renderer, b.Url, at + ".url", errors);
            Template(renderer, b.Alt, at + ".alt", errors);
            Template(renderer, b.ImageUrl, at + ".imageUrl", errors);
        }
    }

    private static void Template(MessageRenderer renderer, string? source, string path, List<MessageError> errors)
    {
        if (source is not null && renderer.Check(source) is { } error) errors.Add(new(path, error));
    }

    /// <summary>True when any variant has a block of <paramref name="type"/>, columns included.</summary>
    public static bool Uses(IEnumerable<MessageVariant> variants, string type) => variants.Any(v => Uses(v.Blocks, type));

    private static bool Uses(IEnumerable<Block> blocks, string type) =>
        blocks.Any(b => b.Type == type || (b.Columns is not null && b.Columns.Any(c => Uses(c, type))));

    /// <summary>The variant for a language: the exact one, else the one for its base language (pt for pt-BR), else the default.</summary>
    public static MessageVariant Pick(IReadOnlyList<MessageVariant> variants, string? language, string defaultLanguage)
    {
        if (language is { Length: > 0 })
        {
            var exact = variants.FirstOrDefault(v => string.Equals(v.Language, language, StringComparison.OrdinalIgnoreCase));
            if (exact is not null) return exact;
            var dash = language.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0)
            {
                var baseLanguage = language[..dash];
                var partial = variants.FirstOrDefault(v => string.Equals(v.Language, baseLanguage, StringComparison.OrdinalIgnoreCase));
                if (partial is not null) return partial;
            }
        }
        return variants.FirstOrDefault(v => string.Equals(v.Language, defaultLanguage, StringComparison.OrdinalIgnoreCase)) ?? variants[0];
    }
}
