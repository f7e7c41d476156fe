using System.Diagnostics;

namespace Cartwise.Data;

/// <summary>
/// Sizes the commits of an import so that each holds the database for about <see cref="Target"/>. On SQLite every
/// other writer — the tracking API's among them — waits for the commit in progress, and a fixed number of rows takes
/// longer on a slower disk, with wider rows or with more indexes; so the size follows what the last commits took.
/// Not thread-safe; one per import.
/// </summary>
/// <param name="initial">Rows in the first commit.</param>
public sealed class CommitSizer(int initial, int min = 100, int max = 50_000)
{
    /// <summary>What one commit may hold the writer for: a tracking request behind it waits this long, plus its own work.</summary>
    public static readonly TimeSpan Target = TimeSpan.FromMilliseconds(40);

    private long _started;

    /// <summary>Rows to put in the next commit.</summary>
    public int Size { get; private set; } = initial;

    /// <summary>A commit begins (call before the transaction starts).</summary>
    public void Starting() => _started = Stopwatch.GetTimestamp();

    /// <summary>A commit of <paramref name="rows"/> ended: the next size moves halfway to what would have taken <see cref="Target"/>.</summary>
    public void Committed(int rows)
    {
        var took = Stopwatch.GetElapsedTime(_started);
        // A short last chunk says little about the rate.
        if (rows < Size / 2 || took <= TimeSpan.Zero) return;
        var ideal = rows * (Target / took);
        Size = (int)Math.Clamp((Size + ideal) / 2, min, max);
    }
}
