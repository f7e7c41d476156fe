using System.Globalization;
using System.Net;
using System.Text;
using Cartwise.Core;
using Cartwise.Core.Recommendations;

namespace Cartwise.Recommendations;

/// <summary>The storefront widgets: each is a strategy and a way of showing what it picked.</summary>
public static class WidgetKinds
{
    public const string Cart = "cart";
    public const string Product = "product";
    public const string Upsell = "upsell";
    public const string Bundle = "bundle";
    public const string RecentlyViewed = "recently-viewed";
    public const string Bestsellers = "bestsellers";
    public const string FreeShipping = "free-shipping";

    /// <summary>The API's strategy for the same gap fillers (<c>strategy=threshold</c>), with what remains to the threshold.</summary>
    public const string ThresholdStrategy = "threshold";

    /// <summary>The strategy each widget asks for (the free-shipping bar's gap fillers are cart rules, then bestsellers).</summary>
    public static IReadOnlyDictionary<string, string> Strategy { get; } = new Dictionary<string, string>
    {
        [Cart] = Strategies.Cart, [Product] = Strategies.BoughtTogether, [Upsell] = Strategies.Upsell, [Bundle] = Strategies.Bundles,
        [RecentlyViewed] = Strategies.RecentlyViewed, [Bestsellers] = Strategies.Bestsellers, [FreeShipping] = Strategies.Cart,
    };
}

/// <summary>What the free-shipping bar shows: how far the cart is from the threshold.</summary>
public sealed record ShippingProgress(decimal Threshold, decimal CartValue, string? Currency)
{
    public decimal Gap => Math.Max(0, Threshold - CartValue);
    public int Percent => Threshold <= 0 ? 100 : (int)Math.Min(100, Math.Floor(CartValue / Threshold * 100));
}

/// <summary>
/// Renders a widget's HTML. The markup is the styling contract (docs/tracking.md lists it): <c>cw-widget</c>,
/// <c>cw-widget-{kind}</c>, <c>cw-title</c>, <c>cw-items</c>, <c>cw-item</c>, <c>cw-link</c>, <c>cw-image</c>,
/// <c>cw-name</c>, <c>cw-price</c>, <c>cw-difference</c>, <c>cw-add</c>, <c>cw-bundle</c>, <c>cw-bundle-price</c>,
/// <c>cw-add-all</c>, <c>cw-progress</c>, <c>cw-progress-bar</c>, <c>cw-progress-text</c>; colours and sizes are CSS
/// custom properties with defaults (<c>--cw-accent</c>, <c>--cw-accent-text</c>, <c>--cw-gap</c>,
/// <c>--cw-item-width</c>, <c>--cw-radius</c>, <c>--cw-muted</c>, <c>--cw-track</c>).
/// </summary>
public static class WidgetHtml
{
    private const string Style =
        "<style>.cw-widget{font:inherit;color:inherit}.cw-title{font-size:1.15em;margin:0 0 .6em}" +
        ".cw-items{display:flex;flex-wrap:wrap;gap:var(--cw-gap,12px);list-style:none;padding:0;margin:0}" +
        ".cw-item{width:var(--cw-item-width,160px);display:flex;flex-direction:column;gap:.3em}" +
        ".cw-link{color:inherit;text-decoration:none;display:flex;flex-direction:column;gap:.3em}.cw-link:hover .cw-name,.cw-link:focus .cw-name{text-decoration:underline}" +
        ".cw-image{width:100%;height:auto;aspect-ratio:1;object-fit:contain;border-radius:var(--cw-radius,6px);background:#fff}" +
        ".cw-name{font-size:.9em;line-height:1.3;max-height:2.6em;overflow:hidden}.cw-price{font-weight:bold}" +
        ".cw-difference{color:var(--cw-muted,#4b5563);font-size:.85em}.cw-current .cw-tag{font-size:.8em;color:var(--cw-muted,#4b5563)}" +
        ".cw-add,.cw-add-all{font:inherit;font-size:.9em;cursor:pointer;border:0;border-radius:var(--cw-radius,6px);padding:.45em .8em;" +
        "background:var(--cw-accent,#1d4ed8);color:var(--cw-accent-text,#fff)}.cw-add:focus-visible,.cw-add-all:focus-visible{outline:2px solid var(--cw-accent,#1d4ed8);outline-offset:2px}" +
        ".cw-bundles{list-style:none;padding:0;margin:0;display:grid;gap:var(--cw-gap,12px)}.cw-bundle{display:flex;flex-wrap:wrap;align-items:center;gap:var(--cw-gap,12px)}" +
        ".cw-bundle .cw-item{width:calc(var(--cw-item-width,160px)*.75)}.cw-bundle-price{font-weight:bold;margin:0}" +
        ".cw-progress{height:.6em;border-radius:.3em;background:var(--cw-track,#e5e7eb);overflow:hidden;margin:.4em 0 .8em}" +
        ".cw-progress-bar{height:100%;background:var(--cw-accent,#1d4ed8)}.cw-progress-text{margin:0}</style>";

