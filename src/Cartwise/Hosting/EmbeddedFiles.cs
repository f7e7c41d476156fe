using System.Collections.Concurrent;

namespace Cartwise.Hosting;

/// <summary>Files built into the executable (stylesheets, scripts), read once and kept: the one executable needs no wwwroot.</summary>
public static class EmbeddedFiles
{
    private static readonly ConcurrentDictionary<string, byte[]> Files = new();

    /// <summary>The bytes of an embedded resource by its logical name (see the project file).</summary>
    public static byte[] Bytes(string name) => Files.GetOrAdd(name, n =>
    {
        using var stream = typeof(EmbeddedFiles).Assembly.GetManifestResourceStream(n) ?? throw new InvalidOperationException($"No embedded file '{n}'.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    /// <summary>An embedded file served with a content type.</summary>
    public static IResult Serve(string name, string contentType) => Results.Bytes(Bytes(name), contentType);
}
