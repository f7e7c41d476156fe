using System.Globalization;
using System.Net;
using System.Text;
using Cartwise.Catalog;
using Cartwise.Data;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Storefront;

/// <summary>
/// The demo's shop (<c>serve --demo</c> only): a small front end over the demo catalogue, written as a shop's own
/// would be. Its pages push GA4 e-commerce events into <c>dataLayer</c> (<c>shop.js</c>) and carry the storefront
/// script tag; Cartwise learns everything from those, as it would from any shop.
/// </summary>
public static class DemoShop
{
    public const string Root = "/demo-shop";
    public const string ProductPath = Root + "/p/";
    public const string ImagePath = Root + "/img/";
    public const string CartPath = Root + "/cart";
    private const int PageSize = 24;

    public static IEndpointRouteBuilder MapDemoShop(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup(Root).AllowAnonymous().ExcludeFromDescription();
        g.MapGet("", HomeAsync);
        g.MapGet("/p/{id}", ProductAsync);
        g.MapGet("/cart", CartAsync);
        g.MapGet("/img/{file}", ImageAsync);
        g.MapGet("/shop.js", () => Hosting.EmbeddedFiles.Serve("Cartwise.Storefront.shop.js", "text/javascript; charset=utf-8"));
        g.MapGet("/shop.css", () => Hosting.EmbeddedFiles.Serve("Cartwise.Storefront.shop.css", "text/css; charset=utf-8"));
        return app;
    }

    private static async Task<long?> StoreAsync(CartwiseDb db)
    {
        var id = await db.Stores.Where(s => s.Slug == DemoStore.Slug).Select(s => (long?)s.Id).SingleOrDefaultAsync();
        if (id is { } s) db.CurrentStoreId = s;
        return id;
    }

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Money(decimal? price, string? currency) => price is { } p ? $"{(currency == "GBP" ? "£" : "")}{p.ToString("0.00", CultureInfo.InvariantCulture)}{(currency is "GBP" or null ? "" : " " + currency)}" : "";