    private sealed record Texts(string Title, string Add, string AddAll, string Together, string Viewing, string More, string Free, string Toward, string Fillers, string Some);

    // English, and Polish for the stores of the seeds; other languages get English words and their own number format.
    private static readonly Dictionary<string, Texts> Words = new()
    {
        ["en"] = new("You may also like", "Add to cart", "Add all {0} to the cart", "Together: {0}", "You are viewing", "Add {0} more for free shipping.",
            "Your order ships free.", "Towards free shipping", "Any one of these gets you there:", "Some ideas to get there:"),
        ["pl"] = new("Może Ci się spodobać", "Do koszyka", "Dodaj wszystkie ({0}) do koszyka", "Razem: {0}", "Oglądasz", "Dodaj produkty za {0}, a dostawa będzie darmowa.",
            "Dostawa jest darmowa.", "Do darmowej dostawy", "Wystarczy jeden z tych produktów:", "Pomysły, jak tam dojść:"),
    };

    private static readonly Dictionary<string, string> Titles = new()
    {
        [WidgetKinds.Cart] = "Goes well with your cart", [WidgetKinds.Product] = "Bought together", [WidgetKinds.Upsell] = "A step up",
        [WidgetKinds.Bundle] = "Buy them together", [WidgetKinds.RecentlyViewed] = "Recently viewed", [WidgetKinds.Bestsellers] = "Bestsellers",
        [WidgetKinds.FreeShipping] = "Free shipping",
    };

