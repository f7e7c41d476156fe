using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cartwise.Tests.Infrastructure;

/// <summary>
/// The real Cartwise server on a free loopback port, over a fresh database of the chosen engine, with a fake clock.
/// Tests talk to it over real HTTP.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly TestDatabase? _database;
    private readonly DatabaseTarget _target;

    public WebApplication App { get; }
    public FakeTimeProvider Clock { get; }
    public Uri BaseAddress { get; }
    public DatabaseTarget Database => _target;

    private TestApp(TestDatabase? database, DatabaseTarget target, WebApplication app, FakeTimeProvider clock, Uri baseAddress)
    {
        _database = database;
        _target = target;
        App = app;
        Clock = clock;
        BaseAddress = baseAddress;
    }

    /// <param name="smtp">The default SMTP server; null: a file outbox in a temporary folder.</param>
    /// <param name="configure">Settings an operator would give (options), applied after the server's own.</param>
    /// <param name="demo">Fill the demo store, as <c>serve --demo</c> does.</param>
    public static async Task<TestApp> StartAsync(Engine engine, string? smtp = null, Action<IServiceCollection>? configure = null, bool demo = false)
    {
        var database = await TestDatabase.CreateAsync(engine);
        return await StartAsync(database, database.Target, smtp, configure, demo);
    }

    /// <summary>A second server node on the database of another (it does not own the database).</summary>
    public static Task<TestApp> StartNodeAsync(DatabaseTarget target, string? smtp = null, Action<IServiceCollection>? configure = null) =>
        StartAsync(null, target, smtp, configure, false);

    private static async Task<TestApp> StartAsync(TestDatabase? database, DatabaseTarget target, string? smtp, Action<IServiceCollection>? configure, bool demo)
    {
        var clock = new FakeTimeProvider(Start);
        var outbox = Path.Combine(Path.GetTempPath(), $"cartwise-outbox-{Guid.NewGuid():N}");
        // The demo writes its address into its products' links (they lead to its demo shop): it needs its port up front.
        var urls = demo ? $"http://127.0.0.1:{FreePort()}" : "http://127.0.0.1:0";
        var app = CartwiseServer.Build(new ServeSettings(target, urls, Demo: demo, Schedulers: false, Smtp: smtp, OutboxDirectory: outbox),
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                configure?.Invoke(services);
            });
        await CartwiseServer.PrepareAsync(app, CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(database, target, app, clock, new Uri(address));
    }

    /// <summary>A loopback port free right now.</summary>
    public static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>A new store with its plain keys.</summary>
    /// <param name="doubleOptIn">
    /// Off unless asked: most tests give consent through the tracking key and look at what is sent next, which
    /// double opt-in (the default of a real new store) would hold until a confirmation.
    /// </param>
    public async Task<CreatedStore> CreateStoreAsync(string slug, string currency = "EUR", string? country = "PL", bool doubleOptIn = false)
    {
        await using var db = Database.CreateContext();
        var store = await StoreService.CreateAsync(db, slug, null, currency, country, "Europe/Warsaw", Clock.GetUtcNow(), CancellationToken.None);
        if (!doubleOptIn) await db.Stores.Where(s => s.Id == store.StoreId).ExecuteUpdateAsync(u => u.SetProperty(s => s.DoubleOptIn, false));
        return store;
    }

    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress };

    public HttpClient Tracking(CreatedStore store)
    {
        var c = Anonymous();
        c.DefaultRequestHeaders.Add(KeyAuth.TrackingHeader, store.TrackingKey);
        return c;
    }

    public HttpClient Admin(CreatedStore store)
    {
        var c = Anonymous();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", store.AdminKey);
        return c;
    }

    /// <summary>A context bound to a store, to check what was stored.</summary>
    public CartwiseDb Db(CreatedStore store)
    {
        var db = Database.CreateContext();
        db.CurrentStoreId = store.StoreId;
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}

public static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }
}
