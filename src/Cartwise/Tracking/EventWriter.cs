using System.Threading.Channels;
using Cartwise.Catalog;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Stores;

namespace Cartwise.Tracking;

/// <summary>
/// The one writer of tracked events. Requests hand their validated events to a channel and wait; a single worker
/// drains whatever is queued (from many requests) and commits it in one transaction per store, then answers every
/// waiting request. So a 202 means "committed", SQLite sees one writer, and many small requests share one commit.
/// Thread-safe.
/// </summary>
public sealed class EventWriter
{
    internal sealed record Job(long StoreId, IReadOnlyList<TrackedEvent> Events, TaskCompletionSource<IReadOnlyList<WriteOutcome>> Done);

    private readonly Channel<Job> _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    internal ChannelReader<Job> Reader => _queue.Reader;

    /// <summary>Requests waiting for the writer (each holds one or more events).</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Queues events of one store and completes when they are committed (or the write failed).</summary>
    /// <exception cref="WriterClosedException">The server is shutting down and takes no new events.</exception>
    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(long storeId, IReadOnlyList<TrackedEvent> events, CancellationToken ct)
    {
        var job = new Job(storeId, events, new TaskCompletionSource<IReadOnlyList<WriteOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _queue.Writer.WriteAsync(job, ct);
        }
        catch (ChannelClosedException)
        {
            throw new WriterClosedException();
        }
        // Once queued, the job is written even if this request goes away: the client may retry, and the event id dedupes.
        return await job.Done.Task;
    }

    /// <summary>No new events from now on; what is queued is still written.</summary>
    internal void Close() => _queue.Writer.TryComplete();
}

public sealed class WriterClosedException() : Exception("The server is shutting down.");

/// <summary>Drains <see cref="EventWriter"/>: batches of up to <see cref="MaxBatchEvents"/> events per commit.</summary>
internal sealed partial class EventWriterWorker(EventWriter writer, DatabaseTarget target, StoreCache stores, TimeProvider clock, ILogger<EventWriterWorker> log)
    : BackgroundService
{
    private const int MaxBatchEvents = 5000;
    private readonly CatalogCache _catalog = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not cancelled by stoppingToken: on shutdown the channel is closed, and everything already queued is written.
        var reader = writer.Reader;
        var batch = new List<EventWriter.Job>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            var events = 0;
            while (events < MaxBatchEvents && reader.TryRead(out var job))
            {
                batch.Add(job);
                events += job.Events.Count;
            }
            foreach (var group in batch.GroupBy(j => j.StoreId))
                await WriteGroupAsync(group.Key, group.ToList());
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        writer.Close();
        await base.StopAsync(cancellationToken);
    }

    private async Task WriteGroupAsync(long storeId, List<EventWriter.Job> jobs)
    {
        try
        {
            var outcomes = await WriteWithRetryAsync(storeId, jobs.SelectMany(j => j.Events).ToList());
            var at = 0;
            foreach (var job in jobs)
            {
                job.Done.TrySetResult(outcomes.Skip(at).Take(job.Events.Count).ToList());
                at += job.Events.Count;
            }
        }
        catch (Exception e) when (jobs.Count > 1)
        {
            // One request's events broke the shared commit: write each request alone so the others still land.
            LogBatchFailed(log, e, jobs.Count);
            foreach (var job in jobs) await WriteGroupAsync(storeId, [job]);
        }
        catch (Exception e)
        {
            LogWriteFailed(log, e, storeId);
            jobs[0].Done.TrySetException(e);
        }
    }

    /// <summary>Two writers (two server nodes on PostgreSQL) may insert the same product or identity at once: retry.</summary>
    private async Task<IReadOnlyList<WriteOutcome>> WriteWithRetryAsync(long storeId, List<TrackedEvent> events)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var span = Hosting.Telemetry.Source.StartActivity("cartwise.writer.flush");
            span?.SetTag("cartwise.store", storeId);
            span?.SetTag("cartwise.events", events.Count);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var store = await stores.GetAsync(storeId, CancellationToken.None) ?? throw new InvalidOperationException($"Store {storeId} is gone.");
                await using var connection = await target.OpenSessionAsync(CancellationToken.None);
                var session = await connection.BeginAsync(CancellationToken.None);
                await using var tx = session.Transaction!;
                var ingestor = new EventIngestor(session, store, clock.GetUtcNow(), _catalog);
                var outcomes = await ingestor.WriteAsync(events, CancellationToken.None);
                await tx.CommitAsync();
                ingestor.Committed();
                Hosting.Telemetry.WriterFlushDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                Hosting.Telemetry.WriterFlushEvents.Record(events.Count);
                var stored = outcomes.Count(o => o.Status == WriteStatus.Stored);
                Hosting.Telemetry.EventsStored.Add(stored);
                if (stored < outcomes.Count) Hosting.Telemetry.EventsDuplicate.Add(outcomes.Count - stored);
                return outcomes;
            }
            catch (Exception e) when (attempt < 3 && DatabaseFaults.IsConflict(e))
            {
                _catalog.Forget(storeId);
                LogRetry(log, e, attempt);
            }
            catch (Exception e) when (attempt < TransientAttempts && DatabaseFaults.IsTransient(e))
            {
                // The database went away (a restart, a failover, a dropped connection): at once on a new connection,
                // then 0.1, 0.2, 0.4, 0.8 s apart (1.5 s of pauses, plus each attempt's connection timeout). The requests wait; none is answered before its commit.
                _catalog.Forget(storeId);
                LogUnavailable(log, e, attempt);
                if (attempt > 1) await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt - 2)), TimeProvider.System);
            }
            catch (Exception e)
            {
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.Message);
                _catalog.Forget(storeId);
                throw;
            }
        }
    }

    /// <summary>Attempts of a commit while the database is unreachable.</summary>
    private const int TransientAttempts = 6;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Requests} requests failed; writing them one by one")]
    private static partial void LogBatchFailed(ILogger logger, Exception e, int requests);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing events of store {StoreId} failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception e, long storeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unreachable (attempt {Attempt}); retrying")]
    private static partial void LogUnavailable(ILogger logger, Exception e, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Concurrent write conflict, attempt {Attempt}; retrying")]
    private static partial void LogRetry(ILogger logger, Exception e, int attempt);
}
