using Cartwise.Stores;

namespace Cartwise.Catalog;

/// <summary>One import of a product feed: what was read and what changed. Recorded even when the run failed.</summary>
public sealed class FeedRun : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>File name, upload, or URL.</summary>
    public required string Source { get; set; }
    /// <summary>xml or csv.</summary>
    public required string Format { get; set; }
    /// <summary>A full feed marks products it does not list unavailable.</summary>
    public bool Full { get; set; }
    /// <summary>running, succeeded, failed, or not-modified (a scheduled fetch the server answered with 304).</summary>
    public required string Status { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The run's last commit (its start, a chunk of products, its end): a running run that stopped moving was interrupted.</summary>
    public DateTimeOffset? UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Items in the feed, known once it was read through (before anything is written).</summary>
    public int? ItemsTotal { get; set; }
    /// <summary>Items read, up to the last committed chunk while the run goes on.</summary>
    public int ItemsRead { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int MadeUnavailable { get; set; }
    public int Rejected { get; set; }
    /// <summary>Why the run failed (malformed XML with line and column, unreachable URL…).</summary>
    public string? Error { get; set; }
    /// <summary>The first rejected items as JSON: [{itemId, line, field, reason}].</summary>
    public string? Rejections { get; set; }
}

/// <summary>A store's feed URL fetched on a schedule. The database is the queue: a worker picks rows whose time has come.</summary>
public sealed class FeedSchedule : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Url { get; set; }
    public string? Format { get; set; }
    public int IntervalMinutes { get; set; }
    public DateTimeOffset NextRunAt { get; set; }
    /// <summary>Validators of the last good fetch, for a conditional GET.</summary>
    public string? ETag { get; set; }
    public string? LastModified { get; set; }
    public long? LastRunId { get; set; }
    /// <summary>Set while a worker fetches it, so two nodes do not.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
}
