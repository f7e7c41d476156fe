using Cartwise.Stores;

namespace Cartwise.Recommendations;

/// <summary>
/// One build of a store's recommendation model: its figures, and the model itself (gzip JSON, see
/// <see cref="ModelBlob"/>). The newest succeeded run is the store's current model; every node loads it.
/// </summary>
public sealed class MiningRun : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>running, succeeded or failed.</summary>
    public required string Status { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Orders placed since this time only (null: all history).</summary>
    public DateTimeOffset? Since { get; set; }
    public int Baskets { get; set; }
    public int Items { get; set; }
    public int MinSupportCount { get; set; }
    public double MinConfidence { get; set; }
    /// <summary>JSON {size: count}.</summary>
    public string? ItemsetsBySize { get; set; }
    public int Rules { get; set; }
    public int CategoryRules { get; set; }
    public int Pairs { get; set; }
    public string? Error { get; set; }
    public byte[]? Model { get; set; }
}
