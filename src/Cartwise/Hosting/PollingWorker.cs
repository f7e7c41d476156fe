namespace Cartwise.Hosting;

/// <summary>
/// A worker that looks for due work every <paramref name="interval"/> on the injected clock (the database is the
/// queue: there are no in-memory timers to lose). A failed pass is logged and the next one runs as usual.
/// </summary>
internal abstract partial class PollingWorker(TimeProvider clock, TimeSpan interval, ILogger log) : BackgroundService
{
    /// <summary>The clock every decision of the worker reads.</summary>
    protected TimeProvider Clock { get; } = clock;

    /// <summary>One pass over whatever is due.</summary>
    internal abstract Task PassAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e, GetType().Name);
            }
            try
            {
                await Task.Delay(interval, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Worker} pass failed")]
    private static partial void LogFailed(ILogger logger, Exception e, string worker);
}
