using System.Globalization;
using System.Text;
using Cartwise.Tests.Infrastructure;
using CsCheck;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Security;

/// <summary>
/// Generated tracking bodies, from well-formed events to broken bytes: whatever the public key sends, the answer is
/// never a 5xx, and every event answered <c>stored</c> is stored (no more, no fewer). A few thousand bodies per
/// engine here; <c>bench/fuzz-tracking.sh</c> runs 100,000 (<c>CARTWISE_FUZZ_BODIES</c>). Each run draws new bodies; a
/// failure prints its seed, and <c>CARTWISE_FUZZ_SEED</c> replays it.
/// </summary>
public sealed class TrackingFuzzTests
{
    private static readonly int Bodies = int.TryParse(Environment.GetEnvironmentVariable("CARTWISE_FUZZ_BODIES"), CultureInfo.InvariantCulture, out var n) ? n : 1500;

    private static readonly string[] Names = ["view_item", "add_to_cart", "remove_from_cart", "begin_checkout", "purchase", "refund", "login", "", "VIEW_ITEM"];

    private static readonly string[] Fields =
    [
        "name", "event_id", "timestamp", "customer_id", "customer_token", "email", "phone", "anonymous_id", "language", "consent", "transaction_id",
        "value", "currency", "coupon", "shipping", "tax", "utm_source", "items", "client_id", "timestamp_micros", "params", "user_data", "x\u0000y", "\ud800",
    ];

    /// <summary>Scalars a hostile sender likes: lone surrogates, NUL, huge and negative numbers, dates at the edges, wrong types.</summary>
    private static readonly Gen<string> Scalar = Gen.OneOf<string>(
        "\"a\"", "\"\\ud800\"", "\"\\udfff x\"", "\"\\u0000\"", "\"ok\\u00e9\"", "\"ann@example.com\"", "\"not-an-email\"", "\"+48 600 100 200\"",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"2026-03-02T09:00:00Z\"", "\"1999-12-31T23:59:59Z\"", "\"yes\"", "\"GRANTED\"",
        "0", "-1", "1e308", "-1e308", "123456789012345678901234567890", "1.5", "253402300799999", "true", "false", "null", "[]", "{}", "\"PLN\"", "\"ZZZ\"",
        "\"" + new string('x', 1200) + "\"");

    private static readonly Gen<string> Item =
        Gen.Select(Scalar, Scalar, Scalar, Gen.Int[0, 3], (id, price, quantity, shape) => shape switch
        {
            0 => $$"""{"item_id":{{id}},"price":{{price}},"quantity":{{quantity}}}""",
            1 => $$"""{"item_id":"sku-{{quantity.Length}}","item_name":{{id}},"item_category":{{price}}}""",
            2 => id,
            _ => """{"item_id":"sku-1","price":2.5,"quantity":1}""",
        });

    private static readonly Gen<string> Event =
        Gen.Select(Gen.Int[0, Names.Length - 1], Gen.Select(Gen.Int[0, Fields.Length - 1], Scalar).Array[0, 4], Item.Array[0, 3], Gen.Int[0, 1_000_000],
            (name, fields, items, id) =>
            {
                var sb = new StringBuilder("{");
                sb.Append(CultureInfo.InvariantCulture, $"\"name\":\"{Names[name]}\",\"event_id\":\"fz-{id}\",\"anonymous_id\":\"v-{id % 97}\"");
                foreach (var (field, value) in fields) sb.Append(CultureInfo.InvariantCulture, $",\"{Fields[field].Replace("\u0000", "\\u0000", StringComparison.Ordinal).Replace("\ud800", "\\ud800", StringComparison.Ordinal)}\":{value}");
                sb.Append(",\"items\":[").Append(string.Join(',', items.Length == 0 ? ["""{"item_id":"sku-0"}"""] : items)).Append("]}");
                return sb.ToString();
            });

    /// <summary>A body: one event, a batch, or one of them cut short or with a byte turned into invalid UTF-8.</summary>
    private static readonly Gen<byte[]> Body =
        Gen.Select(Event.Array[1, 5], Gen.Int[0, 9], Gen.Int[0, 10_000], (events, shape, at) =>
        {
            var json = shape < 3 ? events[0] : "{\"events\":[" + string.Join(',', events) + "]}";
            var bytes = Encoding.UTF8.GetBytes(json);
            switch (shape)
            {
                case 7: return bytes[..(at % bytes.Length)];
                case 8: bytes[at % bytes.Length] = 0xff; return bytes;
                case 9: bytes[at % bytes.Length] = (byte)'"'; return bytes;
                default: return bytes;
            }
        });

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_GeneratedBodies_NeverAnswer5xx_AndStoreExactlyTheEventsAnsweredStored(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        // Every body from one address: the storefront's rate limit (StorefrontGuardTests) would answer most with 429.
        using (var admin = app.Admin(store))
            (await admin.PutAsync("/api/v1/store/storefront", new StringContent("""{"clientRequestsPerMinute":0,"keyRequestsPerMinute":0}""",
                System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        using var tracking = app.Tracking(store);
        var stored = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();

        await Body.SampleAsync(async body =>
        {
            using var content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
            using var response = await tracking.PostAsync("/api/v1/track", content);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
            Assert.True(status < 500, $"{status} for {Encoding.UTF8.GetString(body)}: {await response.Content.ReadAsStringAsync()}");
            if (status == 202)
            {
                var answer = await response.JsonAsync();
                Interlocked.Add(ref stored, answer.GetProperty("accepted").GetInt32());
            }
        }, iter: Bodies, threads: 4, seed: Environment.GetEnvironmentVariable("CARTWISE_FUZZ_SEED"));

        await using var db = app.Db(store);
        Assert.Equal(stored, await db.Events.CountAsync());
        // The generator reaches both sides: bodies that store something, and bodies refused whole.
        Assert.True(statuses.GetValueOrDefault(202) > Bodies / 50, string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.True(statuses.GetValueOrDefault(400) > Bodies / 50, string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}")));
    }
}
