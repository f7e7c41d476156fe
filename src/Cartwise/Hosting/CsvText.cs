using System.Globalization;

namespace Cartwise.Hosting;

/// <summary>Cells of the CSV files Cartwise writes (RFC 4180 quoting; a cell a spreadsheet would run as a formula is defused).</summary>
public static class CsvText
{
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var formula = value[0] is '=' or '@' or '\t' or '\r';
        if (!formula && value.IndexOfAny([',', '"', '\n', '\r']) < 0) return value;
        return "\"" + (formula ? "'" : "") + value.Replace("\"", "\"\"") + "\"";
    }

    public static string Cell(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One line of cells, already formatted with <see cref="Cell(string?)"/>.</summary>
    public static string Line(params IEnumerable<string> cells) => string.Join(',', cells);
}