    private static IResult Page(string title, string body) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{H(title)}} · Cartwise demo gift shop</title><link rel="stylesheet" href="{{Root}}/shop.css"><link rel="icon" href="data:,">
        <script src="{{Root}}/shop.js" defer></script>
        <script async src="{{StorefrontEndpoints.ScriptPath}}?v={{StorefrontEndpoints.Version}}" data-key="{{StoreKeys.DemoTrackingKey}}"></script></head>
        <body><header class="shop"><a class="logo" href="{{Root}}">Cartwise demo gift shop</a>
        <form action="{{Root}}" method="get" role="search"><label for="shop-q">Search the shop</label><input id="shop-q" name="q" type="search"><button>Search</button></form>
        <a class="cart-link" href="{{CartPath}}">Cart (<span data-cart-count>0</span>)</a></header>
        <main id="main">{{body}}</main>
        <footer class="shop"><p>A demo shop: the products and orders are a real UK gift shop's (UCI Online Retail). Pictures are drawn, not photographed.
        <a href="/">Admin app</a></p></footer></body></html>
        """, "text/html; charset=utf-8");

    private static async Task<IResult> HomeAsync(CartwiseDb db, string? q, long? category, long? after)
    {
        if (await StoreAsync(db) is null) return Results.NotFound();
        var tree = await CatalogQueries.CategoryTreeAsync(db, CancellationToken.None);
        var products = await CatalogQueries.ProductsAsync(db, q, category, CatalogQueries.AvailableOnly, after, PageSize, CancellationToken.None);
        var html = new StringBuilder();
        html.Append("<nav class=\"categories\" aria-label=\"Categories\"><ul>");
        foreach (var c in tree.Where(c => c.Level == 2 && c.ProductsWithin > 0))
            html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{Root}?category={c.Id}\"{(c.Id == category ? " aria-current=\"page\"" : "")}>{H(c.Name)}</a></li>");
        html.Append("</ul></nav>");
        var heading = category is { } cid ? tree.FirstOrDefault(c => c.Id == cid)?.Name ?? "Products" : q is { Length: > 0 } ? $"Search: {q}" : "Our gifts";
        html.Append(CultureInfo.InvariantCulture, $"<h1>{H(heading)}</h1><ul class=\"grid\">");
        foreach (var p in products.Items) html.Append(Card(p));
        html.Append("</ul>");
        if (products.Next is { } next) html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{Root}?q={Uri.EscapeDataString(q ?? "")}&category={category}&after={next}\">More</a></p>");
        html.Append("<div data-cartwise-widget=\"bestsellers\" data-title=\"Bestsellers\" data-limit=\"6\" class=\"widget\"></div>");
        return Page(heading, html.ToString());
    }

    private static string Card(ProductView p) =>
        $"<li class=\"card\"><a href=\"{ProductPath}{Uri.EscapeDataString(p.ItemId)}\"><img src=\"{ImagePath}{Uri.EscapeDataString(p.ItemId)}.jpg\" alt=\"\" width=\"160\" height=\"160\">" +
        $"<span class=\"name\">{H(p.Name ?? p.ItemId)}</span></a><span class=\"price\">{Money(p.SalePrice ?? p.Price, p.Currency)}</span></li>";

    private static async Task<IResult> ProductAsync(CartwiseDb db, string id)
    {
        if (await StoreAsync(db) is null) return Results.NotFound();
        var p = await db.Products.AsNoTracking().Include(x => x.Category).SingleOrDefaultAsync(x => x.ExternalId == id);
        if (p is null) return Page("Not found", "<h1>No such product</h1><p><a href=\"" + Root + "\">Back to the shop</a></p>");
        var price = p.SalePrice ?? p.Price ?? 0;
        var item = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["item_id"] = p.ExternalId, ["item_name"] = p.Name, ["price"] = price, ["item_category"] = p.Category?.Path.Split(" > ")[0],
            ["item_category2"] = p.Category?.Path.Split(" > ").ElementAtOrDefault(1), ["item_brand"] = p.Brand,
        });
        var html = $"""
            <article class="product" data-item="{H(item)}" data-currency="{H(p.Currency ?? "GBP")}">
            <img src="{ImagePath}{Uri.EscapeDataString(p.ExternalId)}.jpg" alt="{H(p.Name)}" width="320" height="320">
            <div><p class="crumbs">{H(p.Category?.Path)}</p><h1>{H(p.Name ?? p.ExternalId)}</h1><p class="price">{Money(price, p.Currency)}</p>
            <p>{H(p.Description)}</p>
            <form class="add" data-add-to-cart><label for="qty">Quantity</label><input id="qty" name="quantity" type="number" min="1" max="99" value="1">
            <button type="submit">Add to cart</button></form><p class="added" role="status" hidden>Added to your cart.</p></div></article>
            <div data-cartwise-widget="product" data-product="{H(p.ExternalId)}" data-title="Bought together with it" class="widget"></div>
            <div data-cartwise-widget="upsell" data-product="{H(p.ExternalId)}" data-title="A step up" class="widget"></div>
            <div data-cartwise-widget="bundle" data-product="{H(p.ExternalId)}" data-title="Buy them together" data-limit="2" class="widget"></div>
            """;
        return Page(p.Name ?? p.ExternalId, html);
    }

    private static async Task<IResult> CartAsync(CartwiseDb db)
    {
        if (await StoreAsync(db) is null) return Results.NotFound();
        return Page("Your cart", """
            <h1>Your cart</h1>
            <div data-cart-lines><p>Your cart is empty.</p></div>
            <div data-cartwise-widget="free-shipping" data-title="Free shipping from £50" data-limit="3" class="widget"></div>
            <div data-cartwise-widget="cart" data-title="Goes well with your cart" class="widget"></div>
            <form class="checkout" data-checkout><h2>Checkout</h2>
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
            <p class="check"><input id="consent" name="consent" type="checkbox" value="true"><label for="consent">Send me offers and recommendations by email</label></p>
            <button type="submit">Place the order</button></form>
            <p class="thanks" role="status" hidden>Thank you: your order is placed.</p>
            """);
    }

    /// <summary>
    /// A demo product's picture, drawn: its name on a background of its top-level category's colour, with that
    /// category's motif (no external image, nothing copied). Unknown products answer 404.
    /// </summary>
    private static async Task<IResult> ImageAsync(string file, CartwiseDb db, HttpResponse response)
    {
        if (await StoreAsync(db) is null) return Results.NotFound();
        var id = Path.GetFileNameWithoutExtension(file);
        var p = await db.Products.AsNoTracking().Where(x => x.ExternalId == id).Select(x => new { x.Name, Category = x.Category == null ? null : x.Category.Path }).FirstOrDefaultAsync();
        if (p is null) return Results.NotFound();
        var top = p.Category?.Split(" > ")[0] ?? "";
        var hue = (int)((uint)top.Aggregate(17, (h, c) => h * 31 + c) % 360);
        var motif = ((uint)top.Aggregate(7, (h, c) => h * 37 + c) % 4) switch
        {
            0 => $"""<circle cx="160" cy="120" r="62" fill="hsl({hue},45%,62%)"/>""",
            1 => $"""<rect x="100" y="60" width="120" height="120" rx="14" fill="hsl({hue},45%,62%)"/>""",
            2 => $"""<polygon points="160,52 232,180 88,180" fill="hsl({hue},45%,62%)"/>""",
            _ => $"""<path d="M160 54l20 42 46 6-34 32 9 46-41-22-41 22 9-46-34-32 46-6z" fill="hsl({hue},45%,62%)"/>""",
        };
        var lines = new List<string>();
        foreach (var word in (p.Name ?? id).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (lines.Count > 0 && lines[^1].Length + word.Length < 20) lines[^1] += " " + word;
            else lines.Add(word);
        var text = string.Concat(lines.Take(3).Select((l, i) =>
            $"""<text x="160" y="{232 + i * 26}" font-family="sans-serif" font-size="20" text-anchor="middle" fill="hsl({hue},40%,22%)">{WebUtility.HtmlEncode(l.ToLowerInvariant())}</text>"""));
        response.Headers.CacheControl = "public, max-age=86400";
        return Results.Text($"""<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" viewBox="0 0 320 320" role="img" aria-label="{WebUtility.HtmlEncode(p.Name ?? id)}"><rect width="320" height="320" fill="hsl({hue},55%,86%)"/>{motif}{text}</svg>""",
            "image/svg+xml");
    }
}
