using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Fluid;

namespace Cartwise.Core.Messages;

/// <summary>A product as a message shows it.</summary>
public sealed record ItemModel(long Id, string Name, string? Url, string? ImageUrl, decimal? Price, string? Currency, int Quantity = 1);

/// <summary>The coupon given with a message; <see cref="ExpiresAt"/> null means it does not expire.</summary>
public sealed record CouponModel(string Code, DateTimeOffset? ExpiresAt);

/// <summary>The recipient as templates see them (<c>customer.first_name</c>…).</summary>
public sealed record RenderCustomer(string? FirstName, string? LastName, string? Email, string? Language);

/// <summary>The store as templates see it (<c>store.name</c>…); <see cref="TimeZone"/> is an IANA id for dates.</summary>
public sealed record RenderStore(string Name, string? Address, string Currency, string TimeZone, string? Url);

/// <summary>The triggering order (<c>order.id</c>, <c>order.value</c>…).</summary>
public sealed record RenderOrder(string Id, decimal Value, string Currency, DateTimeOffset PlacedAt);

/// <summary>
/// Where a message's links go: <see cref="Track"/> turns a destination into a signed click link, the unsubscribe
/// link is used as is, and the open pixel (when given) ends the HTML.
/// </summary>
public sealed record MessageLinks(string UnsubscribeUrl, string? OpenPixelUrl, Func<string, string> Track)
{
    /// <summary>The link that confirms email consent (<c>{{ confirm_url }}</c>, double opt-in); null outside a confirmation.</summary>
    public string? ConfirmUrl { get; init; }

    /// <summary>Links that go where they say, for previews.</summary>
    public static MessageLinks Untracked(string unsubscribeUrl) => new(unsubscribeUrl, null, u => u);
}

/// <summary>
/// Everything one rendering needs. <see cref="Items"/> answers the items of a RECOMMENDED or BESTSELLERS block;
/// <see cref="Now"/> is the sending time (for <c>coupon.days_left</c>).
/// </summary>
public sealed record RenderContext(
    RenderCustomer Customer,
    RenderStore Store,
    RenderOrder? Order,
    ItemModel? Product,
    IReadOnlyList<ItemModel> Purchased,
    IReadOnlyList<ItemModel> Cart,
    CouponModel? Coupon,
    Func<Block, IReadOnlyList<ItemModel>> Items,
    MessageLinks Links,
    DateTimeOffset Now);

/// <summary>A rendered message: subject, preheader, the HTML part and the plain-text part.</summary>
public sealed record RenderedMessage(string Subject, string? Preheader, string Html, string Text);

/// <summary>A message could not be rendered (a template failed at run time, or a COUPON block has no coupon).</summary>
public sealed class MessageRenderException(string message) : Exception(message);

/// <summary>
/// Renders block messages to email-client-safe HTML (table layout, inline CSS, no scripts, 600px wide) and plain text.
/// Liquid templates are parsed once and cached by their source; each rendering gets its own template context.
/// Thread-safe.
/// </summary>
public sealed class MessageRenderer
{
    private const string Font = "font-family:Arial,Helvetica,sans-serif;";
    private static readonly FluidParser Parser = new();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _templates = new(StringComparer.Ordinal);
    private readonly TemplateOptions _options = new() { MaxSteps = 100_000, MaxRecursion = 20 };

    /// <summary>The Liquid error of <paramref name="source"/> with its line and column, or null when it parses.</summary>
    public string? Check(string source)
    {
        if (_templates.ContainsKey(source)) return null;
        if (LiquidGuard.Check(source) is { } refused) return refused;
        if (!Parser.TryParse(source, out var template, out var error)) return Readable(error);
        _templates.TryAdd(source, template);
        return null;
    }

    /// <summary>The parser's message with its place as a person reads it: "… at (1:29) Source: …" → "… at line 1, column 29".</summary>
    private static string Readable(string error)
    {
        var m = System.Text.RegularExpressions.Regex.Match(error, @"^(.*?)\s*\((\d+):(\d+)\)");
        return m.Success ? $"{m.Groups[1].Value} line {m.Groups[2].Value}, column {m.Groups[3].Value}" : error;
    }

