using System.Net;
using System.Text;
using Cartwise.Catalog;
using Cartwise.Stores;
using Cartwise.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Catalog;

public sealed class FeedImportTests
{
    private static async Task<FeedRun> ImportAsync(TestApp app, CreatedStore created, string fixture, FeedImportOptions? options = null)
    {
        await using var db = app.Db(created);
        var store = await db.Stores.SingleAsync(s => s.Id == created.StoreId);
        await using var file = File.OpenRead(Fixtures.Path(fixture));
        return await new FeedImporter(app.Database.CreateContext, store, app.Clock).ImportAsync(file, fixture, options ?? new FeedImportOptions(), CancellationToken.None);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task RssFeed_ImportsGoodItems_RejectsBadOnesByLineAndField_AndBuildsTheCategoryTree(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "PLN");

        var run = await ImportAsync(app, store, "feed-rss.xml");

        Assert.Equal(("succeeded", 5, 2, 0, 3), (run.Status, run.ItemsRead, run.Created, run.Updated, run.Rejected));
        using var admin = app.Admin(store);
        var view = await admin.GetJsonAsync($"/api/v1/feeds/runs/{run.Id}");
        var rejections = view.GetProperty("rejections").EnumerateArray()
            .Select(r => $"{r.GetProperty("line").GetInt64()}:{r.GetProperty("field").GetString()}:{(r.GetProperty("itemId").ValueKind == System.Text.Json.JsonValueKind.Null ? "-" : r.GetProperty("itemId").GetString())}").ToList();
        Assert.Equal(["30:id:-", "34:price:SKU-4", "38:availability:SKU-5"], rejections);

        await using var db = app.Db(store);
        var chair = await db.Products.Include(p => p.Category).SingleAsync(p => p.ExternalId == "SKU-1");
        Assert.Equal(("Oak chair", "A <b>solid</b> oak chair", 199.00m, 149.00m, "PLN", "Dębowe"), (chair.Name, chair.Description, chair.Price, chair.SalePrice, chair.Currency, chair.Brand));
        Assert.Equal(("CHAIR", "5901234123457", "new", "bestseller\t\tsummer\t\t"), (chair.ItemGroupId, chair.Gtin, chair.Condition, chair.CustomLabels));
        Assert.Equal(("https://shop.example/chair", "https://shop.example/chair.jpg"), (chair.Link, chair.ImageLink));
        Assert.Equal("Home > Furniture > Chairs", chair.Category!.Path);
        var table = await db.Products.SingleAsync(p => p.ExternalId == "SKU-2");
        Assert.False(table.Available);
        Assert.Equal("out_of_stock", table.Availability);
        var paths = (await db.Categories.Select(c => c.Path).ToListAsync()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Furniture", "Furniture > Chairs", "Home", "Home > Furniture", "Home > Furniture > Chairs", "Home > Furniture > Tables"], paths);
    }

    /// <summary>A Merchant Center feed of <paramref name="count"/> items in ten categories, in RSS.</summary>
    private static byte[] LargeFeed(int count, string suffix = "")
    {
        var sb = new StringBuilder("""<?xml version="1.0"?><rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>big</title>""");
        for (var i = 0; i < count; i++)
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<item><g:id>P{i}</g:id><g:title>Product {i}{suffix}</g:title><g:price>{i % 90 + 1}.50 PLN</g:price><g:availability>in stock</g:availability><g:product_type>Dept {i % 10} &gt; Aisle {i % 3}</g:product_type></item>\n");
        return Encoding.UTF8.GetBytes(sb.Append("</channel></rss>").ToString());
    }

    /// <summary>Reads a feed and calls <paramref name="at"/> once the reads pass <paramref name="bytes"/> in all (the importer reads a feed twice).</summary>
    private sealed class TrippingStream(byte[] data, long bytes, Action at) : MemoryStream(data)
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            if ((_read += n) > bytes) at();
            return n;
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task LargeFeed_CommitsInChunksWithItsProgress_AndARunCutShort_KeepsThem_TheSameFeedAgainCompletesTheCatalogue(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "PLN");
        await ImportAsync(app, store, "feed-rss.xml"); // an available product the big feed does not list
        await using var db0 = app.Db(store);
        var storeRow = await db0.Stores.SingleAsync(s => s.Id == store.StoreId);
        var feed = LargeFeed(6000, " (new)");

        // Cut off half-way through writing: after reading it through once and half of it again.
        using var cut = new CancellationTokenSource();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new FeedImporter(app.Database.CreateContext, storeRow, app.Clock)
            .ImportAsync(new TrippingStream(feed, feed.Length * 3 / 2, cut.Cancel), "big.xml", new FeedImportOptions(), cut.Token));
        await using (var db = app.Db(store))
        {
            var run = await db.FeedRuns.OrderBy(r => r.Id).LastAsync();
            Assert.Equal(("failed", 6000), (run.Status, run.ItemsTotal));
            Assert.StartsWith("Stopped after", run.Error, StringComparison.Ordinal);
            var written = await db.Products.CountAsync(p => p.Name!.EndsWith(" (new)"));
            Assert.InRange(written, 1000, 5999); // whole chunks, the first of a thousand
            Assert.Equal(written, run.Created);
            Assert.Equal(1, await db.Products.CountAsync(p => p.Available && !p.Name!.EndsWith(" (new)"))); // only a finished full feed makes it unavailable
        }

