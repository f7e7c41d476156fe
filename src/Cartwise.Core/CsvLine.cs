namespace Cartwise.Core;

/// <summary>Lines of small CSV files read without a CSV reader (path files, benchmark data).</summary>
public static class CsvLine
{
    /// <summary>A line's fields, quotes as RFC 4180 writes them (a doubled quote inside a quoted field is one quote).</summary>
    public static List<string> Split(string line, char separator = ',')
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == separator) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