    /// <summary>Renders <paramref name="variant"/> for one recipient.</summary>
    public RenderedMessage Render(MessageVariant variant, RenderContext context)
    {
        var culture = Culture(variant.Language);
        var zone = StoreTime.Zone(context.Store.TimeZone);
        var liquid = new TemplateContext(_options) { CultureInfo = culture, TimeZone = zone };
        Bind(liquid, context, culture, zone);
        var r = new Rendering(this, liquid, context, culture, zone);

        var subject = r.Liquid(variant.Subject).ReplaceLineEndings(" ").Trim();
        var preheader = variant.Preheader is null ? null : r.Liquid(variant.Preheader).Trim();
        var html = new StringBuilder(8192);
        var text = new StringBuilder(2048);
        html.Append("<!DOCTYPE html><html lang=\"").Append(Enc(variant.Language)).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"x-apple-disable-message-reformatting\">")
            .Append("<title>").Append(Enc(subject)).Append("</title></head><body style=\"margin:0;padding:0;background-color:#f3f4f6;\">");
        if (!string.IsNullOrEmpty(preheader))
            html.Append("<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">").Append(Enc(preheader)).Append("</div>");
        html.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#f3f4f6;\"><tr><td align=\"center\" style=\"padding:24px 8px;\">")
            .Append("<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;max-width:600px;background-color:#ffffff;border-radius:6px;\">");
        foreach (var block in variant.Blocks)
        {
            html.Append("<tr><td style=\"padding:12px 24px;\">");
            r.Block(block, html, text);
            html.Append("</td></tr>");
        }
        html.Append("</table></td></tr></table>");
        if (context.Links.OpenPixelUrl is { } pixel)
            html.Append("<img src=\"").Append(Enc(pixel)).Append("\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px;\">");
        html.Append("</body></html>");
        return new RenderedMessage(subject, preheader, html.ToString(), text.ToString().TrimEnd() + "\n");
    }

    private IFluidTemplate Template(string source)
    {
        if (_templates.TryGetValue(source, out var t)) return t;
        if (LiquidGuard.Check(source) is { } refused) throw new MessageRenderException($"template error: {refused}");
        if (!Parser.TryParse(source, out t, out var error)) throw new MessageRenderException($"template error: {error}");
        return _templates.GetOrAdd(source, t);
    }

    private static void Bind(TemplateContext liquid, RenderContext c, CultureInfo culture, TimeZoneInfo zone)
    {
        liquid.SetValue("customer", new Dictionary<string, object?>
        {
            ["first_name"] = c.Customer.FirstName ?? "",
            ["last_name"] = c.Customer.LastName ?? "",
            ["email"] = c.Customer.Email ?? "",
            ["language"] = c.Customer.Language ?? "",
        });
        liquid.SetValue("store", new Dictionary<string, object?>
        {
            ["name"] = c.Store.Name,
            ["address"] = c.Store.Address ?? "",
            ["currency"] = c.Store.Currency,
            ["url"] = c.Store.Url ?? "",
        });
        if (c.Order is { } o)
            liquid.SetValue("order", new Dictionary<string, object?>
            {
                ["id"] = o.Id,
                ["value"] = o.Value,
                ["currency"] = o.Currency,
                ["total"] = Price(o.Value, o.Currency, culture),
                ["placed_at"] = o.PlacedAt,
            });
        if (c.Product is { } p) liquid.SetValue("product", Item(p, culture));
        liquid.SetValue("purchased", c.Purchased.Select(i => (object)Item(i, culture)).ToList());
        liquid.SetValue("cart", c.Cart.Select(i => (object)Item(i, culture)).ToList());
        if (c.Coupon is { } coupon)
            liquid.SetValue("coupon", new Dictionary<string, object?>
            {
                ["code"] = coupon.Code,
                ["expires_at"] = coupon.ExpiresAt,
                ["expires_on"] = ExpiresOn(coupon, culture, zone) ?? "",
                ["days_left"] = coupon.ExpiresAt is null ? null : (object)Math.Max(0, (int)Math.Ceiling((coupon.ExpiresAt.Value - c.Now).TotalDays)),
            });
        liquid.SetValue("unsubscribe_url", c.Links.UnsubscribeUrl);
        liquid.SetValue("confirm_url", c.Links.ConfirmUrl ?? "");
    }

    private static Dictionary<string, object?> Item(ItemModel i, CultureInfo culture) => new()
    {
        ["id"] = i.Id,
        ["name"] = i.Name,
        ["url"] = i.Url ?? "",
        ["image"] = i.ImageUrl ?? "",
        ["price"] = i.Price,
        ["price_text"] = i.Price is { } p ? Price(p, i.Currency, culture) : "",
        ["quantity"] = i.Quantity,
    };

    private static string Price(decimal value, string? currency, CultureInfo culture) => Prices.Format(value, currency, culture);

    private static string? ExpiresOn(CouponModel coupon, CultureInfo culture, TimeZoneInfo zone) =>
        coupon.ExpiresAt is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("D", culture) : null;