        var again = await new FeedImporter(app.Database.CreateContext, storeRow, app.Clock).ImportAsync(new MemoryStream(feed), "big.xml", new FeedImportOptions(), CancellationToken.None);

        Assert.Equal(("succeeded", 6000, 6000, 6000), (again.Status, again.ItemsTotal, again.ItemsRead, again.Created + again.Updated));
        Assert.Equal(1, again.MadeUnavailable);
        await using var after = app.Db(store);
        Assert.Equal(6000, await after.Products.CountAsync(p => p.Available && p.Name!.EndsWith(" (new)") && p.LastFeedRunId == again.Id));
        Assert.Equal(Enumerable.Range(0, 10).Select(d => $"Dept {d}").Order(StringComparer.Ordinal),
            (await after.Categories.Where(c => c.Level == 1 && c.Path.StartsWith("Dept")).Select(c => c.Path).ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(30 + 10, await after.Categories.CountAsync(c => c.Path.StartsWith("Dept"))); // each path once, across chunks
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task FullAtomFeed_UpdatesByIdAndMakesMissingProductsUnavailable_WithoutDeletingThem(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "PLN");
        await ImportAsync(app, store, "feed-rss.xml");
        // A product known only from tracking, with an order that still needs it.
        using var tracking = app.Tracking(store);
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"purchase","email":"a@example.com","transaction_id":"T1","items":[{"item_id":"OLD-1","price":5}]}""");

        var run = await ImportAsync(app, store, "feed-atom.xml");

        Assert.Equal(("succeeded", 1, 1, 1), (run.Status, run.Created, run.Updated, run.MadeUnavailable));
        await using var db = app.Db(store);
        var chair = await db.Products.SingleAsync(p => p.ExternalId == "SKU-1");
        Assert.Equal(("Oak chair, new edition", 209.00m, "https://shop.example/chair-2", "Now with a cushion"), (chair.Name, chair.Price, chair.Link, chair.Description));
        Assert.True((await db.Products.SingleAsync(p => p.ExternalId == "SKU-9")).Available); // preorder can be bought
        var old = await db.Products.SingleAsync(p => p.ExternalId == "OLD-1");
        Assert.False(old.Available);
        Assert.Equal(1, await db.OrderLines.CountAsync(l => l.ProductId == old.Id));
    }

    [Fact]
    public async Task PartialFeed_LeavesOtherProductsAvailable()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "PLN");
        await ImportAsync(app, store, "feed-rss.xml");

        var run = await ImportAsync(app, store, "feed-atom.xml", new FeedImportOptions(Full: false));

        Assert.Equal(0, run.MadeUnavailable);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task MalformedXml_StopsTheRunWithLineAndColumn_AndChangesNothing(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "PLN");
        await ImportAsync(app, store, "feed-rss.xml");
        var broken = await File.ReadAllTextAsync(Fixtures.Path("feed-atom.xml"));
        broken = broken.Replace("</feed>", "", StringComparison.Ordinal).Replace("<title>Lamp</title>", "<title>Lamp", StringComparison.Ordinal);
        await using var db0 = app.Db(store);
        var before = await db0.Products.OrderBy(p => p.ExternalId).Select(p => p.ExternalId + p.Name + p.Price + p.Available).ToListAsync();
        var storeRow = await db0.Stores.SingleAsync(s => s.Id == store.StoreId);

        var e = await Assert.ThrowsAsync<FeedFailedException>(() =>
            new FeedImporter(app.Database.CreateContext, storeRow, app.Clock).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(broken)), "broken.xml", new FeedImportOptions(), CancellationToken.None));

        Assert.Matches(@"^Malformed XML at line \d+, column \d+", e.Message);
        Assert.Equal("failed", e.Run.Status);
        await using var db = app.Db(store);
        Assert.Equal(before, await db.Products.OrderBy(p => p.ExternalId).Select(p => p.ExternalId + p.Name + p.Price + p.Available).ToListAsync());
        Assert.Equal("failed", (await db.FeedRuns.SingleAsync(r => r.Id == e.Run.Id)).Status);
    }

    [Fact]
    public async Task CsvFeed_WithAColumnMap()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "PLN");

        var run = await ImportAsync(app, store, "feed.csv", new FeedImportOptions(FeedFormat.Csv, true, new Dictionary<string, string> { ["Product Code"] = "id" }));

        Assert.Equal((2, 0), (run.Created, run.Rejected));
        await using var db = app.Db(store);
        var rug = await db.Products.Include(p => p.Category).SingleAsync(p => p.ExternalId == "SKU-7");
        Assert.Equal(("Rug, wool", 349.00m, "PLN", "Home > Textiles"), (rug.Name, rug.Price, rug.Currency, rug.Category!.Path));
        Assert.Equal("https://shop.example/chair.jpg", (await db.Products.SingleAsync(p => p.ExternalId == "SKU-1")).ImageLink);
    }

    [Fact]
    public async Task CsvFeed_WithoutAnIdColumn_FailsNamingTheColumns()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "PLN");

        var e = await Assert.ThrowsAsync<FeedFailedException>(() => ImportAsync(app, store, "feed.csv"));

        Assert.Contains("no id column", e.Message);
        Assert.Contains("Product Code", e.Message);
    }

    [Fact]
    public async Task UploadEndpoint_ImportsTheBody_AndRefusesABrokenFeedWithA400()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "PLN");
        using var admin = app.Admin(store);

        var ok = await admin.PostAsync("/api/v1/feeds/upload", new StringContent(await File.ReadAllTextAsync(Fixtures.Path("feed-rss.xml")), Encoding.UTF8, "application/xml"));
        var bad = await admin.PostAsync("/api/v1/feeds/upload", new StringContent("<rss><channel><item><g:id>", Encoding.UTF8, "application/xml"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, (await ok.JsonAsync()).GetProperty("created").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("line 1", (await bad.JsonAsync()).GetProperty("detail").GetString());
        var runs = await admin.GetJsonAsync("/api/v1/feeds/runs");
        Assert.Equal(["failed", "succeeded"], runs.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("status").GetString()!).ToArray());
    }

    [Fact]
    public async Task ScheduledFeed_UsesConditionalGet_AndAFailedFetchKeepsTheCatalogue()
    {
        // The shop's web server: serves the feed with an ETag, answers 304 to a matching If-None-Match, or fails on demand.
        var failing = false;
        var feed = await File.ReadAllTextAsync(Fixtures.Path("feed-rss.xml"));
        var requests = new List<string?>();
        var shop = WebApplication.CreateSlimBuilder();
        shop.WebHost.UseUrls("http://127.0.0.1:0");
        await using var web = shop.Build();
        web.MapGet("/feed.xml", (HttpContext http) =>
        {
            requests.Add(http.Request.Headers.IfNoneMatch.ToString());
            if (failing) return Results.StatusCode(503);
            if (http.Request.Headers.IfNoneMatch.ToString() == "\"v1\"") return Results.StatusCode(304);
            http.Response.Headers.ETag = "\"v1\"";
            return Results.Text(feed, "application/xml");
        });
        await web.StartAsync();
        var url = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/feed.xml";

        // The shop's feed server is on this machine: the operator allows it (loopback is refused otherwise).
        await using var app = await TestApp.StartAsync(Engine.Sqlite, configure: s => s.Configure<FeedOptions>(o => o.AllowedHosts = ["127.0.0.1"]));
        var store = await app.CreateStoreAsync("shop", "PLN");
        using var admin = app.Admin(store);
        var put = await admin.PutAsync("/api/v1/feeds/schedule", new StringContent($$"""{"url":"{{url}}","intervalMinutes":60}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var scheduler = app.App.Services.GetRequiredService<FeedScheduler>();

        Assert.Equal(1, await scheduler.RunDueAsync(CancellationToken.None));      // first fetch imports
        Assert.Equal(0, await scheduler.RunDueAsync(CancellationToken.None));      // not due again yet
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await scheduler.RunDueAsync(CancellationToken.None));      // 304: nothing to do
        failing = true;
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await scheduler.RunDueAsync(CancellationToken.None));      // 503: recorded, catalogue kept

        Assert.Equal(["", "\"v1\"", "\"v1\""], requests);
        var statuses = (await admin.GetJsonAsync("/api/v1/feeds/runs")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("status").GetString()!).ToArray();
        Assert.Equal(["failed", "not-modified", "succeeded"], statuses);
        await using var db = app.Db(store);
        Assert.Equal(2, await db.Products.CountAsync(p => p.ExternalId == "SKU-1" || p.ExternalId == "SKU-2"));
        Assert.True((await db.Products.SingleAsync(p => p.ExternalId == "SKU-1")).Available);
        var schedule = await admin.GetJsonAsync("/api/v1/feeds/schedule");
        Assert.Equal("\"v1\"", schedule.GetProperty("eTag").GetString());
    }

    [Fact]
    public async Task Schedule_RefusesANonHttpUrl()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop", "PLN");
        using var admin = app.Admin(store);

        var response = await admin.PutAsync("/api/v1/feeds/schedule", new StringContent("""{"url":"file:///etc/passwd","intervalMinutes":60}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task GzipUpload_OfUnknownFormat_IsRecognisedFromItsFirstBytes_ThoughGzipCannotSeek()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        using var packed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(await File.ReadAllBytesAsync(Fixtures.Path("feed-rss.xml")));
        using var body = new ByteArrayContent(packed.ToArray());
        body.Headers.ContentEncoding.Add("gzip");

        var response = await admin.PostAsync("/api/v1/feeds/upload", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.JsonAsync();
        Assert.Equal(("xml", 2), (run.GetProperty("format").GetString(), run.GetProperty("created").GetInt32()));
    }
}
