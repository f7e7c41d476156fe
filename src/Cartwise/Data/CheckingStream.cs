namespace Cartwise.Data;

/// <summary>
/// A read-only pass-through over another stream that shows each chunk read to <see cref="Check"/>, which may throw
/// to stop the read (an encoding check, a size limit). Disposing it disposes the inner stream. Not thread-safe.
/// </summary>
public abstract class CheckingStream(Stream inner) : ForwardStream(inner)
{
    /// <summary>Sees the bytes just read (empty at the end of the stream); returns their count.</summary>
    protected abstract int Check(ReadOnlySpan<byte> bytes);

    public override int Read(Span<byte> buffer) => Check(buffer[..Inner.Read(buffer)]);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await Inner.ReadAsync(buffer, cancellationToken);
        return Check(buffer.Span[..n]);
    }
}