    private static CultureInfo Culture(string language) => Prices.Culture(language);

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>One rendering: the Liquid context and the output, block by block.</summary>
    private sealed class Rendering(MessageRenderer owner, TemplateContext liquid, RenderContext context, CultureInfo culture, TimeZoneInfo zone)
    {
        public string Liquid(string source)
        {
            // Plain sources (most of them) skip Liquid altogether.
            if (!source.Contains("{{", StringComparison.Ordinal) && !source.Contains("{%", StringComparison.Ordinal)) return source;
            try
            {
                return owner.Template(source).Render(liquid, NullEncoder.Default);
            }
            catch (Exception e) when (e is not MessageRenderException and not OperationCanceledException)
            {
                // Whatever a template's filters or values throw is that template's failure, never the caller's.
                throw new MessageRenderException($"template failed: {e.Message}");
            }
        }

        public void Block(Block b, StringBuilder html, StringBuilder text)
        {
            var align = b.Align is "center" or "right" ? b.Align : "left";
            switch (b.Type)
            {
                case BlockTypes.Heading:
                {
                    var t = Liquid(b.Text ?? "");
                    html.Append("<h1 style=\"margin:0;").Append(Font).Append("font-size:24px;line-height:30px;color:#111827;text-align:").Append(align).Append(";\">")
                        .Append(Enc(t)).Append("</h1>");
                    text.Append(t).Append('\n').Append(new string('=', Math.Min(t.Length, 60))).Append("\n\n");
                    break;
                }
                case BlockTypes.Text:
                {
                    var t = Liquid(b.Text ?? "");
                    html.Append("<p style=\"margin:0;").Append(Font).Append("font-size:16px;line-height:24px;color:#374151;text-align:").Append(align).Append(";\">")
                        .Append(Enc(t).ReplaceLineEndings("<br>")).Append("</p>");
                    text.Append(t).Append("\n\n");
                    break;
                }
                case BlockTypes.Image:
                {
                    var src = Liquid(b.ImageUrl ?? "");
                    var alt = Liquid(b.Alt ?? "");
                    var img = $"<img src=\"{Enc(src)}\" alt=\"{Enc(alt)}\" width=\"552\" style=\"display:block;width:100%;max-width:552px;height:auto;border:0;\">";
                    if (b.Url is { Length: > 0 } url)
                    {
                        var href = Liquid(url);
                        html.Append("<a href=\"").Append(Enc(context.Links.Track(href))).Append("\">").Append(img).Append("</a>");
                        text.Append('[').Append(alt).Append("] ").Append(href).Append("\n\n");
                    }
                    else
                    {
                        html.Append(img);
                        text.Append('[').Append(alt).Append("]\n\n");
                    }
                    break;
                }
                case BlockTypes.Button:
                {
                    var label = Liquid(b.Text ?? "");
                    var href = Liquid(b.Url ?? "");
                    html.Append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" align=\"").Append(align == "left" ? "left" : align)
                        .Append("\"><tr><td style=\"border-radius:4px;background-color:#111827;\"><a href=\"").Append(Enc(context.Links.Track(href)))
                        .Append("\" style=\"display:inline-block;padding:12px 24px;").Append(Font).Append("font-size:16px;color:#ffffff;text-decoration:none;font-weight:bold;\">")
                        .Append(Enc(label)).Append("</a></td></tr></table>");
                    text.Append(label).Append(": ").Append(href).Append("\n\n");
                    break;
                }
                case BlockTypes.Divider:
                    html.Append("<hr style=\"border:0;border-top:1px solid #e5e7eb;margin:0;\">");
                    text.Append("----\n\n");
                    break;
                case BlockTypes.Columns:
                {
                    var columns = b.Columns ?? [];
                    var width = columns.Count == 0 ? 100 : 100 / columns.Count;
                    html.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>");
                    foreach (var column in columns)
                    {
                        html.Append("<td valign=\"top\" width=\"").Append(width).Append("%\" style=\"padding:0 6px;\">");
                        foreach (var inner in column)
                        {
                            html.Append("<div style=\"padding:6px 0;\">");
                            Block(inner, html, text);
                            html.Append("</div>");
                        }
                        html.Append("</td>");
                    }
                    html.Append("</tr></table>");
                    break;
                }
                case BlockTypes.Purchased:
                    Items(b, context.Purchased, html, text);
                    break;
                case BlockTypes.Recommended or BlockTypes.Bestsellers:
                    Items(b, context.Items(b), html, text);
                    break;
                case BlockTypes.Coupon:
                {
                    var coupon = context.Coupon ?? throw new MessageRenderException("the message has a COUPON block but no coupon was given");
                    var title = Liquid(b.Title ?? "");
                    var copy = b.Text is null ? null : Liquid(b.Text);
                    var expires = ExpiresOn(coupon, culture, zone);
                    html.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border:2px dashed #111827;\"><tr><td align=\"center\" style=\"padding:16px;")
                        .Append(Font).Append("color:#111827;\">");
                    if (title.Length > 0) html.Append("<div style=\"font-size:16px;line-height:22px;\">").Append(Enc(title)).Append("</div>");
                    html.Append("<div style=\"font-size:28px;line-height:36px;font-weight:bold;letter-spacing:2px;font-family:'Courier New',monospace;\">").Append(Enc(coupon.Code)).Append("</div>");
                    if (copy is { Length: > 0 }) html.Append("<div style=\"font-size:14px;line-height:20px;\">").Append(Enc(copy)).Append("</div>");
                    else if (expires is not null) html.Append("<div style=\"font-size:14px;line-height:20px;\">").Append(Enc(expires)).Append("</div>");
                    html.Append("</td></tr></table>");
                    if (title.Length > 0) text.Append(title).Append('\n');
                    text.Append(coupon.Code).Append('\n');
                    if (copy is { Length: > 0 }) text.Append(copy).Append('\n');
                    else if (expires is not null) text.Append(expires).Append('\n');
                    text.Append('\n');
                    break;
                }
                case BlockTypes.Footer:
                {
                    var label = b.Text is null ? "Unsubscribe" : Liquid(b.Text);
                    var address = context.Store.Address ?? "";
                    html.Append("<p style=\"margin:0;").Append(Font).Append("font-size:12px;line-height:18px;color:#6b7280;text-align:center;\">")
                        .Append(Enc(context.Store.Name));
                    if (address.Length > 0) html.Append("<br>").Append(Enc(address).ReplaceLineEndings("<br>"));
                    html.Append("<br><a href=\"").Append(Enc(context.Links.UnsubscribeUrl)).Append("\" style=\"color:#6b7280;text-decoration:underline;\">")
                        .Append(Enc(label)).Append("</a></p>");
                    text.Append("--\n").Append(context.Store.Name).Append('\n');
                    if (address.Length > 0) text.Append(address).Append('\n');
                    text.Append(label).Append(": ").Append(context.Links.UnsubscribeUrl).Append('\n');
                    break;
                }
                default:
                    throw new MessageRenderException($"unknown block type '{b.Type}'");
            }
        }

