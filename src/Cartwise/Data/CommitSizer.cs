using System.Diagnostics;

namespace Cartwise.Data;

/// <summary>
/// Sizes the commits of an import so that each holds the database for about its target (<see cref="Target"/>). On SQLite every
/// other writer — the tracking API's among them — waits for the commit in progress, and a fixed number of rows takes
/// longer on a slower disk, with wider rows or with more indexes; so the size follows what the last commits took.
/// Not thread-safe; one per import.
/// </summary>
/// <param name="initial">Rows in the first commit.</param>
/// <param name="target">What a commit should take; <see cref="Target"/> unless the importer knows it blocks nobody for that long.</param>
public sealed class CommitSizer(int initial, int min = 100, int max = 50_000, TimeSpan? target = null)
{
    /// <summary>What one commit may hold the writer for: a tracking request behind it waits this long, plus its own work.</summary>
    public static readonly TimeSpan Target = TimeSpan.FromMilliseconds(40);

    /// <summary>
    /// What a commit of an order import takes on PostgreSQL. Tracking there waits only for the store's event lock,
    /// which the import holds from appending its events to its commit (a tenth of the chunk); each commit costs a dozen
    /// round trips, which at 40 ms a commit were a third of the import's time.
    /// </summary>
    public static readonly TimeSpan PostgresOrderTarget = TimeSpan.FromMilliseconds(250);

    private readonly TimeSpan _target = target ?? Target;

    private long _started;

    /// <summary>Rows to put in the next commit.</summary>
    public int Size { get; private set; } = initial;

    /// <summary>A commit begins (call before the transaction starts).</summary>
    public void Starting() => _started = Stopwatch.GetTimestamp();

    /// <summary>A commit of <paramref name="rows"/> ended: the next size moves halfway to what would have taken the target.</summary>
    public void Committed(int rows)
    {
        var took = Stopwatch.GetElapsedTime(_started);
        // A short last chunk says little about the rate.
        if (rows < Size / 2 || took <= TimeSpan.Zero) return;
        var ideal = rows * (_target / took);
        Size = (int)Math.Clamp((Size + ideal) / 2, min, max);
    }
}
