using System.Globalization;
using System.Text;

namespace Cartwise.Benchmarks.Faults;

/// <summary>One tracking request: a few consecutive events of one visitor, and their ids.</summary>
public sealed record TrafficBatch(string Json, string[] EventIds);

/// <summary>
/// A day of a large shop's traffic, compressed, made the same way from the same seed every time: visitors who browse
/// (product views, carts) and, a quarter of them, customers who sign in, buy, and sometimes come back on a second
/// device (whose anonymous profile then merges into theirs). Each visitor's events form one sequence that a client
/// sends in order, a few events to a request, as the storefront script does.
/// </summary>
public sealed class DayOfTraffic(int visitors, long events, int seed)
{
    public const int Products = 2000;
    public const int Departments = 20;

    /// <summary>Departments whose product views trigger the cross-selling scenario's view rule.</summary>
    public static readonly int[] ViewDepartments = [0, 1, 2, 3, 4];

    /// <summary>Departments whose carts trigger its cart rule.</summary>
    public static readonly int[] CartDepartments = [5, 6, 7, 8, 9];

    public int Visitors => visitors;

    public static string Department(int d) => string.Create(CultureInfo.InvariantCulture, $"Dept {d:D2}");

    private static int DepartmentOf(int product) => product % Departments;

    private static decimal PriceOf(int product) => 2 + product % 97 + 0.5m;

    /// <summary>The feed of the shop's catalogue (Merchant Center RSS).</summary>
    public static string Feed()
    {
        var sb = new StringBuilder("""<?xml version="1.0"?><rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>load</title>""");
        for (var p = 0; p < Products; p++)
            sb.Append(CultureInfo.InvariantCulture,
                $"<item><g:id>P{p}</g:id><g:title>Product {p}</g:title><g:price>{PriceOf(p)} GBP</g:price><g:availability>in stock</g:availability><g:product_type>{Department(DepartmentOf(p))} &gt; Aisle {p % 7}</g:product_type></item>\n");
        return sb.Append("</channel></rss>").ToString();
    }

    /// <summary>The requests of visitor <paramref name="v"/>, in the order they are sent; the same for the same seed.</summary>
    public List<TrafficBatch> Visitor(int v)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + v));
        var average = (double)events / visitors;
        var count = Math.Max(2, (int)Math.Round(average * (0.3 + 1.4 * rng.NextDouble())));
        var known = rng.NextDouble() < 0.25;
        var secondDevice = known && rng.NextDouble() < 0.2;
        var email = string.Create(CultureInfo.InvariantCulture, $"p{v}@load.example");
        var device = string.Create(CultureInfo.InvariantCulture, $"a{v}");
        var list = new List<(string Id, string Json)>(count);
        string Id() => string.Create(CultureInfo.InvariantCulture, $"s{seed}-v{v}-{list.Count}");
        void SignIn() => list.Add((Id(), $$"""{"event_id":"{{Id()}}","name":"page_view","anonymous_id":"{{device}}","email":"{{email}}","consent":true,"language":"en"}"""));
        if (known) SignIn();
        var switchAt = secondDevice ? count / 2 : int.MaxValue;
        var order = 0;
        while (list.Count < count)
        {
            if (list.Count >= switchAt)
            {
                // The second device browses anonymously (departments no rule watches, so no decision depends on when
                // its profile merges), then signs in.
                switchAt = int.MaxValue;
                device = string.Create(CultureInfo.InvariantCulture, $"b{v}");
                for (var i = 0; i < 2; i++) list.Add((Id(), View(Id(), device, 10 + rng.Next(10) + Departments * rng.Next(Products / Departments))));
                SignIn();
                continue;
            }
            var roll = rng.NextDouble();
            var product = rng.Next(Products);
            if (known && roll < 0.06)
            {
                var lines = 1 + rng.Next(3);
                var items = Enumerable.Range(0, lines).Select(i => (Product: (product + i * 37) % Products, Quantity: 1 + rng.Next(2))).ToList();
                var value = items.Sum(i => PriceOf(i.Product) * i.Quantity);
                var tx = string.Create(CultureInfo.InvariantCulture, $"T{v}-{order++}");
                var json = string.Join(',', items.Select(i => string.Create(CultureInfo.InvariantCulture, $$"""{"item_id":"P{{i.Product}}","price":{{PriceOf(i.Product)}},"quantity":{{i.Quantity}}}""")));
                list.Add((Id(), string.Create(CultureInfo.InvariantCulture,
                    $$"""{"event_id":"{{Id()}}","name":"purchase","anonymous_id":"{{device}}","email":"{{email}}","transaction_id":"{{tx}}","currency":"GBP","value":{{value}},"items":[{{json}}]}""")));
            }
            else if (roll < 0.28)
                list.Add((Id(), string.Create(CultureInfo.InvariantCulture,
                    $$"""{"event_id":"{{Id()}}","name":"add_to_cart","anonymous_id":"{{device}}","items":[{"item_id":"P{{product}}","price":{{PriceOf(product)}},"quantity":1}]}""")));
            else list.Add((Id(), View(Id(), device, product)));
        }
        var batches = new List<TrafficBatch>();
        for (var i = 0; i < list.Count; i += 5)
        {
            var part = list.Skip(i).Take(5).ToList();
            batches.Add(new TrafficBatch("{\"events\":[" + string.Join(',', part.Select(p => p.Json)) + "]}", part.Select(p => p.Id).ToArray()));
        }
        return batches;
    }

    private static string View(string id, string device, int product) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"event_id":"{{id}}","name":"view_item","anonymous_id":"{{device}}","items":[{"item_id":"P{{product}}","price":{{PriceOf(product)}}}]}""");
}
