using Cartwise.Stores;

namespace Cartwise.Importing;

/// <summary>What an import brings in (a feed has runs of its own: <see cref="Catalog.FeedRun"/>).</summary>
public static class ImportKinds
{
    public const string Orders = "orders";
    public const string Events = "events";
    public const string Coupons = "coupons";

    public static readonly IReadOnlyList<string> All = [Orders, Events, Coupons];
}

/// <summary>
/// One import of orders, events or coupon codes, recorded as it goes: an import commits in chunks, and each chunk's
/// commit moves this row's counts in the same transaction, so what it says was committed was. A run whose process
/// died stays <c>running</c> with an old <see cref="UpdatedAt"/>: it reads as interrupted, and the same file again
/// adds what it had not.
/// </summary>
public sealed class ImportRun : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    /// <summary>One of <see cref="ImportKinds"/>.</summary>
    public required string Kind { get; set; }
    /// <summary>The file's name, or where the rows came from (an upload, the demo).</summary>
    public required string Source { get; set; }
    /// <summary>running, succeeded or failed (<see cref="Data.RunStatus"/>).</summary>
    public required string Status { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The last commit of the run (its start, a chunk, its end).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Rows of the file (lines, codes) read up to the last committed chunk.</summary>
    public long Rows { get; set; }
    /// <summary>Rows in all, when known before the end (codes parsed before they are added).</summary>
    public long? TotalRows { get; set; }
    /// <summary>Bytes of the file read up to the last committed chunk, and its size, when known.</summary>
    public long? Bytes { get; set; }
    public long? TotalBytes { get; set; }

    /// <summary>How far it is, 0–1, by rows when their total is known, else by bytes; null when neither says.</summary>
    public double? Done => Status == Data.RunStatus.Succeeded ? 1
        : TotalRows is > 0 ? Math.Min(1, (double)Rows / TotalRows.Value)
        : TotalBytes is > 0 && Bytes is { } b ? Math.Min(1, (double)b / TotalBytes.Value) : null;
    /// <summary>What the import did, as JSON of named counts (orders created, duplicates…), when it ended.</summary>
    public string? Summary { get; set; }
    public string? Error { get; set; }


}

/// <summary>Where an import reads from, as its run shows it: a name, and how far into the file it is when that can be known.</summary>
/// <param name="Position">Bytes of the file read so far.</param>
/// <param name="Length">The file's size in bytes.</param>
public sealed record ImportSource(string Name, Func<long>? Position = null, long? Length = null);
