using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Cartwise.Core.Mining;

/// <summary>
/// Reads a basket file (one basket a line, items separated by white space or by a given separator: the FIMI and SPMF
/// formats, and CSVs such as Groceries) straight from its UTF-8 bytes: no string per line; an item's name is made
/// into a string the first time it is seen only.
/// </summary>
public static class BasketFile
{
    /// <summary>
    /// The baskets of <paramref name="stream"/> as item ids from <paramref name="names"/>. Items are trimmed of white
    /// space; empty items and empty lines are skipped; an item twice in a line is kept twice (the miner counts it once).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<int[]> Read(Stream stream, string? separator, ItemIds names)
    {
        var baskets = new List<int[]>();
        var items = new List<int>();
        var split = separator is null ? null : Encoding.UTF8.GetBytes(separator);
        if (split is { Length: 0 }) throw new ArgumentException("The separator must not be empty.", nameof(separator));
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int filled = 0, read;
            var first = true;
            do
            {
                if (filled == buffer.Length)
                {
                    // A line longer than the buffer: make room for all of it.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                read = stream.Read(buffer, filled, buffer.Length - filled);
                filled += read;
                var data = buffer.AsSpan(0, filled);
                if (first)
                {
                    // A byte order mark is skipped; its bytes may come in more than one read.
                    if (filled < 3 && read > 0) continue;
                    if (data.StartsWith("\uFEFF"u8)) data = data[3..];
                    first = false;
                }
                int end;
                while ((end = data.IndexOf((byte)'\n')) >= 0 || (read == 0 && data.Length > 0 && (end = data.Length) > 0))
                {
                    ReadLine(data[..end], split, names, items);
                    if (items.Count > 0) baskets.Add([.. items]);
                    data = end < data.Length ? data[(end + 1)..] : [];
                }
                data.CopyTo(buffer);
                filled = data.Length;
            }
            while (read > 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return baskets;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadLine(ReadOnlySpan<byte> line, byte[]? separator, ItemIds names, List<int> items)
    {
        items.Clear();
        while (!line.IsEmpty)
        {
            int at;
            ReadOnlySpan<byte> token;
            if (separator is null)
            {
                at = line.IndexOfAny(" \t\r"u8);
                token = at < 0 ? line : line[..at];
                line = at < 0 ? [] : line[(at + 1)..];
            }
            else
            {
                at = line.IndexOf(separator);
                token = (at < 0 ? line : line[..at]).Trim(" \t\r\v\f"u8);
                line = at < 0 ? [] : line[(at + separator.Length)..];
            }
            if (!token.IsEmpty) items.Add(names.Id(token));
        }
    }
}
