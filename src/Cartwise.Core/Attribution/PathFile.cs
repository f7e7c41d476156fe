using System.Globalization;

namespace Cartwise.Core.Attribution;

/// <summary>A line of a path file that could not be read: its number (1 = the header) and why.</summary>
public sealed record PathFileProblem(int Line, string Error);

/// <summary>
/// Path files in the format of the ChannelAttribution package: a header naming <c>path</c>,
/// <c>total_conversions</c> and optionally <c>total_conversion_value</c> and <c>total_null</c> (any order), then one
/// path per line, its channels joined by <c>&gt;</c>. Fields may be quoted.
/// </summary>
public static class PathFile
{
    /// <summary>The header names the package writes.</summary>
    public const string PathColumn = "path";
    /// <summary>Conversions of the path.</summary>
    public const string ConversionsColumn = "total_conversions";
    /// <summary>Their value (optional).</summary>
    public const string ValueColumn = "total_conversion_value";
    /// <summary>Occurrences without a conversion (optional).</summary>
    public const string NullsColumn = "total_null";

    /// <summary>The paths of <paramref name="reader"/>; a bad line is reported and left out, a bad header stops the read.</summary>
    public static (IReadOnlyList<ConversionPath> Paths, IReadOnlyList<PathFileProblem> Problems) Read(TextReader reader, char separator)
    {
        var paths = new List<ConversionPath>();
        var problems = new List<PathFileProblem>();
        var header = reader.ReadLine();
        if (header is null) return (paths, [new(1, "The file is empty.")]);
        var names = CsvLine.Split(header.TrimStart('\uFEFF'), separator).Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(string name) => names.IndexOf(name);
        var (path, conv, value, nulls) = (Column(PathColumn), Column(ConversionsColumn), Column(ValueColumn), Column(NullsColumn));
        if (path < 0 || conv < 0)
            return (paths, [new(1, $"The header must name '{PathColumn}' and '{ConversionsColumn}' (separated by '{separator}'); it has: {string.Join(", ", names)}.")]);
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0) continue;
            var fields = CsvLine.Split(line, separator);
            if (fields.Count != names.Count)
            {
                problems.Add(new(lineNo, $"Has {fields.Count} fields; the header has {names.Count}."));
                continue;
            }
            var channels = fields[path].Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (channels.Length == 0)
            {
                problems.Add(new(lineNo, "The path is empty."));
                continue;
            }
            if (!Number(fields[conv], out var c) || (value >= 0 && !Number(fields[value], out _)) || (nulls >= 0 && !Number(fields[nulls], out _)))
            {
                problems.Add(new(lineNo, "A total is not a number of zero or more."));
                continue;
            }
            Number(value >= 0 ? fields[value] : "0", out var v);
            Number(nulls >= 0 ? fields[nulls] : "0", out var n);
            paths.Add(new ConversionPath(channels, (double)c, v, (double)n));
        }
        return (paths, problems);
    }

    private static bool Number(string text, out decimal value) =>
        decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= 0;
}
