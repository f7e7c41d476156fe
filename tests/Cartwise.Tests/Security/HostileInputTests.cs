using System.Net;
using System.Net.Sockets;
using System.Text;
using Cartwise.Catalog;
using Cartwise.Core.Customers;
using Cartwise.Messages;
using Cartwise.Scenarios;
using Cartwise.Tests.Infrastructure;
using Cartwise.Tests.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Security;

/// <summary>
/// What an attacker tried: each test is a finding of the hostile review, kept so that it stays fixed. The tracking key
/// is public by design (it sits in every storefront page), so whatever it can do, anyone can.
/// </summary>
public sealed class HostileInputTests
{
    private static async Task<int> StatusOfRawAsync(TestApp app, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(app.BaseAddress.Host, app.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer);
        var line = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        return int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string MessageWithText(long sender, string text) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            name = "hostile", defaultLanguage = "en", senderId = sender,
            variants = new[] { new { language = "en", subject = "s", blocks = new object[] { new { type = "text", text }, new { type = "footer" } } } },
        });

    [Fact]
    public async Task Templates_NestedWithoutBound_AreRefusedAtSave_AndAStoredOneIsThatRowsDeadLetter()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var sender = await MessageSetup.SenderAsync(admin);

        var parens = await admin.PostJsonAsync("/api/v1/messages", MessageWithText(sender, "{{ " + new string('(', 3000) + " }}"));
        var ands = await admin.PostJsonAsync("/api/v1/messages", MessageWithText(sender, "{% if a " + string.Concat(Enumerable.Repeat("and a ", 100_000)) + "%}x{% endif %}"));

        Assert.Equal(HttpStatusCode.BadRequest, parens.StatusCode);
        Assert.Contains("parentheses nested", (await parens.JsonAsync()).GetProperty("errors").GetProperty("variants[0].blocks[0].text")[0].GetString());
        // 600 KB of template: over the template limit, and not a body to hold in memory either.
        Assert.True(ands.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, ands.StatusCode.ToString());

        // A template saved before the bounds existed, written straight into the table: its send fails alone.
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(sender));
        var deep = System.Text.Json.JsonSerializer.Serialize(new[]
        {
            new { language = "en", subject = "x", blocks = new object[] { new { type = "text", text = "{% if a " + string.Concat(Enumerable.Repeat("and a ", 2000)) + "%}x{% endif %}" } } },
        });
        await using (var db = app.Db(store))
            await db.Messages.Where(m => m.Id == message).ExecuteUpdateAsync(u => u.SetProperty(m => m.Variants, deep).SetProperty(m => m.UpdatedAt, app.Clock.GetUtcNow().AddDays(1)));
        var buyer = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T1");
        var row = await MessageSetup.EnqueueAsync(app, store, message, buyer, "k1");

        Assert.Equal(1, await app.PassAsync());

        var failed = await MessageSetup.RowAsync(app, store, row.Id);
        Assert.Equal((OutboxStatus.Failed, 1), (failed.Status, failed.Attempts));
        Assert.Contains("operators", failed.LastError, StringComparison.Ordinal);
        Assert.Equal("ok", await app.Anonymous().GetStringAsync("/livez"));
    }

    [Fact]
    public async Task Outbox_ARowInterruptedAtEveryAttempt_IsADeadLetter_NotClaimedAgainForever()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);
        var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
        var buyer = await MessageSetup.BuyerAsync(app, store, "ola@example.com", "T1");
        var row = await MessageSetup.EnqueueAsync(app, store, message, buyer, "k1");
        // As a process that died while sending it, eight times over, leaves it: still 'sending', its lease run out.
        await using (var db = app.Db(store))
            await db.Outbox.Where(o => o.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, OutboxStatus.Sending)
                .SetProperty(o => o.Attempts, 8).SetProperty(o => o.ClaimedUntil, app.Clock.GetUtcNow().AddMinutes(-1)));

        await app.PassAsync();

        var dead = await MessageSetup.RowAsync(app, store, row.Id);
        Assert.Equal((OutboxStatus.Failed, 8), (dead.Status, dead.Attempts));
        Assert.Equal("interrupted at each of 8 attempts", dead.LastError);
        Assert.Null(dead.SentAt);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_TimestampOfTheYearOne_IsA400NamingTheField(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        var r = await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"p","timestamp":"0001-01-01T00:00:00Z","items":[{"item_id":"a"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("before 2000-01-01", (await r.JsonAsync()).GetProperty("errors").GetProperty("timestamp")[0].GetString());
    }

    [Fact]
    public async Task Scenarios_OneStoreThatCannotBeProcessed_DoesNotStopAnother()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var poisoned = await app.CreateStoreAsync("poisoned");
        var healthy = await app.CreateStoreAsync("healthy");
        var scenarios = app.App.Services.GetRequiredService<ScenarioService>();
        foreach (var s in new[] { poisoned, healthy })
        {
            using var admin = app.Admin(s);
            var message = await MessageSetup.MessageAsync(admin, MessageSetup.Message(await MessageSetup.SenderAsync(admin)));
            var created = await admin.PostJsonAsync("/api/v1/scenarios", $$$"""
                {"name":"After purchase","kind":"post_purchase","languages":["en"],"customize":{"tiers":[{"id":"all","from":0,"to":null,"messageId":{{{message}}}}],"holdout":0}}
                """);
            var id = (await created.JsonAsync()).GetProperty("id").GetInt64();
            Assert.True((await admin.PostAsync($"/api/v1/scenarios/{id}/activate", null)).IsSuccessStatusCode);
        }
        await scenarios.PassAsync(CancellationToken.None); // both get their cursor
        // A row the pass cannot read (here a definition no longer JSON) stands for any bug one store's data reaches.
        await using (var db = app.Db(poisoned))
            await db.Scenarios.ExecuteUpdateAsync(u => u.SetProperty(s => s.Definition, "{not json"));
        await MessageSetup.BuyerAsync(app, poisoned, "a@example.com", "P-1");
        await MessageSetup.BuyerAsync(app, healthy, "b@example.com", "H-1");

        await scenarios.PassAsync(CancellationToken.None);

        await using (var db = app.Db(healthy)) Assert.Equal(1, await db.ScenarioDecisions.CountAsync());
        await using (var db = app.Db(poisoned)) Assert.Equal(0, await db.ScenarioDecisions.CountAsync());
        // The failing store waits (30 s, then longer) while the healthy one goes on deciding.
        await MessageSetup.BuyerAsync(app, healthy, "c@example.com", "H-2");
        await scenarios.PassAsync(CancellationToken.None);
        await using (var db = app.Db(healthy)) Assert.Equal(2, await db.ScenarioDecisions.CountAsync());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Track_TextThatIsNotUnicode_OrHoldsNul_IsA400ForThatEvent_TheBatchsGoodEventsAreStored(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);

        var surrogate = await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"\ud800","items":[{"item_id":"a"}]}""");
        var nul = await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a\u0000b","items":[{"item_id":"a"}]}""");
        var bytes = Encoding.UTF8.GetBytes("""{"name":"view_item","anonymous_id":"X","items":[{"item_id":"a"}]}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xff;
        var utf8 = await tracking.PostAsync("/api/v1/track", new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } });
        var batch = await tracking.PostJsonAsync("/api/v1/track", """
            {"events":[{"name":"view_item","anonymous_id":"\ud800","items":[{"item_id":"a"}]},
                       {"event_id":"good-1","name":"view_item","anonymous_id":"good","items":[{"item_id":"b"}]},
                       {"name":"view_item","anonymous_id":"x","items":[{"item_id":"c","item_name":"nul\u0000"}]}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, surrogate.StatusCode);
        Assert.True((await surrogate.JsonAsync()).GetProperty("errors").TryGetProperty("anonymous_id", out _));
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, utf8.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        var results = (await batch.JsonAsync()).GetProperty("results");
        Assert.Equal(["rejected", "stored", "rejected"], results.EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.True(results[2].GetProperty("errors").TryGetProperty("events[2].items[0].item_name", out _));
        await using var db = app.Db(store);
        Assert.Equal(["good-1"], await db.Events.Select(e => e.EventId).ToListAsync());
    }

    [Fact]
    public async Task Track_AChunkSizeThatOverflows_IsA400_NotA500()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");

        var status = await StatusOfRawAsync(app, "POST /api/v1/track HTTP/1.1\r\nHost: x\r\nX-Cartwise-Key: " + store.TrackingKey +
            "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n");

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Recommendations_TheTrackingKeyReadsOnlyTheVisitorsOwnHistory()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"v1","name":"view_item","anonymous_id":"cookie-ola","items":[{"item_id":"secret-item","item_name":"Secret"}]}""");
        await admin.PostJsonAsync("/api/v1/track", """{"event_id":"v2","name":"view_item","customer_id":"shop-7","items":[{"item_id":"other-item","item_name":"Other"}]}""");
        long ola;
        await using (var db = app.Db(store)) ola = await db.CustomerIdentities.Where(i => i.Key == "a:cookie-ola").Select(i => i.CustomerId).SingleAsync();
        var secret = (await admin.GetJsonAsync("/api/v1/store/identity-secret")).GetProperty("secret").GetString()!;

        var byId = await tracking.GetAsync($"/api/v1/recommendations?customer={ola}&strategy=recently_viewed");
        var own = await tracking.GetJsonAsync("/api/v1/recommendations?anonymous_id=cookie-ola&strategy=recently_viewed");
        var signed = await tracking.GetJsonAsync($"/api/v1/recommendations?customer_id=shop-7&customer_token={CustomerToken.Compute(secret, "shop-7")}&strategy=recently_viewed");
        var forged = await tracking.GetAsync($"/api/v1/recommendations?customer_id=shop-7&customer_token={CustomerToken.Compute("guess", "shop-7")}&strategy=recently_viewed");
        var unsigned = await tracking.GetAsync("/api/v1/recommendations?customer_id=shop-7&strategy=recently_viewed");
        var asAdmin = await admin.GetJsonAsync($"/api/v1/recommendations?customer={ola}&strategy=recently_viewed");

        Assert.Equal(HttpStatusCode.BadRequest, byId.StatusCode);
        Assert.True((await byId.JsonAsync()).GetProperty("errors").TryGetProperty("customer", out _));
        Assert.Equal(["secret-item"], own.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(["other-item"], signed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
        Assert.Equal(["secret-item"], asAdmin.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Catalog_AFeedsProductIsNeverRewrittenByEvents_EventsStillAddWhatTheFeedLacks(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop", "PLN");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        // Before any feed, events describe products (a store that only tracks).
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"a","items":[{"item_id":"tracked","item_name":"First name","price":5}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"b","items":[{"item_id":"tracked","item_name":"Better name","price":6}]}""");
        var upload = await admin.PostAsync("/api/v1/feeds/upload?format=csv", new StringContent("id,title,price,link\nMUG-1,Blue mug,19.00 PLN,https://shop.example/mug\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"evil","items":[{"item_id":"MUG-1","item_name":"HOSTILE RENAMED","price":9999,"item_category":"Scam"}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"evil","items":[{"item_id":"tracked","item_name":"HOSTILE RENAMED"}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"name":"view_item","anonymous_id":"c","items":[{"item_id":"only-in-events","item_name":"New thing","price":3}]}""");

        await using var db = app.Db(store);
        var products = await db.Products.OrderBy(p => p.ExternalId).ToDictionaryAsync(p => p.ExternalId, p => (p.Name, p.Price, p.CategoryId, FromFeed: p.LastFeedRunId != null));
        Assert.Equal(("Blue mug", 19.00m, (long?)null, true), products["MUG-1"]);
        Assert.Equal(("Better name", 6m, (long?)null, false), products["tracked"]); // the feed turned event updates off
        Assert.Equal(("New thing", 3m, (long?)null, false), products["only-in-events"]);
        Assert.False((await admin.GetJsonAsync("/api/v1/store")).GetProperty("eventsUpdateProducts").GetBoolean());
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Identity_ThePublicKeyCannotJoinOrRewriteIdentifiedProfiles_ATokenOrTheAdminKeyCan(Engine engine)
    {
        await using var app = await TestApp.StartAsync(engine);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        async Task<long> IdAsync(string query) => (await admin.GetJsonAsync("/api/v1/customers?" + query)).GetProperty("items")[0].GetProperty("id").GetInt64();
        await admin.PostJsonAsync("/api/v1/track", """{"event_id":"a1","name":"view_item","customer_id":"A","email":"ann@example.com","items":[{"item_id":"p"}]}""");
        await admin.PostJsonAsync("/api/v1/track", """{"event_id":"b1","name":"view_item","customer_id":"B","email":"bob@example.com","items":[{"item_id":"p"}]}""");
        var ann = await IdAsync("customer_id=A");
        var bob = await IdAsync("customer_id=B");

        // A's id with B's email: B's email does not move to A, the profiles do not merge.
        var pair = await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"x1","name":"view_item","customer_id":"A","email":"bob@example.com","items":[{"item_id":"p"}]}""");
        // An unknown id with an attacker's email, then that email with Ann's id.
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"x2","name":"view_item","customer_id":"evil-1","email":"evil@example.com","items":[{"item_id":"p"}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"x3","name":"view_item","customer_id":"A","email":"evil@example.com","items":[{"item_id":"p"}]}""");
        // A new address for an identified customer, without proof.
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"x4","name":"view_item","customer_id":"B","phone":"+48600100200","items":[{"item_id":"p"}]}""");

        Assert.Equal(HttpStatusCode.Accepted, pair.StatusCode); // stored, on the profile of its strongest key
        Assert.Equal(ann, await IdAsync("email=ann@example.com"));
        Assert.Equal(bob, await IdAsync("email=bob@example.com"));
        Assert.NotEqual(ann, await IdAsync("email=evil@example.com"));
        await using (var db = app.Db(store))
        {
            Assert.Equal(0, await db.Customers.CountAsync(c => c.MergedIntoId != null));
            Assert.Null(await db.Customers.Where(c => c.Id == bob).Select(c => c.Phone).SingleAsync());
            var conflicts = await db.IdentityConflicts.OrderBy(c => c.Id).Select(c => new { c.EventId, c.CustomerId, c.Reason }).ToListAsync();
            Assert.Equal(["x1", "x3", "x4"], conflicts.Select(c => c.EventId));
            Assert.Equal($"would merge profiles {ann}, {bob}", conflicts[0].Reason);
            Assert.Equal($"would add p:+48600100200 to profile {bob}", conflicts[2].Reason);
            Assert.Equal(3, await db.Events.CountAsync(e => e.CustomerId == ann));
        }

        // The login moment: an anonymous visitor joins the identified profile.
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"v1","name":"view_item","anonymous_id":"cookie-9","items":[{"item_id":"p"}]}""");
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"v2","name":"view_item","anonymous_id":"cookie-9","customer_id":"A","items":[{"item_id":"p"}]}""");
        // The shop's server vouches for a change: a customer token.
        var secret = (await admin.GetJsonAsync("/api/v1/store/identity-secret")).GetProperty("secret").GetString()!;
        var vouched = await tracking.PostJsonAsync("/api/v1/track",
            $$"""{"event_id":"t1","name":"view_item","customer_id":"B","customer_token":"{{CustomerToken.Compute(secret, "B")}}","phone":"+48600100200","items":[{"item_id":"p"}]}""");
        var forged = await tracking.PostJsonAsync("/api/v1/track",
            $$"""{"event_id":"t2","name":"view_item","customer_id":"A","customer_token":"{{CustomerToken.Compute(secret, "B")}}","email":"bob@example.com","items":[{"item_id":"p"}]}""");

        Assert.Equal(HttpStatusCode.Accepted, vouched.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True((await forged.JsonAsync()).GetProperty("errors").TryGetProperty("customer_token", out _));
        await using (var db = app.Db(store))
        {
            Assert.Equal("+48600100200", await db.Customers.Where(c => c.Id == bob).Select(c => c.Phone).SingleAsync());
            Assert.Equal(ann, await db.CustomerIdentities.Where(i => i.Key == "a:cookie-9").Select(i => i.CustomerId).SingleAsync());
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Consent_FromTheStorefront_CountsOnlyOnceConfirmedByEmail(Engine engine)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await TestApp.StartAsync(engine, smtp.Url);
        var store = await app.CreateStoreAsync("shop", doubleOptIn: true);
        using var tracking = app.Tracking(store);
        using var admin = app.Admin(store);
        await MessageSetup.SenderAsync(admin);
        Assert.True((await admin.GetJsonAsync("/api/v1/store")).GetProperty("doubleOptIn").GetBoolean());

        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"s1","name":"view_item","email":"ola@example.com","consent":true,"items":[{"item_id":"p"}]}""");
        app.Clock.Advance(TimeSpan.FromHours(1));
        await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"s2","name":"view_item","email":"ola@example.com","consent":true,"items":[{"item_id":"p"}]}""");
        Assert.Equal(1, await app.PassAsync());

        await using (var db = app.Db(store))
        {
            Assert.Null(await db.Customers.Select(c => c.EmailConsent).SingleAsync());
            Assert.Equal(1, await db.Outbox.CountAsync(o => o.Kind == OutboxKinds.Confirmation));
        }
        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("Please confirm your subscription to shop", mail.Subject);
        var confirm = MessageSetup.Link(mail, "%2Fconfirm%2F");
        // The link was tracked as a click: follow the redirect as a mail client would.
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };
        var target = (await anonymous.GetAsync(confirm)).Headers.Location!.ToString();
        var page = await anonymous.GetAsync(target);
        Assert.Contains("Yes, subscribe me", await page.Content.ReadAsStringAsync());
        await using (var db = app.Db(store)) Assert.Null(await db.Customers.Select(c => c.EmailConsent).SingleAsync()); // a GET confirms nothing
        var forged = await anonymous.PostAsync(target[..^3] + "abc", new FormUrlEncodedContent([]));
        var posted = await anonymous.PostAsync(target, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Contains("You are subscribed", await posted.Content.ReadAsStringAsync());
        await using (var db = app.Db(store))
        {
            var c = await db.Customers.SingleAsync();
            Assert.Equal((true, ConsentConfirmation.Source), (c.EmailConsent, c.EmailConsentSource));
        }
        // The shop's own server (admin key) or a customer token needs no confirmation.
        await admin.PostJsonAsync("/api/v1/track", """{"event_id":"s3","name":"view_item","email":"eva@example.com","consent":true,"items":[{"item_id":"p"}]}""");
        await using (var db = app.Db(store)) Assert.True(await db.Customers.Where(c => c.Email == "eva@example.com").Select(c => c.EmailConsent).SingleAsync());
    }

    [Fact]
    public async Task FeedSchedule_InternalAddresses_AreRefused_AtSaveAndAtConnect_AndTheirContentIsNeverEchoed()
    {
        var shop = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        shop.WebHost.UseUrls("http://127.0.0.1:0");
        await using var web = shop.Build();
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(web, "/admin", () => "<html><body>INTERNAL-SECRET</body></html>");
        await web.StartAsync();
        var url = web.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First() + "/admin";
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);

        foreach (var bad in new[] { url, "http://localhost:9/feed.xml", "http://169.254.169.254/latest/meta-data", "http://[::1]/f", "http://10.0.0.8/feed.csv" })
        {
            var put = await admin.PutAsync("/api/v1/feeds/schedule", new StringContent($$"""{"url":"{{bad}}","intervalMinutes":60}""", Encoding.UTF8, "application/json"));
            Assert.True(put.StatusCode == HttpStatusCode.BadRequest, bad);
        }
        // A schedule that reaches a loopback address anyway (a name that resolves there, a redirect): the connection is refused.
        await using (var db = app.Db(store))
        {
            db.FeedSchedules.Add(new FeedSchedule { StoreId = store.StoreId, Url = url, IntervalMinutes = 60, NextRunAt = app.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await app.App.Services.GetRequiredService<FeedScheduler>().RunDueAsync(CancellationToken.None));

        await using (var db = app.Db(store))
        {
            var run = await db.FeedRuns.SingleAsync();
            Assert.Equal("failed", run.Status);
            Assert.Contains("public addresses only", run.Error, StringComparison.Ordinal);
            Assert.Equal(0, await db.Products.CountAsync());
        }
        // Allowed by the operator, the same page is fetched; not being a feed, its run's error names no content.
        await using var allowed = await TestApp.StartAsync(Engine.Sqlite, configure: s => s.Configure<FeedOptions>(o => o.AllowedHosts = ["127.0.0.1"]));
        var other = await allowed.CreateStoreAsync("other");
        using var otherAdmin = allowed.Admin(other);
        Assert.Equal(HttpStatusCode.OK, (await otherAdmin.PutAsync("/api/v1/feeds/schedule",
            new StringContent($$"""{"url":"{{url}}","intervalMinutes":60,"format":"csv"}""", Encoding.UTF8, "application/json"))).StatusCode);
        await allowed.App.Services.GetRequiredService<FeedScheduler>().RunDueAsync(CancellationToken.None);
        await using (var db = allowed.Db(other))
        {
            var run = await db.FeedRuns.SingleAsync();
            Assert.Equal("failed", run.Status);
            Assert.DoesNotContain("INTERNAL-SECRET", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("html", run.Error, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task FeedUpload_ADecompressionBomb_FailsItsRun_AndAHugeFieldRejectsItsItem()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite, configure: s => s.Configure<FeedOptions>(o => o.MaxUncompressedBytes = 8 << 20));
        var store = await app.CreateStoreAsync("shop", "PLN");
        using var admin = app.Admin(store);
        static byte[] Gzip(Action<StreamWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
            using (var writer = new StreamWriter(gzip)) write(writer);
            return buffer.ToArray();
        }
        var title = new string('A', 4 << 20); // 4 MiB of title, well below the decompressed cap
        var huge = Gzip(w => w.Write(
            $"<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel><item><g:id>BIG</g:id><g:title>{title}</g:title><g:price>1.00 PLN</g:price></item>" +
            "<item><g:id>OK-1</g:id><g:title>Mug</g:title><g:price>2.00 PLN</g:price></item></channel></rss>"));
        var bomb = Gzip(w => { for (var i = 0; i < 16; i++) w.Write(new string(' ', 1 << 20)); });
        HttpContent Body(byte[] bytes) => new ByteArrayContent(bytes) { Headers = { ContentType = new("application/xml"), ContentEncoding = { "gzip" } } };

        var first = await admin.PostAsync("/api/v1/feeds/upload?format=xml", Body(huge));
        var second = await admin.PostAsync("/api/v1/feeds/upload?format=xml", Body(bomb));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var run = await first.JsonAsync();
        Assert.Equal((1, 1), (run.GetProperty("created").GetInt32(), run.GetProperty("rejected").GetInt32()));
        Assert.Contains("longer than 150 characters", run.GetProperty("rejections")[0].GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("larger than 8,388,608 bytes", (await second.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AdminBodies_NullsWhereTextIsExpected_AndRequestsAtTheSameMoment_AreA400OrA409_NeverA500()
    {
        await using var app = await TestApp.StartAsync(Engine.Postgres);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);

        var languages = await admin.PostJsonAsync("/api/v1/scenarios", """{"name":"x","kind":"post_purchase","languages":[null],"customize":{"tiers":[{"id":"a","from":0,"to":null,"messageId":1}]}}""");
        var countries = await admin.PostJsonAsync("/api/v1/scenarios", """{"name":"x","kind":"post_purchase","customize":{"audience":{"countries":[null]},"tiers":[{"id":"a","from":0,"to":null,"messageId":1}]}}""");
        var rules = await admin.PostJsonAsync("/api/v1/scenarios", """{"name":"x","kind":"cross_sell","customize":{"rules":[null]}}""");
        Assert.Equal(HttpStatusCode.BadRequest, languages.StatusCode);
        Assert.True((await languages.JsonAsync()).GetProperty("errors").TryGetProperty("languages[0]", out _));
        Assert.Equal(HttpStatusCode.BadRequest, countries.StatusCode);
        Assert.True((await countries.JsonAsync()).GetProperty("errors").TryGetProperty("customize.audience.countries[0]", out _));
        Assert.Equal(HttpStatusCode.BadRequest, rules.StatusCode);

        var pool = (await (await admin.PostJsonAsync("/api/v1/coupon-pools", """{"name":"spring"}""")).JsonAsync()).GetProperty("id").GetInt64();
        var csv = "code\n" + string.Join('\n', Enumerable.Range(0, 500).Select(i => $"SPRING-{i}"));
        var imports = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => admin.PostAsync($"/api/v1/coupon-pools/{pool}/import", new StringContent(csv, Encoding.UTF8, "text/csv"))));
        var schedules = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => admin.PutAsync("/api/v1/feeds/schedule",
            new StringContent($$"""{"url":"https://shop.example/feed-{{i}}.xml","intervalMinutes":60}""", Encoding.UTF8, "application/json"))));

        Assert.All(imports, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        Assert.Contains(imports, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(schedules, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        await using var db = app.Db(store);
        Assert.Equal(500, await db.CouponCodes.CountAsync());
        Assert.Equal(1, await db.FeedSchedules.CountAsync());
    }

    [Fact]
    public async Task Hardening_Headers_BodyLimits_AndTheSmtpPasswordAtRest()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite);
        var store = await app.CreateStoreAsync("shop");
        using var admin = app.Admin(store);

        var stats = await admin.GetAsync("/api/v1/stats");
        Assert.Equal("nosniff", stats.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(stats.Headers.CacheControl!.NoStore);
        var tooBig = await admin.PostJsonAsync("/api/v1/messages", "{\"name\":\"" + new string('x', 2 << 20) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        var put = await admin.PutAsync("/api/v1/store/mail", new StringContent(
            """{"smtp":"smtp://mailer:Sup3r-Secret@127.0.0.1:2525?tls=none","sendRate":0,"postalAddress":"1 Street","clickWindowDays":5,"openWindowDays":1}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("smtp://mailer:***@127.0.0.1:2525?tls=none", (await put.JsonAsync()).GetProperty("smtp").GetString());
        await using (var db = app.Db(store))
        {
            var stored = await db.Stores.Where(s => s.Id == store.StoreId).Select(s => s.SmtpUrl).SingleAsync();
            Assert.DoesNotContain("Sup3r-Secret", stored, StringComparison.Ordinal);
            Assert.Equal(1, await db.DataProtectionKeys.CountAsync()); // the key ring is where every node finds it
        }
        Assert.Equal("smtp://mailer:Sup3r-Secret@127.0.0.1:2525?tls=none",
            app.App.Services.GetRequiredService<MailTransports>().StoreSmtp(await StoreAsync(app, store)));
    }

    private static async Task<Cartwise.Stores.Store> StoreAsync(TestApp app, Cartwise.Stores.CreatedStore store)
    {
        await using var db = app.Db(store);
        return await db.Stores.AsNoTracking().SingleAsync(s => s.Id == store.StoreId);
    }

    [Fact]
    public async Task KeyCache_IsBounded_ARandomKeyPerRequestCannotGrowIt()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var cache = new Cartwise.Hosting.SingleFlightCache<string, long?>(clock, TimeSpan.FromSeconds(30), capacity: 100);

        for (var i = 0; i < 1000; i++) await cache.GetAsync("key-" + i, _ => Task.FromResult<long?>(null));

        Assert.InRange(cache.Count, 1, 100);
    }
}
