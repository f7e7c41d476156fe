using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cartwise.Hosting;

/// <summary>
/// The operator's endpoints and telemetry: <c>/livez</c>, <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>
/// (Prometheus), OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and the trace id in every log line.
/// </summary>
public static class Operations
{
    /// <summary>The demo's metrics key, when <c>CARTWISE_METRICS_KEY</c> does not set one.</summary>
    public const string DemoMetricsKey = "demo-metrics-key";

    public const string MetricsPath = "/metrics";

    public static void AddOperations(this WebApplicationBuilder builder, ServeSettings settings)
    {
        var configuration = builder.Configuration;
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var key = configuration.Setting("MetricsKey") ?? (settings.Demo ? DemoMetricsKey : null);
        int? port = null;
        if (configuration.Setting("MetricsUrl") is { } url)
        {
            // A listener of its own (http://127.0.0.1:9464): reachable by the scraper only, so no key is asked there.
            port = new Uri(url).Port;
            builder.WebHost.UseUrls(settings.Urls + ";" + url);
        }
        builder.Services.AddSingleton(new MetricsAccess(key, port));
        builder.Services.AddSingleton<OperatorStatus>();
        builder.Services.AddOptions<ReadinessOptions>().BindConfiguration("Readiness").ValidateDataAnnotations().ValidateOnStart();

        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("cartwise"));
        telemetry.WithMetrics(m =>
        {
            m.AddMeter(Telemetry.Name, Telemetry.Name + ".Status", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddRuntimeInstrumentation()
                // Every scrape reads the instruments afresh (the database's figures have their own 5 s snapshot).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            if (otlp) m.AddOtlpExporter();
        });
        // Spans are exported only where there is somewhere to send them; without OTLP the trace id still reaches the logs.
        if (otlp)
            telemetry.WithTracing(t => t.AddSource(Telemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddOtlpExporter());
    }

    public static void UseOperations(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<MetricsAccess>();
        app.Use(async (http, next) =>
        {
            var onMetricsPort = access.Port is { } p && http.Connection.LocalPort == p;
            if (http.Request.Path.StartsWithSegments(MetricsPath))
            {
                if (!onMetricsPort && !KeyMatches(http, access.Key))
                {
                    http.Response.StatusCode = access.Key is null ? StatusCodes.Status404NotFound : StatusCodes.Status401Unauthorized;
                    if (access.Key is not null) http.Response.Headers.WWWAuthenticate = "Bearer";
                    return;
                }
                // The database's figures (lag, outbox, model age) as fresh as the scrape.
                await http.RequestServices.GetRequiredService<OperatorStatus>().CurrentAsync();
            }
            else if (onMetricsPort)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(http);
        });
    }

    public static void MapOperations(this WebApplication app)
    {
        app.MapGet("/livez", () => TypedResults.Text("ok")).AllowAnonymous().WithTags("Operations").WithSummary("200 while the process runs (no I/O).");
        app.MapGet("/healthz", HealthAsync).AllowAnonymous().WithTags("Operations").WithSummary("200 when the database answers.");
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().WithTags("Operations")
            .WithSummary("200 when this node should take traffic: database, schema, workers, models and scenario lag, each with its reason.");
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
    }

    private static async Task<IResult> HealthAsync(Data.CartwiseDb db, CancellationToken ct) =>
        await db.Database.CanConnectAsync(ct) ? TypedResults.Text("ok") : TypedResults.Problem(statusCode: 503, title: "Database unreachable");

    private static async Task<JsonHttpResult<Readiness>> ReadyAsync(OperatorStatus status, CancellationToken ct)
    {
        var readiness = await status.ReadinessAsync(ct);
        return TypedResults.Json(readiness, statusCode: readiness.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static bool KeyMatches(HttpContext http, string? key) =>
        key is not null && KeyAuth.BearerOf(http.Request) is { } token
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key));
}

/// <summary>How <c>/metrics</c> is reached: with <paramref name="Key"/> as a bearer token on the main listener, on a listener of its own at <paramref name="Port"/> without one, or (neither) not at all.</summary>
public sealed record MetricsAccess(string? Key, int? Port);

/// <summary>The limits of <c>/readyz</c> (<c>Readiness__MaxLagSeconds</c>).</summary>
public sealed class ReadinessOptions
{
    /// <summary>A store's scenario lag above this makes the node not ready.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 86_400)]
    public int MaxLagSeconds { get; set; } = 900;
}
