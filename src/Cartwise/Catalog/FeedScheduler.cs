using System.Net;
using System.Net.Http.Headers;
using Cartwise.Data;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Catalog;

/// <summary>
/// Fetches the feed URLs whose time has come (conditional GET with the last ETag / Last-Modified) and imports them as
/// full feeds. A failed fetch or a broken feed is recorded as a failed run and leaves the catalogue as it was. Rows
/// are claimed before fetching, so several server nodes never fetch the same schedule at once. Thread-safe.
/// </summary>
public sealed partial class FeedScheduler(DatabaseTarget target, IHttpClientFactory http, TimeProvider clock, Microsoft.Extensions.Options.IOptions<FeedOptions> options, ILogger<FeedScheduler> log)
{
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(30);

    /// <summary>Runs every due schedule once; returns how many ran.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<long> due;
        await using (var db = target.CreateContext())
            due = await db.FeedSchedules.IgnoreQueryFilters().Where(s => s.NextRunAt <= now && (s.ClaimedUntil == null || s.ClaimedUntil < now))
                .OrderBy(s => s.NextRunAt).Select(s => s.Id).ToListAsync(ct);
        var ran = 0;
        foreach (var id in due)
        {
            await using var db = target.CreateContext();
            var claimed = await db.FeedSchedules.IgnoreQueryFilters().Where(s => s.Id == id && (s.ClaimedUntil == null || s.ClaimedUntil < now))
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ClaimedUntil, now + ClaimFor), ct);
            if (claimed == 0) continue; // another node took it
            var schedule = await db.FeedSchedules.IgnoreQueryFilters().AsNoTracking().SingleAsync(s => s.Id == id, ct);
            var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == schedule.StoreId, ct);
            var (runId, etag, lastModified) = await FetchAndImportAsync(schedule, store, ct);
            var next = clock.GetUtcNow() + TimeSpan.FromMinutes(schedule.IntervalMinutes);
            await db.FeedSchedules.IgnoreQueryFilters().Where(s => s.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(s => s.NextRunAt, next)
                .SetProperty(s => s.LastRunId, runId)
                .SetProperty(s => s.ETag, s => etag ?? s.ETag)
                .SetProperty(s => s.LastModified, s => lastModified ?? s.LastModified), ct);
            ran++;
        }
        return ran;
    }

    private async Task<(long RunId, string? ETag, string? LastModified)> FetchAndImportAsync(FeedSchedule schedule, Stores.Store store, CancellationToken ct)
    {
        using var client = http.CreateClient("feeds");
        using var request = new HttpRequestMessage(HttpMethod.Get, schedule.Url);
        if (schedule.ETag is { } etag && EntityTagHeaderValue.TryParse(etag, out var tag)) request.Headers.IfNoneMatch.Add(tag);
        if (schedule.LastModified is { } lm && DateTimeOffset.TryParse(lm, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since))
            request.Headers.IfModifiedSince = since;
        var importer = new FeedImporter(() => target.CreateContext(), store, clock);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode == HttpStatusCode.NotModified) return (await RecordAsync(store.Id, schedule, RunStatus.NotModified, null, ct), null, null);
            if (!response.IsSuccessStatusCode)
                return (await RecordAsync(store.Id, schedule, RunStatus.Failed, $"Fetching {schedule.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}; the catalogue was kept.", ct), null, null);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            Stream input = new LimitedStream(schedule.Url.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress) : body, options.Value.MaxUncompressedBytes);
            var format = schedule.Format switch { "xml" => FeedFormat.Xml, "csv" => FeedFormat.Csv, _ => FeedFormat.Auto };
            var run = await importer.ImportAsync(input, schedule.Url, new FeedImportOptions(format, Full: true, Fetched: true), ct);
            return (run.Id, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"));
        }
        catch (FeedFailedException e)
        {
            return (e.Run.Id, null, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            LogFetchFailed(log, e, schedule.Url);
            return (await RecordAsync(store.Id, schedule, RunStatus.Failed, $"Fetching {schedule.Url} failed: {e.Message}; the catalogue was kept.", ct), null, null);
        }
    }

    private async Task<long> RecordAsync(long storeId, FeedSchedule schedule, string status, string? error, CancellationToken ct)
    {
        await using var db = target.CreateContext();
        db.CurrentStoreId = storeId;
        var now = clock.GetUtcNow();
        var run = new FeedRun { StoreId = storeId, Source = schedule.Url, Format = schedule.Format ?? "auto", Full = true, Status = status, Error = error, StartedAt = now, FinishedAt = now };
        db.FeedRuns.Add(run);
        Hosting.Telemetry.FeedRuns.Add(1, Hosting.Telemetry.Tag("status", status));
        await db.SaveChangesAsync(ct);
        return run.Id;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching feed {Url} failed")]
    private static partial void LogFetchFailed(ILogger logger, Exception e, string url);
}

/// <summary>Polls for due feed schedules every 30 seconds (on the injected clock).</summary>
internal sealed class FeedScheduleWorker(FeedScheduler scheduler, TimeProvider clock, ILogger<FeedScheduleWorker> log)
    : Hosting.PollingWorker(clock, TimeSpan.FromSeconds(30), log)
{
    internal override Task PassAsync(CancellationToken ct) => scheduler.RunDueAsync(ct);
}
