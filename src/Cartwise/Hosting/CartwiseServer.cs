using Cartwise.Admin;
using Cartwise.Catalog;
using Cartwise.Customers;
using Cartwise.Data;
using Cartwise.Storefront;
using Cartwise.Stores;
using Cartwise.Tracking;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Json;

namespace Cartwise.Hosting;

/// <summary>What <c>cartwise serve</c> was asked for.</summary>
/// <param name="Schedulers">Run the polling workers (feed schedules, outbox…); tests drive them by hand instead.</param>
/// <param name="Smtp">The default SMTP server (smtp://…); null: the file outbox in <paramref name="OutboxDirectory"/>.</param>
/// <param name="OutboxDirectory">Where the file outbox writes .eml files; null: an <c>outbox</c> folder beside the SQLite file, or here.</param>
/// <param name="PublicUrl">The address links in messages point to; null: the first address listened on.</param>
/// <param name="DemoTraffic">With <paramref name="Demo"/> and the workers: a light stream of labelled synthetic storefront events.</param>
public sealed record ServeSettings(DatabaseTarget Database, string Urls, bool Demo, bool Schedulers = true,
    string? Smtp = null, string? OutboxDirectory = null, string? PublicUrl = null, bool DemoTraffic = true)
{
    public const string DefaultUrls = "http://127.0.0.1:5080";
}

/// <summary>Builds the Cartwise web application. Used by <c>serve</c> and by the tests (which listen on a free port).</summary>
public static class CartwiseServer
{
    public static WebApplication Build(ServeSettings settings, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCartwiseVariables();
        builder.WebHost.UseUrls(settings.Urls);
        // 1 MiB for every body (JSON of the API, tracking batches); the routes that take files (feed upload, coupon
        // CSV) raise their own limit before reading. Nothing larger is held in memory.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1 << 20);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // Failed commands surface as exceptions where they matter; EF also logs expected ones (first migration probe).
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // Structured logs: one JSON object a line with CARTWISE_LOG_FORMAT=json (for log shippers), readable lines otherwise.
        if (string.Equals(builder.Configuration.Setting("LogFormat"), "json", StringComparison.OrdinalIgnoreCase))
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.IncludeScopes = true;
            });
        else
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss ";
                // The trace id of the request or operation, so a line can be found in the traces.
                o.IncludeScopes = true;
            });

        builder.AddOperations(settings);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddCartwiseDb(settings.Database);
        services.AddKeyAuthentication();
        services.AddAdminApp();
        services.AddProblemDetails();
        services.AddExceptionHandler<ClientErrors>();
        services.AddOpenApi();
        services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CartwiseJsonContext.Default));
        services.AddSingleton<StoreCache>();
        services.AddStorefrontLimits();
        // Widgets' HTML, 60 s per query (RecommendationEndpoints.WidgetAsync): 20,000 fragments at most.
        services.AddMemoryCache(o => o.SizeLimit = 20_000);
        services.AddSingleton<EventWriter>();
        services.AddHostedService<EventWriterWorker>();
        services.AddValidation();
        services.AddOptions<FeedOptions>().BindConfiguration("Feeds").ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient("feeds", c => c.Timeout = TimeSpan.FromMinutes(10))
            .ConfigurePrimaryHttpMessageHandler(sp => FeedNetwork.Handler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<FeedOptions>>().Value));
        services.AddSingleton<FeedScheduler>();
        services.AddSingleton<Recommendations.ModelService>();
        services.AddOptions<Messages.OutboxOptions>().BindConfiguration("Outbox").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Messages.MessageComposer>();
        services.AddSingleton<Messages.MailTransports>();
        // Data Protection encrypts secrets at rest (SMTP passwords); its key ring is in the database, shared by every node.
        services.AddDataProtection().SetApplicationName("Cartwise").PersistKeysToDbContext<CartwiseDb>();
        services.AddSingleton<Messages.SmtpSecrets>();
        services.AddSingleton<Messages.PublicUrls>();
        services.AddSingleton<Messages.OutboxService>();
        services.AddOptions<Scenarios.ScenarioOptions>().BindConfiguration("Scenarios").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Scenarios.ScenarioService>();
        services.AddSingleton<Scenarios.AbTestService>();
        services.AddSingleton<Messages.IMessageScenarios, Scenarios.ScenarioMessages>();
        if (settings.Schedulers)
        {
            services.AddHostedService<Scenarios.ScenarioWorker>();
            services.AddHostedService<Scenarios.AbTestWorker>();
            services.AddHostedService<Messages.OutboxWorker>();
            services.AddHostedService<FeedScheduleWorker>();
            services.AddHostedService<Segments.SegmentWorker>();
            services.AddHostedService<Recommendations.ModelWorker>();
            services.AddHostedService<StatisticsWorker>();
            if (settings.Demo && settings.DemoTraffic) services.AddHostedService<Storefront.DemoTrafficWorker>();
        }
        if (settings.Demo) services.AddSingleton<Storefront.DemoTraffic>();
        // Behind a reverse proxy: Proxy__Trusted=10.0.0.5,127.0.0.1 takes the client address (rate limits) and scheme
        // from X-Forwarded-For/-Proto of those addresses only.
        var trusted = (builder.Configuration["Proxy:Trusted"] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in trusted) o.KnownProxies.Add(System.Net.IPAddress.Parse(address));
        });
        configure?.Invoke(services);

        var app = builder.Build();
        if (trusted.Length > 0) app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseOperations();
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = e => e is BadHttpRequestException b ? b.StatusCode : 500 });
        app.UseStatusCodePages();
        app.UseAdminLanguage();
        app.UseStorefrontGuard();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi().AllowAnonymous();
        app.MapOperations();
        app.MapTrackingEndpoints();
        app.MapStorefrontEndpoints();
        if (settings.Demo) app.MapDemoShop();
        app.MapCustomerEndpoints();
        app.MapStoreEndpoints();
        app.MapFeedEndpoints();
        Importing.ImportEndpoints.MapImportEndpoints(app);
        Recommendations.RecommendationEndpoints.MapRecommendationEndpoints(app);
        Messages.MessageEndpoints.MapMessageEndpoints(app);
        Messages.LinkEndpoints.MapLinkEndpoints(app);
        Coupons.CouponEndpoints.MapCouponEndpoints(app);
        Scenarios.ScenarioEndpoints.MapScenarioEndpoints(app);
        Analytics.AnalyticsEndpoints.MapAnalyticsEndpoints(app);
        app.MapAdminApp();
        return app;
    }

    /// <summary>Applies migrations and, with <c>--demo</c>, makes sure the demo store exists.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CartwiseDb>();
        await db.MigrateAsync(ct);
        var settings = app.Services.GetRequiredService<ServeSettings>();
        if (settings.Demo) await DemoStore.EnsureAsync(db, settings.Database, app.Services.GetRequiredService<Recommendations.ModelService>(),
            app.Services.GetRequiredService<TimeProvider>(), Console.Out, ct, settings.PublicUrl ?? settings.Urls.Split(';')[0]);
    }
}
