using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Cartwise.Core.Attribution;
using Cartwise.Core.Segments;
using Cartwise.Orders.Import;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Tests.Analytics;

/// <summary>
/// The store analytics over real HTTP on both engines: each figure the API gives is derived again here from the
/// rows of the imported file, not read back from what the server stored.
/// </summary>
public sealed class AnalyticsApiTests
{
    private static readonly TimeZoneInfo Warsaw = Core.StoreTime.Zone("Europe/Warsaw");

    private sealed record Line(string Order, string Product, int Quantity, decimal Price, DateTimeOffset At, string? Customer);

    /// <summary>A year of orders: 40 customers with 1–5 orders each and 8 guest orders, some placed late at night (the next day in Warsaw).</summary>
    private static List<Line> History()
    {
        var random = new Random(11);
        var lines = new List<Line>();
        var n = 0;
        void Order(string? customer, DateTimeOffset at)
        {
            var id = $"O-{++n}";
            foreach (var p in Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(1, 13)).Distinct())
                lines.Add(new Line(id, $"P{p}", random.Next(1, 4), 5 * p + 4.99m, at, customer));
        }
        for (var c = 1; c <= 40; c++)
        {
            var at = new DateTimeOffset(2025, 1, 3, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(0, 300)).AddHours(random.Next(0, 2) == 0 ? 23.5 : 10);
            for (var k = 0; k < 1 + c % 5 && at.Year == 2025; k++, at = at.AddDays(random.Next(3, 60))) Order($"C{c}", at);
        }
        for (var g = 0; g < 8; g++) Order(null, new DateTimeOffset(2025, 2 + g, 10, 12, 0, 0, TimeSpan.Zero));
        return lines;
    }

    private static string Csv(IEnumerable<Line> lines) =>
        "order_id,product_id,product_name,quantity,price,date,customer_id,email\n" + string.Concat(lines.Select(l =>
            $"{l.Order},{l.Product},Product {l.Product},{l.Quantity},{l.Price.ToString(CultureInfo.InvariantCulture)},{l.At:yyyy-MM-ddTHH:mm:ssZ},{l.Customer},{(l.Customer is null ? "" : l.Customer.ToLowerInvariant() + "@example.com")}\n"));

    private static async Task ImportAsync(TestApp app, CreatedStore created, IEnumerable<Line> lines)
    {
        await using var db = app.Db(created);
        var store = await db.Stores.SingleAsync(s => s.Id == created.StoreId);
        var bytes = Encoding.UTF8.GetBytes(Csv(lines));
        var r = await new OrderImporter(app.Database, store, app.Clock).ImportAsync(() => (new MemoryStream(bytes), () => 0, null), new OrderImportOptions("lines"), CancellationToken.None);
        Assert.Equal(0, r.RejectedRows);
    }

    private static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Warsaw).DateTime);

    private static decimal Median(List<decimal> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static async Task<JsonElement> OkAsync(HttpClient admin, string path)
    {
        var r = await admin.GetAsync(path);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.JsonAsync();
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task OrderValues_RepeatCustomers_Cohorts_AndThreshold_MatchTheImportedRows(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", currency: "PLN");
        var history = History();
        await ImportAsync(app, store, history);
        using var admin = app.Admin(store);
        var orders = history.GroupBy(l => l.Order).Select(g => (Id: g.Key, g.First().Customer, g.First().At, Value: g.Sum(l => l.Quantity * l.Price))).ToList();

        // Order values of spring and summer (Warsaw days, both ends included).
        var (from, to) = (new DateOnly(2025, 3, 1), new DateOnly(2025, 8, 31));
        var inRange = orders.Where(o => Day(o.At) >= from && Day(o.At) <= to).ToList();
        var o = await OkAsync(admin, "/api/v1/analytics/orders?from=2025-03-01&to=2025-08-31");
        var values = o.GetProperty("values");
        Assert.Equal(inRange.Count, values.GetProperty("orders").GetInt32());
        Assert.Equal(inRange.Sum(x => x.Value), values.GetProperty("revenue").GetDecimal());
        Assert.Equal(Math.Round(inRange.Sum(x => x.Value) / inRange.Count, 2), values.GetProperty("averageOrderValue").GetDecimal());
        Assert.Equal(Math.Round(Median(inRange.Select(x => x.Value).ToList()), 2), values.GetProperty("median").GetDecimal());
        var buckets = values.GetProperty("histogram").EnumerateArray().ToList();
        Assert.Equal(inRange.Count, buckets.Sum(b => b.GetProperty("orders").GetInt32()));
        var width = 25m;
        var given = (await OkAsync(admin, $"/api/v1/analytics/orders?from=2025-03-01&to=2025-08-31&bucketWidth={width}")).GetProperty("values");
        Assert.Equal(width, given.GetProperty("bucketWidth").GetDecimal());
        var firstBucket = given.GetProperty("histogram")[0];
        Assert.Equal(inRange.Count(x => x.Value < width), firstBucket.GetProperty("orders").GetInt32());

        // Repeat customers over the whole year: everyone who ordered, by their orders up to its end.
        var year = orders.Where(x => Day(x.At).Year == 2025).ToList();
        var byCustomer = year.Where(x => x.Customer is not null).GroupBy(x => x.Customer!).ToDictionary(g => g.Key, g => g.OrderBy(x => x.At).ToList());
        var repeat = (await OkAsync(admin, "/api/v1/analytics/repeat?from=2025-01-01&to=2025-12-31")).GetProperty("repeat");
        Assert.Equal(byCustomer.Count, repeat.GetProperty("customers").GetInt32());
        var groups = repeat.GetProperty("byOrders").EnumerateArray().ToDictionary(g => g.GetProperty("orders").GetString()!, g => g.GetProperty("customers").GetInt32());
        Assert.Equal(byCustomer.Values.Count(l => l.Count == 1), groups["1"]);
        Assert.Equal(byCustomer.Values.Count(l => l.Count == 2), groups["2"]);
        Assert.Equal(byCustomer.Values.Count(l => l.Count >= 4), groups["4+"]);
        var firsts = byCustomer.Values.Select(l => l[0].Id).ToHashSet();
        Assert.Equal(year.Where(x => firsts.Contains(x.Id)).Sum(x => x.Value), repeat.GetProperty("newRevenue").GetDecimal());
        Assert.Equal(year.Where(x => x.Customer is null).Sum(x => x.Value), repeat.GetProperty("guestRevenue").GetDecimal());
        var gaps = byCustomer.Values.Where(l => l.Count >= 2).Select(l => (decimal)Math.Floor((l[1].At - l[0].At).TotalDays)).ToList();
        Assert.Equal((double)Median(gaps), repeat.GetProperty("medianDaysToSecond").GetDouble(), 6);

        // Cohorts: customers by the Warsaw month of their first order; month 1 is the next calendar month.
        var cohorts = (await OkAsync(admin, "/api/v1/analytics/cohorts?from=2025-01-01&to=2025-12-31")).GetProperty("cohorts").EnumerateArray().ToList();
        static string Month(DateOnly d) => $"{d:yyyy-MM}";
        var firstMonth = byCustomer.ToDictionary(c => c.Key, c => Day(c.Value[0].At));
        foreach (var cohort in cohorts)
        {
            var members = firstMonth.Where(f => Month(f.Value) == cohort.GetProperty("month").GetString()).Select(f => f.Key).ToList();
            Assert.Equal(members.Count, cohort.GetProperty("customers").GetInt32());
            if (cohort.GetProperty("months").GetArrayLength() < 2) continue;
            var next = Month(DateOnly.ParseExact(cohort.GetProperty("month").GetString() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).AddMonths(1));
            Assert.Equal(members.Count(m => byCustomer[m].Any(x => Month(Day(x.At)) == next)), cohort.GetProperty("months")[1].GetProperty("customers").GetInt32());
        }
        Assert.Equal(firstMonth.Count, cohorts.Sum(c => c.GetProperty("customers").GetInt32()));
        var csv = await admin.GetAsync("/api/v1/analytics/cohorts.csv?from=2025-01-01&to=2025-12-31");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var csvLines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("cohort,customers,m0,m1", csvLines[0]);
        Assert.Equal(cohorts.Count + 1, csvLines.Length);

        // Threshold candidates: the share of the year's orders at or above each.
        var threshold = (await OkAsync(admin, "/api/v1/analytics/threshold?from=2025-01-01&to=2025-12-31")).GetProperty("suggestion");
        Assert.Equal(year.Count, threshold.GetProperty("orders").GetInt32());
        foreach (var c in threshold.GetProperty("candidates").EnumerateArray())
        {
            var t = c.GetProperty("threshold").GetDecimal();
            Assert.Equal(Math.Round((double)year.Count(x => x.Value >= t) / year.Count, 4), c.GetProperty("shareAbove").GetDouble(), 6);
        }
        Assert.True(threshold.GetProperty("suggested").GetDecimal() > Math.Round(Median(year.Select(x => x.Value).ToList()), 2));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task RfmSegments_AreStoredWithTheirMoves_RenamedByTheStore_AndExportedForConsentingContacts(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", currency: "PLN");
        var history = History();
        // The clock stands at 2026-03-02: the 365-day window up to now holds the orders since 2025-03-02.
        await ImportAsync(app, store, history);
        using var admin = app.Admin(store);
        var run = await (await admin.PostAsync("/api/v1/analytics/rfm/recompute", null)).JsonAsync();
        Assert.False(run.GetProperty("asOfNewestOrder").GetBoolean());

        async Task<Dictionary<string, RfmScore>> ExpectedAsync(List<Line> lines, DateTimeOffset now)
        {
            await using var db = app.Db(store);
            var ids = await db.Customers.Where(c => c.ExternalId != null).ToDictionaryAsync(c => c.ExternalId!, c => c.Id);
            var inputs = lines.Where(l => l.Customer is not null && l.At > now.AddDays(-365)).GroupBy(l => l.Customer!)
                .Select(g => new RfmInput(ids[g.Key], g.Max(l => l.At), g.Select(l => l.Order).Distinct().Count(), g.Sum(l => l.Quantity * l.Price))).ToList();
            return Rfm.Score(inputs, now).ToDictionary(s => ids.Single(i => i.Value == s.Person).Key);
        }
        var expected = await ExpectedAsync(history, app.Clock.GetUtcNow());
        Assert.Equal(expected.Count, run.GetProperty("scored").GetInt32());
        await using (var db = app.Db(store))
        {
            var stored = await (from s in db.CustomerSegments join c in db.Customers on s.CustomerId equals c.Id select new { c.ExternalId, s.Segment, s.R, s.F, s.M }).ToListAsync();
            Assert.Equal(expected.Count, stored.Count);
            foreach (var s in stored) Assert.Equal((expected[s.ExternalId!].Segment, expected[s.ExternalId!].R, expected[s.ExternalId!].F, expected[s.ExternalId!].M), (s.Segment, s.R, s.F, s.M));
            Assert.Equal(expected.Count, await db.SegmentMoves.CountAsync(m => m.From == null));
        }

        // The store renames a segment; a bad name or an unknown segment is refused and changes nothing.
        var bad = await admin.PutAsync("/api/v1/analytics/rfm/settings", JsonContent("""{"names":{"loyal":"","vip":"VIP"},"windowDays":2}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("names.loyal", out _) && errors.TryGetProperty("names.vip", out _) && errors.TryGetProperty("windowDays", out _), errors.ToString());
        var saved = await admin.PutAsync("/api/v1/analytics/rfm/settings", JsonContent("""{"names":{"loyal":"Stali klienci"}}"""));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var overview = await OkAsync(admin, "/api/v1/analytics/rfm");
        var segments = overview.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(Rfm.Segments.Select(s => s.Key), segments.Select(s => s.GetProperty("key").GetString()));
        Assert.Equal("Stali klienci", segments.Single(s => s.GetProperty("key").GetString() == "loyal").GetProperty("name").GetString());
        foreach (var s in segments) Assert.Equal(expected.Values.Count(e => e.Segment == s.GetProperty("key").GetString()), s.GetProperty("customers").GetInt32());

        // C1 comes back with five big orders: the next recomputation moves them, and the move is a query.
        var before = expected["C1"].Segment;
        var start = app.Clock.GetUtcNow();
        var comeback = Enumerable.Range(1, 5).Select(i => new Line($"B-{i}", "P12", 20, 64.99m, start.AddDays(i), "C1")).ToList();
        app.Clock.Advance(TimeSpan.FromDays(6));
        await ImportAsync(app, store, comeback);
        await admin.PostAsync("/api/v1/analytics/rfm/recompute", null);
        var after = await ExpectedAsync([.. history, .. comeback], app.Clock.GetUtcNow());
        Assert.NotEqual(before, after["C1"].Segment);
        var moves = await OkAsync(admin, $"/api/v1/analytics/rfm/moves?from={before}&to={after["C1"].Segment}&since={start.AddDays(6):yyyy-MM-dd}");
        var c1 = await CustomerIdAsync(app, store, "C1");
        Assert.Contains(moves.GetProperty("items").EnumerateArray(), m => m.GetProperty("customerId").GetInt64() == c1);
        var movedCount = after.Count(a => expected.TryGetValue(a.Key, out var e) && e.Segment != a.Value.Segment) + after.Keys.Except(expected.Keys).Count() + expected.Keys.Except(after.Keys).Count();
        Assert.Equal(movedCount, (await OkAsync(admin, $"/api/v1/analytics/rfm/moves?since={start.AddDays(6):yyyy-MM-dd}")).GetProperty("total").GetInt32());

        // Only C1 gave email consent: the export holds C1 alone unless every contact is asked for, and says which.
        using var tracking = app.Tracking(store);
        var consent = await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"consent-c1","name":"page_view","customer_id":"C1","email":"c1@example.com","consent":true}""");
        Assert.Equal(HttpStatusCode.Accepted, consent.StatusCode);
        var segment = after["C1"].Segment;
        var consenting = (await (await admin.GetAsync($"/api/v1/analytics/rfm/{segment}.csv")).Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("contacts,email,phone,first_name,last_name,language,email_consent,segment,r,f,m,recency_days,orders,monetary", consenting[0]);
        Assert.StartsWith("consenting,c1@example.com,", Assert.Single(consenting.Skip(1)));
        var all = (await (await admin.GetAsync($"/api/v1/analytics/rfm/{segment}.csv?all=true")).Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(after.Values.Count(a => a.Segment == segment), all.Length - 1);
        Assert.All(all.Skip(1), l => Assert.StartsWith("all,", l));
    }

    [Fact]
    public async Task TheSchedule_ScoresEveryStoreWhenDue_OnceAnInterval()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var shop = await app.CreateStoreAsync("shop", currency: "PLN");
        var other = await app.CreateStoreAsync("other");
        await ImportAsync(app, shop, History());
        var now = app.Clock.GetUtcNow();

        // No store has a schedule yet: each gets one, due now, and is scored.
        Assert.Equal(2, await Segments.SegmentService.RunDueAsync(app.Database, now, CancellationToken.None));
        Assert.Equal(0, await Segments.SegmentService.RunDueAsync(app.Database, now.AddHours(23), CancellationToken.None));
        Assert.Equal(2, await Segments.SegmentService.RunDueAsync(app.Database, now.AddHours(24), CancellationToken.None));
        await using var db = app.Db(shop);
        var schedule = await db.SegmentSchedules.SingleAsync();
        Assert.Equal((now.AddHours(24), now.AddHours(48)), (schedule.LastRunAt, schedule.NextRunAt));
        Assert.True(schedule.LastScored > 0);
        Assert.Equal(schedule.LastScored, await db.CustomerSegments.CountAsync());
        Assert.True(await db.SegmentMoves.CountAsync(m => m.From == null) >= schedule.LastScored);
        await using var otherDb = app.Db(other);
        Assert.Equal(0, await otherDb.CustomerSegments.CountAsync());
    }

    private static async Task<long> CustomerIdAsync(TestApp app, CreatedStore store, string externalId)
    {
        await using var db = app.Db(store);
        return await db.Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync();
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory, ClassData(typeof(Engines))]
    public async Task Attribution_CreditsTrackedVisitsAndMessageChannels_UnderEachModel(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        var now = app.Clock.GetUtcNow();
        async Task Track(string id, string email, string name, DateTimeOffset at, string extra = "")
        {
            var r = await tracking.PostJsonAsync("/api/v1/track",
                $$"""{"event_id":"{{id}}","name":"{{name}}","email":"{{email}}","timestamp":"{{at:O}}"{{extra}}}""");
            Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
        }
        const string item = ""","items":[{"item_id":"SKU-1","item_name":"Lamp","price":50,"quantity":1}]""";
        // Ann: an ad, then the newsletter an hour before she buys for 100.
        await Track("a1", "ann@example.com", "page_view", now.AddDays(-2), ""","utm_source":"google","utm_medium":"cpc" """);
        await Track("a2", "ann@example.com", "page_view", now.AddHours(-1), ""","utm_source":"newsletter","utm_medium":"email" """);
        await Track("a3", "ann@example.com", "purchase", now.AddMinutes(-50), ""","transaction_id":"T-1","currency":"EUR","value":100""" + item);
        // Bob: the ad, then buys for 50 in the same visit.
        await Track("b1", "bob@example.com", "page_view", now.AddHours(-3), ""","utm_source":"google","utm_medium":"cpc" """);
        await Track("b2", "bob@example.com", "purchase", now.AddHours(-2.9), ""","transaction_id":"T-2","currency":"EUR","value":50""" + item);
        // Cat: comes from a blog and leaves.
        await Track("c1", "cat@example.com", "page_view", now.AddHours(-5), ""","page_referrer":"https://blog.example.org/post" """);
        using var admin = app.Admin(store);

        var day = $"{now:yyyy-MM-dd}";
        var a = await OkAsync(admin, $"/api/v1/analytics/attribution?from={day}&to={day}");
        ConversionPath[] paths =
        [
            new(["google / cpc", "newsletter / email"], 1, 100, 0, [2 - 50 / 1440.0, 10 / 1440.0]), new(["google / cpc"], 1, 50, 0, [0.1 / 24]),
            new(["referral / blog.example.org"], 0, 0, 1, [5 / 24.0]),
        ];
        Assert.Equal(3, a.GetProperty("paths").GetInt32());
        Assert.Equal(150m, a.GetProperty("value").GetDecimal());
        foreach (var model in a.GetProperty("models").EnumerateArray())
        {
            var name = model.GetProperty("model").GetString()!;
            var want = AttributionModels.Run(name, paths);
            var got = model.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!, c => c.GetProperty("value").GetDecimal());
            foreach (var c in want.Channels) Assert.True(Math.Round(c.Value, 2) == Math.Round(got.GetValueOrDefault(c.Channel), 2), $"{name} {c.Channel}: {c.Value} against {got.GetValueOrDefault(c.Channel)}");
        }
        var last = a.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == "last").GetProperty("channels").EnumerateArray()
            .ToDictionary(c => c.GetProperty("channel").GetString()!, c => c.GetProperty("value").GetDecimal());
        Assert.Equal((100m, 50m), (last["newsletter / email"], last["google / cpc"]));
        var top = a.GetProperty("topPaths").EnumerateArray().ToList();
        Assert.Contains(top, p => p.GetProperty("path").GetString() == "referral / blog.example.org" && p.GetProperty("conversionRate").GetDouble() == 0);

        var markov = await OkAsync(admin, $"/api/v1/analytics/attribution?from={day}&to={day}&model=markov");
        Assert.Equal("markov", Assert.Single(markov.GetProperty("models").EnumerateArray()).GetProperty("model").GetString());
        // A one-hour visit window leaves Ann's ad out of her path.
        var shortVisits = await OkAsync(admin, $"/api/v1/analytics/paths?from={day}&to={day}&visitDays=0.05");
        Assert.Contains(shortVisits.GetProperty("items").EnumerateArray(), p => p.GetProperty("path").GetString() == "newsletter / email");
    }

    [Fact]
    public async Task BadParameters_AreNamed_AndUnknownSegmentsRefused()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        foreach (var (path, field) in new[]
        {
            ("/api/v1/analytics/orders?from=2025-05-01&to=2025-04-01", "to"),
            ("/api/v1/analytics/orders?from=2020-01-01&to=2025-04-01", "to"),
            ("/api/v1/analytics/orders?bucketWidth=0", "bucketWidth"),
            ("/api/v1/analytics/orders?segment=vip", "segment"),
            ("/api/v1/analytics/attribution?model=shapley", "model"),
            ("/api/v1/analytics/attribution?halfLifeDays=-1", "halfLifeDays"),
            ("/api/v1/analytics/attribution?openDays=400", "openDays"),
            ("/api/v1/analytics/paths?top=0", "top"),
            ("/api/v1/analytics/rfm/vip/members", "segment"),
            ("/api/v1/analytics/rfm/vip.csv", "segment"),
            ("/api/v1/analytics/rfm/moves?from=vip", "from"),
        })
        {
            var r = await admin.GetAsync(path);
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)r.StatusCode}");
            Assert.True((await r.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), path);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/analytics/orders?from=yesterday")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Tracking(store).GetAsync("/api/v1/analytics/orders")).StatusCode);
        // An empty store answers with zeros, not an error.
        var empty = await OkAsync(admin, "/api/v1/analytics/orders");
        Assert.Equal(0, empty.GetProperty("values").GetProperty("orders").GetInt32());
    }
}
