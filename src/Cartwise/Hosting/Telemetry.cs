using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cartwise.Hosting;

/// <summary>
/// Cartwise's own metrics and traces: one meter and one activity source named <see cref="Name"/>, read by
/// OpenTelemetry (<c>/metrics</c>, OTLP) and by anything else that listens (<c>dotnet-counters monitor -n cartwise
/// --counters Cartwise</c>). Counters and histograms are recorded where the work happens; the figures read from the
/// database (lag, queue depths, model age) are gauges of <see cref="OperatorStatus"/>. Thread-safe.
/// </summary>
public static class Telemetry
{
    public const string Name = "Cartwise";

    /// <summary>Every long operation is a span of this source: writer flushes, scenario and outbox passes, model builds, feed runs, imports.</summary>
    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Buckets for operations of seconds to minutes (passes, builds).</summary>
    private static readonly InstrumentAdvice<double> LongSeconds = new() { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600] };

    /// <summary>Events in tracking requests that reached validation, valid or not.</summary>
    public static readonly Counter<long> EventsReceived = Meter.CreateCounter<long>("cartwise.events.received", "{event}", "Events in tracking requests");

    /// <summary>Events committed (a 202 answered for them).</summary>
    public static readonly Counter<long> EventsStored = Meter.CreateCounter<long>("cartwise.events.stored", "{event}", "Events committed");

    /// <summary>Events answered as duplicates of a stored event id.</summary>
    public static readonly Counter<long> EventsDuplicate = Meter.CreateCounter<long>("cartwise.events.duplicate", "{event}", "Events already stored under their id");

    /// <summary>Events or requests refused, tagged <c>reason</c> (<see cref="RejectReasons"/>).</summary>
    public static readonly Counter<long> EventsRejected = Meter.CreateCounter<long>("cartwise.events.rejected", "{event}", "Events or requests refused, by reason");

    /// <summary>A tracking request from its first byte read to its answer (the wait for the commit included).</summary>
    public static readonly Histogram<double> TrackingDuration = Meter.CreateHistogram("cartwise.tracking.duration", "s", "Tracking request time to the commit",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>One commit of the event writer.</summary>
    public static readonly Histogram<double> WriterFlushDuration = Meter.CreateHistogram("cartwise.writer.flush.duration", "s", "Event writer commit time",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>Events in one commit of the event writer.</summary>
    public static readonly Histogram<long> WriterFlushEvents = Meter.CreateHistogram<long>("cartwise.writer.flush.events", "{event}", "Events per event writer commit",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    /// <summary>Scenario decisions written, tagged <c>kind</c> (scheduled, skipped…).</summary>
    public static readonly Counter<long> Decisions = Meter.CreateCounter<long>("cartwise.scenarios.decisions", "{decision}", "Scenario decisions by kind");

    /// <summary>Scenario engines brought up to date with the events another node decided on, instead of rebuilt.</summary>
    public static readonly Counter<long> ScenarioCatchUps = Meter.CreateCounter<long>("cartwise.scenarios.catch_ups", "{pass}",
        "Scenario engines brought up to date with the events another node decided on, instead of rebuilt");

    /// <summary>One scenario pass over a store's new events.</summary>
    public static readonly Histogram<double> ScenarioPassDuration = Meter.CreateHistogram<double>("cartwise.scenarios.pass.duration", "s", "Scenario pass time per store batch", advice: LongSeconds);

    /// <summary>The <see cref="OutboxResults"/> result of a row rescheduled after a temporary failure (the others are its final status).</summary>
    public const string OutboxRetry = "retry";

    /// <summary>Outbox rows finished or rescheduled, tagged <c>result</c>: sent, failed (a dead letter), skipped, or <see cref="OutboxRetry"/>.</summary>
    public static readonly Counter<long> OutboxResults = Meter.CreateCounter<long>("cartwise.outbox.results", "{message}", "Outbox rows by result");

    /// <summary>One model build (mining and every recommender).</summary>
    public static readonly Histogram<double> ModelBuildDuration = Meter.CreateHistogram<double>("cartwise.model.build.duration", "s", "Recommendation model build time", advice: LongSeconds);

    /// <summary>Feed runs, tagged <c>status</c>.</summary>
    public static readonly Counter<long> FeedRuns = Meter.CreateCounter<long>("cartwise.feeds.runs", "{run}", "Feed runs by status");

    /// <summary>Rows committed by imports, tagged <c>kind</c> (orders, events, coupons, feed).</summary>
    public static readonly Counter<long> ImportedRows = Meter.CreateCounter<long>("cartwise.imports.rows", "{row}", "Rows committed by imports");

    /// <summary>A tag pair, without the boxing noise at call sites.</summary>
    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}

/// <summary>The values of <see cref="Telemetry.EventsRejected"/>'s <c>reason</c> tag.</summary>
public static class RejectReasons
{
    /// <summary>An event that failed validation (its field and message are in the answer).</summary>
    public const string Invalid = "invalid_event";
    public const string MalformedJson = "malformed_json";
    public const string NotTracking = "not_tracking_body";
    public const string UnknownKey = "unknown_key";
    public const string TooLarge = "too_large";
    public const string ShuttingDown = "shutting_down";
    /// <summary>The database stayed unreachable through the writer's retries (the client is told to send again).</summary>
    public const string DatabaseUnavailable = "database_unavailable";
}
