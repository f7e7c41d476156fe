using System.Xml;

namespace Cartwise.Core.Catalog;

/// <summary>The raw fields of one feed item and the line it starts on.</summary>
public sealed record RawFeedRecord(IReadOnlyDictionary<string, string> Fields, long Line);

/// <summary>
/// Streams the items of a Google Merchant Center XML feed, RSS 2.0 (<c>channel/item</c>) or Atom (<c>feed/entry</c>),
/// with attributes in the <c>g:</c> namespace (plain RSS/Atom title, link, description, summary and id serve when the
/// <c>g:</c> one is absent). Reads forward only, so memory does not grow with the feed. Malformed XML throws
/// <see cref="XmlException"/> with its line and position.
/// </summary>
public static class MerchantXmlFeed
{
    /// <summary>The namespace of Merchant Center attributes (<c>g:</c>).</summary>
    public const string GoogleNamespace = "http://base.google.com/ns/1.0";
    private const string AtomNamespace = "http://www.w3.org/2005/Atom";

    /// <summary>Safe reader settings: no DTDs, no external resolution.</summary>
    public static XmlReaderSettings Settings { get; } = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        Async = false,
    };

    /// <summary>Yields each item's fields as it is read.</summary>
    public static IEnumerable<RawFeedRecord> Read(XmlReader reader)
    {
        var info = (IXmlLineInfo)reader;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName is not ("item" or "entry")) continue;
            var line = info.LineNumber;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            var plain = new Dictionary<string, string>(StringComparer.Ordinal);
            if (reader.IsEmptyElement)
            {
                yield return new RawFeedRecord(fields, line);
                continue;
            }
            var depth = reader.Depth;
            while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth + 1) continue;
                var name = reader.LocalName;
                var google = reader.NamespaceURI == GoogleNamespace;
                string value;
                if (!google && name == "link" && reader.NamespaceURI == AtomNamespace && reader.GetAttribute("href") is { } href)
                {
                    value = href;
                    if (!reader.IsEmptyElement) reader.Skip();
                }
                else value = reader.IsEmptyElement ? "" : ReadText(reader);
                if (google) fields[name] = value;
                else plain.TryAdd(name == "summary" ? "description" : name, value);
            }
            // g: attributes win; plain RSS/Atom elements fill what is missing.
            foreach (var (name, value) in plain)
                if (name is "id" or "title" or "link" or "description") fields.TryAdd(name, value);
            yield return new RawFeedRecord(fields, line);
        }
    }

    /// <summary>
    /// The longest text kept of one element: above every Merchant Center field limit (so a longer field is still
    /// rejected by <see cref="FeedItemReader"/>, by its length), far below what would hurt memory.
    /// </summary>
    public static readonly int MaxFieldChars = FeedItemReader.MaxFieldLength + 1;

    /// <summary>
    /// The element's text content (nested markup flattened), leaving the reader on its end tag. Text is read in chunks
    /// and kept only up to <see cref="MaxFieldChars"/>: a decompressed feed can hold a field of hundreds of megabytes.
    /// </summary>
    private static string ReadText(XmlReader reader)
    {
        var depth = reader.Depth;
        var text = new System.Text.StringBuilder();
        var chunk = new char[4096];
        while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType is not (XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace)) continue;
            int n;
            while ((n = reader.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
                if (text.Length < MaxFieldChars) text.Append(chunk, 0, Math.Min(n, MaxFieldChars - text.Length));
        }
        return text.ToString();
    }
}
