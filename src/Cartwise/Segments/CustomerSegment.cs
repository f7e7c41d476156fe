using Cartwise.Stores;

namespace Cartwise.Segments;

/// <summary>A customer's latest RFM scores and segment (one row per scored customer).</summary>
public sealed class CustomerSegment : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long CustomerId { get; set; }
    public int R { get; set; }
    public int F { get; set; }
    public int M { get; set; }
    public int RecencyDays { get; set; }
    public int Orders { get; set; }
    public decimal Monetary { get; set; }
    /// <summary>The segment's key (<see cref="Core.Segments.Rfm.Segments"/>).</summary>
    public required string Segment { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
}

/// <summary>
/// A customer moved between segments at a recomputation: <see cref="From"/> null on a first score, <see cref="To"/>
/// null when they left the window (no order in it any more).
/// </summary>
public sealed class SegmentMove : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long CustomerId { get; set; }
    public string? From { get; set; }
    public string? To { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// A store's segment settings and when its scores are recomputed next (the worker takes due rows, as with feeds).
/// <see cref="Names"/> holds the store's own names of segments (JSON object, key → name).
/// </summary>
public sealed class SegmentSchedule : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public int WindowDays { get; set; } = Core.Segments.Rfm.DefaultWindowDays;
    public int IntervalHours { get; set; } = 24;
    public string? Names { get; set; }
    public DateTimeOffset NextRunAt { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public int LastScored { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
}
