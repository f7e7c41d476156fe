using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace Cartwise.Data;

/// <summary>
/// Writes rows in PostgreSQL's binary <c>COPY</c> format (header, rows of length-prefixed big-endian fields, trailer)
/// into a raw copy stream, encoding each value itself: bigint, integer, boolean, text, numeric, timestamptz and
/// double precision, chosen by the value's CLR type as <see cref="RowWriter"/> maps them. Npgsql's binary importer
/// resolves a converter and runs a generic writer per value, which made the client, not the server, the bound of a
/// <c>COPY</c>. Not thread-safe.
/// </summary>
internal sealed class PostgresCopyWriter
{
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // 2000-01-01T00:00:00Z, PostgreSQL's epoch, in .NET ticks.
    private const long EpochTicks = 630_822_816_000_000_000;
    private const int FlushAt = 60 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    private PostgresCopyWriter(Stream stream) => _stream = stream;

    /// <summary>Sends <paramref name="rows"/> (each optionally led by <paramref name="leading"/>[i]) through <c>COPY table (columns) FROM STDIN (FORMAT BINARY)</c>.</summary>
    public static async Task CopyAsync(NpgsqlConnection connection, string table, string columnList, int columns, IReadOnlyList<object?[]> rows, long[]? leading, CancellationToken ct)
    {
        var raw = await connection.BeginRawBinaryCopyAsync($"COPY \"{table}\" ({columnList}) FROM STDIN (FORMAT BINARY)", ct);
        try
        {
            var writer = new PostgresCopyWriter(raw);
            writer.Bytes(Header);
            var fields = (short)columns;
            for (var r = 0; r < rows.Count; r++)
            {
                writer.Int16(fields);
                if (leading is not null) writer.Value(leading[r]);
                foreach (var value in rows[r]) writer.Value(value);
                if (writer._length >= FlushAt) await writer.FlushAsync(ct);
            }
            writer.Int16(-1);
            await writer.FlushAsync(ct);
        }
        catch
        {
            // Disposing would end the COPY with what was sent so far; cancelling makes the server discard it.
            await raw.CancelAsync();
            await raw.DisposeAsync();
            throw;
        }
        await raw.DisposeAsync();
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        await _stream.WriteAsync(_buffer.AsMemory(0, _length), ct);
        _length = 0;
    }

    /// <summary>One field: its length, then its bytes (-1 and nothing for null).</summary>
    private void Value(object? value)
    {
        switch (value)
        {
            case null: Int32(-1); break;
            case long v: Int32(8); Int64(v); break;
            case int v: Int32(4); Int32(v); break;
            case bool v: Int32(1); Ensure(1); _buffer[_length++] = v ? (byte)1 : (byte)0; break;
            case string v: Text(v); break;
            case decimal v: Numeric(v); break;
            case DateTimeOffset v: Int32(8); Int64(Timestamp(v)); break;
            case double v: Int32(8); Int64(BitConverter.DoubleToInt64Bits(v)); break;
            default: throw new NotSupportedException($"RowWriter cannot copy {value.GetType().Name}.");
        }
    }

    /// <summary>Microseconds since 2000-01-01 UTC; the largest and smallest values stand for PostgreSQL's infinities.</summary>
    internal static long Timestamp(DateTimeOffset value) =>
        value == DateTimeOffset.MaxValue ? long.MaxValue
        : value == DateTimeOffset.MinValue ? long.MinValue
        : (value.UtcTicks - EpochTicks) / 10;

    private void Text(string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Ensure(4 + max);
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), written);
        _length += 4 + written;
    }

    /// <summary>
    /// numeric: digit count, weight (the power of 10,000 of the first digit), sign, display scale, then base-10,000
    /// digits. The decimal's scale is kept as the display scale, so 2.50 stays 2.50.
    /// </summary>
    private void Numeric(decimal value)
    {
        Span<short> digits = stackalloc short[10];
        var (count, weight, negative, scale) = NumericDigits(value, digits);
        Int32(8 + 2 * count);
        Int16((short)count);
        Int16((short)weight);
        Int16(negative ? (short)0x4000 : (short)0);
        Int16((short)scale);
        for (var i = 0; i < count; i++) Int16(digits[i]);
    }

    /// <summary>A decimal's base-10,000 digits (most significant first, no leading or trailing zero digits) and weight.</summary>
    internal static (int Count, int Weight, bool Negative, int Scale) NumericDigits(decimal value, Span<short> digits)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == 0) return (0, 0, false, scale);
        // Align the decimal point with a digit boundary: the fraction padded to a multiple of four decimal places.
        var pad = (4 - scale % 4) % 4;
        for (var i = 0; i < pad; i++) mantissa *= 10;
        var fractionDigits = (scale + pad) / 4;
        // Base-10,000 digits, least significant first (at most 10: 10^31 · 2^96 < 10,000^10 · 10^0).
        Span<short> reversed = stackalloc short[10];
        var n = 0;
        while (mantissa != 0)
        {
            reversed[n++] = (short)(ushort)(mantissa % 10_000);
            mantissa /= 10_000;
        }
        var low = 0;
        while (reversed[low] == 0) low++; // trailing zero digits carry nothing
        var count = n - low;
        for (var i = 0; i < count; i++) digits[i] = reversed[n - 1 - i];
        return (count, n - 1 - fractionDigits, bits[3] < 0, scale);
    }

    private void Int16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    private void Int32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Int64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Room for <paramref name="bytes"/> more: a row is flushed between rows, so only a long value grows the buffer.</summary>
    private void Ensure(int bytes)
    {
        if (_length + bytes <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
    }
}
