using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Cartwise.Core.Tracking;
using Cartwise.Hosting;
using Cartwise.Stores;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cartwise.Tracking;

/// <summary>The answer to a tracking request: what became of each event, in the order sent.</summary>
public sealed record TrackResponse(int Accepted, int Duplicates, int Rejected, IReadOnlyList<TrackResult> Results);

/// <param name="Status"><c>stored</c>, <c>duplicate</c> (already stored under this event id) or <c>rejected</c>.</param>
public sealed record TrackResult(
    int Index,
    string? EventId,
    string Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, string[]>? Errors);

public static class TrackingEndpoints
{
    /// <summary>The largest tracking body accepted.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public static IEndpointRouteBuilder MapTrackingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/track", TrackAsync)
            // The admin key too: a shop's server sends verified events with it (see TrackedEvent.Verified).
            .RequireAuthorization(KeyAuth.StorefrontPolicy)
            .WithTags("Tracking")
            .WithSummary("Record one event, a batch {\"events\":[…]} (at most 1,000), or a GA4 Measurement Protocol body; with the admin key, events are verified.")
            // text/plain too: navigator.sendBeacon sends strings as text/plain.
            .Accepts<JsonElement>("application/json", "text/plain")
            .DisableAntiforgery();
        // GA4 Measurement Protocol clients need only a new base URL: the tracking key comes as api_secret.
        app.MapPost("/mp/collect", CollectAsync)
            .RequireAuthorization(KeyAuth.StorefrontPolicy)
            .WithTags("Tracking")
            .WithSummary("GA4 Measurement Protocol: ?measurement_id=…&api_secret=<tracking key>; stores as /api/v1/track does and answers 204.")
            // Any content type, as Google's endpoint: clients send JSON as text/plain, form-encoded (curl -d) or none.
            .DisableAntiforgery();
        app.MapPost("/debug/mp/collect", DebugCollectAsync)
            .RequireAuthorization(KeyAuth.StorefrontPolicy)
            .WithTags("Tracking")
            .WithSummary("GA4 Measurement Protocol validation: checks a body as /mp/collect would, stores nothing, answers {\"validationMessages\":[…]}.")
            .DisableAntiforgery();
        return app;
    }

    internal static async Task<Results<Accepted<TrackResponse>, ValidationProblem, ProblemHttpResult>> TrackAsync(
        HttpContext http, EventWriter writer, StoreCache stores, TimeProvider clock, CancellationToken ct)
    {
        var outcome = await IngestAsync(http, writer, stores, clock, null, ct);
        if (outcome.Problem is ProblemHttpResult problem) return problem;
        if (outcome.Problem is ValidationProblem invalid) return invalid;
        return TypedResults.Accepted((string?)null, outcome.Response);
    }

    /// <summary>
    /// GA4 Measurement Protocol: what <c>/api/v1/track</c> does with the same body, answered as Google answers (204, no
    /// body) when every event was stored. Some events rejected: 202 with what became of each, as <c>/api/v1/track</c>
    /// answers; none valid, or a body that is not one: 400 naming the fields.
    /// </summary>
    internal static async Task<Results<NoContent, Accepted<TrackResponse>, ValidationProblem, ProblemHttpResult>> CollectAsync(
        HttpContext http, EventWriter writer, StoreCache stores, TimeProvider clock, CancellationToken ct)
    {
        var (id, bad) = MeasurementId(http);
        if (bad is not null) return bad;
        var outcome = await IngestAsync(http, writer, stores, clock, id, ct);
        if (outcome.Problem is ProblemHttpResult problem) return problem;
        if (outcome.Problem is ValidationProblem invalid) return invalid;
        return outcome.Response!.Rejected == 0 ? TypedResults.NoContent() : TypedResults.Accepted((string?)null, outcome.Response);
    }

    /// <summary>
    /// The Measurement Protocol's validation server: checks a body as <c>/mp/collect</c> would, stores nothing, and
    /// answers 200 with <c>{"validationMessages":[…]}</c> (empty when every event would be stored).
    /// </summary>
    internal static async Task<Results<Ok<MpValidation>, ProblemHttpResult>> DebugCollectAsync(HttpContext http, StoreCache stores, TimeProvider clock, CancellationToken ct)
    {
        var (id, badId) = MeasurementId(http);
        if (badId is not null) return TypedResults.Ok(new MpValidation([new("measurement_id", badId.ProblemDetails.Detail ?? "", MpValidation.ValueInvalid)]));
        var read = await ParseAsync(http, stores, clock, id, ct);
        if (read.Problem is { } problem)
            return problem.StatusCode == StatusCodes.Status401Unauthorized ? problem
                : TypedResults.Ok(new MpValidation([new("", problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "", MpValidation.ValueInvalid)]));
        var parsed = read.Body!;
        return TypedResults.Ok(MpValidation.From(parsed.BodyErrors.Count > 0 ? parsed.BodyErrors : parsed.Events.SelectMany(e => e.Errors), read.MeasurementProtocol));
    }

    /// <summary>The <c>measurement_id</c> of a Measurement Protocol request (optional here, kept on the events), or why it is refused.</summary>
    private static (string? Id, ProblemHttpResult? Problem) MeasurementId(HttpContext http)
    {
        var id = http.Request.Query["measurement_id"].ToString().Trim();
        if (id.Length == 0) return (null, null);
        if (id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return (null, TypedResults.Problem(statusCode: 400, title: "Bad measurement_id", detail: "measurement_id must be at most 64 letters, digits, '-' or '_' (G-XXXXXXX)."));
        return (id, null);
    }

    private static string MalformedJson(JsonException e) =>
        $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}";

    private sealed record Outcome(IResult? Problem, TrackResponse? Response);

    /// <param name="Body">The parsed body, its events verified; with <see cref="ParsedBody.BodyErrors"/> when it is not a tracking request.</param>
    private sealed record Read(ParsedBody? Body, bool MeasurementProtocol, ProblemHttpResult? Problem);

    /// <summary>
    /// Reads and parses a tracking body for the caller's store and verifies its events: what every tracking address
    /// does before it writes or, for the validation server, instead of writing.
    /// </summary>
    private static async Task<Read> ParseAsync(HttpContext http, StoreCache stores, TimeProvider clock, string? measurementId, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http, ct);
        if (body.Problem is { } problem) return new(null, false, problem);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            return new(null, false, TypedResults.Problem(statusCode: 400, title: "Malformed JSON", detail: MalformedJson(e)));
        }
        // The parsed events hold strings only: nothing refers to the document once it is disposed.
        using (document)
        {
            var store = await stores.GetAsync(http.User.StoreId(), ct);
            if (store is null) return new(null, false, TypedResults.Problem(statusCode: 401, title: "Unknown key"));
            var context = new ParseContext(clock.GetUtcNow(), store.DefaultCountry, http.Request.Headers.AcceptLanguage.ToString(), measurementId);
            var parsed = EventParser.ParseBody(document.RootElement, context);
            var measurementProtocol = EventParser.IsMeasurementProtocol(document.RootElement);
            return new(parsed.BodyErrors.Count > 0 ? parsed : Verify(parsed, store, http.User.IsAdmin()), measurementProtocol, null);
        }
    }

    /// <summary>Reads, parses, verifies and writes a tracking body: the one path of every tracking address.</summary>
    private static async Task<Outcome> IngestAsync(HttpContext http, EventWriter writer, StoreCache stores, TimeProvider clock, string? measurementId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await IngestTimedAsync(http, writer, stores, clock, measurementId, ct);
        Telemetry.TrackingDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return outcome;
    }

    private static async Task<Outcome> IngestTimedAsync(HttpContext http, EventWriter writer, StoreCache stores, TimeProvider clock, string? measurementId, CancellationToken ct)
    {
        var read = await ParseAsync(http, stores, clock, measurementId, ct);
        if (read.Problem is { } problem)
        {
            Telemetry.EventsRejected.Add(1, Telemetry.Tag("reason", problem.StatusCode switch
            {
                StatusCodes.Status401Unauthorized => RejectReasons.UnknownKey,
                StatusCodes.Status413PayloadTooLarge => RejectReasons.TooLarge,
                _ => RejectReasons.MalformedJson,
            }));
            return new(problem, null);
        }
        var parsed = read.Body!;
        if (parsed.BodyErrors.Count > 0)
        {
            Telemetry.EventsRejected.Add(1, Telemetry.Tag("reason", RejectReasons.NotTracking));
            return new(TypedResults.ValidationProblem(parsed.BodyErrors, title: "The body is not a tracking request"), null);
        }

        var valid = parsed.Events.Where(e => e.IsValid).Select(e => e.Event!).ToList();
        Telemetry.EventsReceived.Add(parsed.Events.Count);
        if (valid.Count < parsed.Events.Count) Telemetry.EventsRejected.Add(parsed.Events.Count - valid.Count, Telemetry.Tag("reason", RejectReasons.Invalid));
        if (valid.Count == 0)
        {
            var errors = parsed.Events.SelectMany(e => e.Errors).ToDictionary(kv => kv.Key, kv => kv.Value);
            return new(TypedResults.ValidationProblem(errors, title: parsed.IsBatch ? "No event of the batch is valid" : "The event is not valid"), null);
        }

        IReadOnlyList<WriteOutcome> outcomes;
        try
        {
            outcomes = await writer.WriteAsync(http.User.StoreId(), valid, ct);
        }
        catch (WriterClosedException)
        {
            Telemetry.EventsRejected.Add(valid.Count, Telemetry.Tag("reason", RejectReasons.ShuttingDown));
            return new(TypedResults.Problem(statusCode: 503, title: "Shutting down", detail: "The server is stopping; send the events again to another node or later."), null);
        }
        catch (Exception e) when (Data.DatabaseFaults.IsTransient(e))
        {
            Telemetry.EventsRejected.Add(valid.Count, Telemetry.Tag("reason", RejectReasons.DatabaseUnavailable));
            http.Response.Headers.RetryAfter = "5";
            return new(TypedResults.Problem(statusCode: 503, title: "Database unavailable",
                detail: "The events were not stored: the database did not answer for several seconds. Send them again (their event ids make a retry safe)."), null);
        }

        var results = new List<TrackResult>(parsed.Events.Count);
        var next = 0;
        foreach (var e in parsed.Events)
        {
            if (!e.IsValid)
            {
                results.Add(new TrackResult(e.Index, null, "rejected", e.Errors));
                continue;
            }
            var outcome = outcomes[next++];
            results.Add(new TrackResult(e.Index, outcome.EventId, outcome.Status == WriteStatus.Stored ? "stored" : "duplicate", null));
        }
        return new(null, new TrackResponse(
            results.Count(r => r.Status == "stored"), results.Count(r => r.Status == "duplicate"), results.Count(r => r.Status == "rejected"), results));
    }

    /// <summary>
    /// Marks each event verified when it came with the admin key or with a customer token matching its customer id;
    /// an event whose token does not match is rejected, naming the field.
    /// </summary>
    internal static ParsedBody Verify(ParsedBody parsed, Store store, bool admin)
    {
        var events = new List<ParsedEvent>(parsed.Events.Count);
        foreach (var p in parsed.Events)
        {
            if (p.Event is not { } e) { events.Add(p); continue; }
            if (admin) { events.Add(p with { Event = e with { Verified = true } }); continue; }
            if (e.CustomerToken is not { } token) { events.Add(p); continue; }
            if (Core.Customers.CustomerToken.Verify(store.IdentitySecret, e.Identity.CustomerId!, token))
                events.Add(p with { Event = e with { Verified = true } });
            else
                events.Add(new ParsedEvent(p.Index, null, new Dictionary<string, string[]>
                {
                    [parsed.IsBatch ? $"events[{p.Index}].customer_token" : "customer_token"] = [Core.Customers.CustomerToken.Problem(e.Identity.CustomerId!)],
                }));
        }
        return parsed with { Events = events };
    }

    private readonly record struct Body(ReadOnlyMemory<byte> Bytes, ProblemHttpResult? Problem);

    /// <summary>Reads at most <see cref="MaxBodyBytes"/>; a larger body is refused with 413 before it is parsed.</summary>
    private static async Task<Body> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        var tooLarge = TypedResults.Problem(statusCode: 413, title: "Payload too large",
            detail: $"A tracking request may carry at most {MaxBodyBytes:N0} bytes; split the batch.");
        if (http.Request.ContentLength > MaxBodyBytes) return new Body(default, tooLarge);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBodyBytes;

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(http.Request.ContentLength ?? 4096, MaxBodyBytes) + 1);
        try
        {
            while (true)
            {
                var read = await http.Request.Body.ReadAsync(buffer.GetMemory(8192), ct);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > MaxBodyBytes) return new Body(default, tooLarge);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            return new Body(default, tooLarge);
        }
        if (buffer.WrittenCount == 0)
            return new Body(default, TypedResults.Problem(statusCode: 400, title: "Empty body", detail: "Send one event or {\"events\":[…]} as JSON."));
        return new Body(buffer.WrittenMemory, null);
    }
}