        private void Items(Block b, IReadOnlyList<ItemModel> items, StringBuilder html, StringBuilder text)
        {
            var limit = b.Limit ?? 3;
            var shown = items.Take(limit).ToList();
            var title = b.Title is null ? null : Liquid(b.Title);
            if (title is { Length: > 0 })
            {
                html.Append("<h2 style=\"margin:0 0 12px 0;").Append(Font).Append("font-size:18px;line-height:24px;color:#111827;\">").Append(Enc(title)).Append("</h2>");
                text.Append(title).Append('\n');
            }
            if (shown.Count == 0) return;
            const int perRow = 3;
            html.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\">");
            for (var row = 0; row < shown.Count; row += perRow)
            {
                html.Append("<tr>");
                for (var i = row; i < row + perRow; i++)
                {
                    html.Append("<td valign=\"top\" width=\"33%\" style=\"padding:6px;").Append(Font).Append("font-size:14px;line-height:20px;color:#374151;\">");
                    if (i < shown.Count)
                    {
                        var item = shown[i];
                        var href = item.Url is null ? null : context.Links.Track(item.Url);
                        if (item.ImageUrl is not null)
                        {
                            var img = $"<img src=\"{Enc(item.ImageUrl)}\" alt=\"{Enc(item.Name)}\" width=\"160\" style=\"display:block;width:100%;max-width:160px;height:auto;border:0;\">";
                            html.Append(href is null ? img : $"<a href=\"{Enc(href)}\">{img}</a>");
                        }
                        html.Append("<div style=\"padding-top:6px;\">");
                        if (href is null) html.Append(Enc(item.Name));
                        else html.Append("<a href=\"").Append(Enc(href)).Append("\" style=\"color:#111827;text-decoration:none;\">").Append(Enc(item.Name)).Append("</a>");
                        if (item.Quantity > 1) html.Append(" ×").Append(item.Quantity.ToString(CultureInfo.InvariantCulture));
                        html.Append("</div>");
                        if (item.Price is { } p) html.Append("<div style=\"font-weight:bold;color:#111827;\">").Append(Enc(Price(p, item.Currency, culture))).Append("</div>");
                        text.Append("- ").Append(item.Name);
                        if (item.Quantity > 1) text.Append(" x").Append(item.Quantity.ToString(CultureInfo.InvariantCulture));
                        if (item.Price is { } tp) text.Append(" — ").Append(Price(tp, item.Currency, culture));
                        text.Append('\n');
                        if (item.Url is not null) text.Append("  ").Append(item.Url).Append('\n');
                    }
                    html.Append("</td>");
                }
                html.Append("</tr>");
            }
            html.Append("</table>");
            text.Append('\n');
        }
    }
}
