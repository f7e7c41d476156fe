namespace Cartwise.Data;

/// <summary>
/// Reads some bytes already taken from a stream, then the rest of that stream: a look at a stream's start (which
/// format is it?) that works on streams that cannot seek (gzip, HTTP bodies).
/// </summary>
public sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : ForwardStream(inner)
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty) return Inner.Read(buffer);
        var n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _prefix.IsEmpty ? Inner.ReadAsync(buffer, cancellationToken) : ValueTask.FromResult(Read(buffer.Span));
}