    private static string H(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static string? Http(string? url) =>
        url is { } u && Uri.TryCreate(u, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" ? u : null;

    /// <summary>The widget's whole fragment.</summary>
    /// <param name="current">The product viewed (the up-sell widget shows it beside its better versions).</param>
    /// <param name="shipping">The free-shipping bar's figures (that widget only).</param>
    public static string Render(RecommendationModel model, string kind, string? title, string? language, IReadOnlyList<Recommendation> picks,
        long? current, ShippingProgress? shipping)
    {
        // Nothing to show: no heading over an empty row (the script then lets the reserved room go).
        if (picks.Count == 0 && shipping is null) return "<!-- cartwise: nothing to recommend here -->";
        var culture = Prices.Culture(language);
        var words = Words.GetValueOrDefault(culture.TwoLetterISOLanguageName) ?? Words["en"];
        var heading = title is { Length: > 0 } ? title : Titles.GetValueOrDefault(kind) ?? words.Title;
        var strategy = WidgetKinds.Strategy.GetValueOrDefault(kind, Strategies.Blend);
        var html = new StringBuilder(2048);
        html.Append("<section class=\"cw-widget cw-widget-").Append(H(kind)).Append("\" aria-label=\"").Append(H(heading))
            .Append("\" data-widget=\"").Append(H(kind)).Append("\" data-strategy=\"").Append(H(strategy)).Append("\">").Append(Style)
            .Append("<h2 class=\"cw-title\">").Append(H(heading)).Append("</h2>");
        string Money(decimal value, string? currency) => H(Prices.Format(value, currency, culture));

        if (shipping is { } s)
        {
            var text = s.Gap > 0 ? string.Format(culture, words.More, Prices.Format(s.Gap, s.Currency, culture)) : words.Free;
            html.Append("<p class=\"cw-progress-text\" aria-live=\"polite\">").Append(H(text)).Append("</p>")
                .Append("<div class=\"cw-progress\" role=\"progressbar\" aria-label=\"").Append(H(words.Toward)).Append("\" aria-valuemin=\"0\" aria-valuemax=\"100\" aria-valuenow=\"")
                .Append(s.Percent.ToString(CultureInfo.InvariantCulture)).Append("\" aria-valuetext=\"").Append(Money(s.CartValue, s.Currency)).Append(" / ").Append(Money(s.Threshold, s.Currency))
                .Append("\" data-gap=\"").Append(s.Gap.ToString(CultureInfo.InvariantCulture)).Append("\"><div class=\"cw-progress-bar\" style=\"width:")
                .Append(s.Percent.ToString(CultureInfo.InvariantCulture)).Append("%\"></div></div>");
            if (s.Gap > 0 && picks.Count > 0)
                html.Append("<p class=\"cw-fillers\">").Append(H(picks.All(p => model.Products[p.Product].Price >= s.Gap) ? words.Fillers : words.Some)).Append("</p>");
        }

        if (kind == WidgetKinds.Bundle)
        {
            html.Append("<ul class=\"cw-bundles\">");
            foreach (var pick in picks)
            {
                if (pick.Bundle is not { } bundle) continue;
                var members = bundle.Products.Select(id => model.Products.GetValueOrDefault(id)).OfType<ProductInfo>().ToList();
                html.Append("<li class=\"cw-bundle\" data-items=\"").Append(H(string.Join(",", members.Select(m => m.ExternalId)))).Append("\"><ul class=\"cw-items\">");
                foreach (var m in members) Item(html, m, strategy, pick.Reason.Text, null, null, words, culture, withButton: false);
                html.Append("</ul>");
                if (members.All(m => m.Price is not null))
                    html.Append("<p class=\"cw-bundle-price\">").Append(H(string.Format(culture, words.Together, Prices.Format(members.Sum(m => m.Price!.Value), members[0].Currency, culture)))).Append("</p>");
                var addAll = string.Format(culture, words.AddAll, members.Count);
                html.Append("<button type=\"button\" class=\"cw-add-all\">").Append(H(addAll)).Append("</button></li>");
            }
            return html.Append("</ul></section>").ToString();
        }

        html.Append("<ul class=\"cw-items\">");
        var viewed = current is { } c ? model.Products.GetValueOrDefault(c) : null;
        if (kind == WidgetKinds.Upsell && viewed is not null && picks.Count > 0)
            Item(html, viewed, strategy, null, null, words.Viewing, words, culture, withButton: false);
        foreach (var pick in picks)
        {
            var p = model.Products[pick.Product];
            var difference = kind == WidgetKinds.Upsell && viewed?.Price is { } from && p.Price is { } to && to > from ? to - from : (decimal?)null;
            Item(html, p, pick.Reason.Strategy, pick.Reason.Text, difference, null, words, culture, withButton: true);
        }
        return html.Append("</ul></section>").ToString();
    }

    private static void Item(StringBuilder html, ProductInfo p, string strategy, string? reason, decimal? difference, string? tag, Texts words, CultureInfo culture, bool withButton)
    {
        var name = p.Name ?? p.ExternalId;
        var link = Http(p.Link);
        html.Append("<li class=\"cw-item").Append(tag is null ? "" : " cw-current").Append("\" data-id=\"").Append(H(p.ExternalId))
            .Append("\" data-name=\"").Append(H(name)).Append("\" data-strategy=\"").Append(H(strategy)).Append('"');
        if (p.Price is { } price) html.Append(" data-price=\"").Append(price.ToString(CultureInfo.InvariantCulture)).Append('"');
        if (p.Currency is { } cur) html.Append(" data-currency=\"").Append(H(cur)).Append('"');
        if (link is not null) html.Append(" data-link=\"").Append(H(link)).Append('"');
        if (reason is not null) html.Append(" title=\"").Append(H(reason)).Append('"');
        html.Append('>');
        if (tag is not null) html.Append("<span class=\"cw-tag\">").Append(H(tag)).Append("</span>");
        html.Append(link is null ? "<span class=\"cw-link\">" : "<a class=\"cw-link\" href=\"" + H(link) + "\">");
        if (Http(p.ImageLink) is { } img) html.Append("<img class=\"cw-image\" src=\"").Append(H(img)).Append("\" alt=\"\" width=\"160\" height=\"160\" loading=\"lazy\">");
        html.Append("<span class=\"cw-name\">").Append(H(name)).Append("</span>").Append(link is null ? "</span>" : "</a>");
        if (p.Price is { } shown) html.Append("<span class=\"cw-price\">").Append(H(Prices.Format(shown, p.Currency, culture))).Append("</span>");
        if (difference is { } d) html.Append("<span class=\"cw-difference\">+").Append(H(Prices.Format(d, p.Currency, culture))).Append("</span>");
        if (withButton)
            html.Append("<button type=\"button\" class=\"cw-add\" aria-label=\"").Append(H(words.Add + ": " + name)).Append("\">").Append(H(words.Add)).Append("</button>");
        html.Append("</li>");
    }

    /// <summary>
    /// The free-shipping bar's gap fillers: of the candidates (cart rules first, then bestsellers), those whose price
    /// alone crosses the threshold, cheapest first; when fewer than asked cross it, the others follow in their order.
    /// </summary>
    public static IReadOnlyList<Recommendation> GapFillers(RecommendationModel model, IEnumerable<Recommendation> candidates, decimal gap, int limit)
    {
        var distinct = candidates.DistinctBy(r => r.Product).Where(r => model.Products.TryGetValue(r.Product, out var p) && p.Price is not null).ToList();
        if (gap <= 0) return distinct.Take(limit).ToList();
        var crossing = distinct.Where(r => model.Products[r.Product].Price >= gap).OrderBy(r => model.Products[r.Product].Price).Take(limit).ToList();
        return crossing.Concat(distinct.Where(r => !crossing.Contains(r))).Take(limit).ToList();
    }
}
