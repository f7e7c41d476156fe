namespace Cartwise.Core.Messages;

/// <summary>
/// Bounds a Liquid template before the parser sees it. The parser and the renderer recurse once per nested
/// parenthesis, block tag and operator of one tag (<c>a and a and a…</c> is a tree as deep as its operators), so an
/// input of a few kilobytes could otherwise overflow the stack and end the process, which no handler can catch.
/// The scan is one pass without recursion; its limits are far above what a message needs. Thread-safe (stateless).
/// </summary>
public static class LiquidGuard
{
    /// <summary>Characters of one template (a subject, a text block…).</summary>
    public const int MaxLength = 20_000;

    /// <summary>Nested parentheses or brackets inside one tag.</summary>
    public const int MaxParentheses = 8;

    /// <summary>Block tags open at once (<c>if</c> inside <c>for</c> inside <c>if</c>…).</summary>
    public const int MaxBlockDepth = 16;

    /// <summary>Operators and filters in one tag (<c>and</c>, <c>or</c>, comparisons, <c>|</c>).</summary>
    public const int MaxOperators = 32;

    private static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal)
    {
        "if", "unless", "for", "case", "capture", "tablerow", "comment", "raw", "with",
    };

    private static readonly HashSet<string> WordOperators = new(StringComparer.Ordinal) { "and", "or", "contains" };

    /// <summary>Why <paramref name="source"/> is refused before parsing, or null when it is within the bounds.</summary>
    public static string? Check(string source)
    {
        if (source.Length > MaxLength) return $"template too long: {source.Length:N0} characters, at most {MaxLength:N0}";
        var depth = 0;
        var i = 0;
        while (i < source.Length - 1)
        {
            if (source[i] != '{' || (source[i + 1] != '{' && source[i + 1] != '%')) { i++; continue; }
            var isTag = source[i + 1] == '%';
            var close = isTag ? "%}" : "}}";
            var end = source.IndexOf(close, i + 2, StringComparison.Ordinal);
            var body = source.AsSpan(i + 2, (end < 0 ? source.Length : end) - i - 2);
            var at = Position(source, i);
            if (Tag(body) is { } error) return $"{error} at {at}";
            if (isTag)
            {
                var name = FirstWord(body);
                if (BlockTags.Contains(name) && ++depth > MaxBlockDepth)
                    return $"blocks nested more than {MaxBlockDepth} deep at {at}";
                if (name.StartsWith("end", StringComparison.Ordinal) && BlockTags.Contains(name[3..]) && depth > 0) depth--;
            }
            if (end < 0) break;
            i = end + 2;
        }
        return null;
    }

    private static string? Tag(ReadOnlySpan<char> body)
    {
        int parens = 0, operators = 0;
        var inString = '\0';
        for (var j = 0; j < body.Length; j++)
        {
            var c = body[j];
            if (inString != '\0') { if (c == inString) inString = '\0'; continue; }
            switch (c)
            {
                case '"' or '\'': inString = c; break;
                case '(' or '[':
                    if (++parens > MaxParentheses) return $"parentheses nested more than {MaxParentheses} deep";
                    break;
                case ')' or ']': if (parens > 0) parens--; break;
                case '|' or '<' or '>':
                    if (++operators > MaxOperators) return $"more than {MaxOperators} operators or filters in one tag";
                    break;
                case '=' or '!' when j + 1 < body.Length && body[j + 1] == '=':
                    j++;
                    if (++operators > MaxOperators) return $"more than {MaxOperators} operators or filters in one tag";
                    break;
                default:
                    if (char.IsAsciiLetter(c) && (j == 0 || !IsWordChar(body[j - 1])))
                    {
                        var k = j;
                        while (k < body.Length && IsWordChar(body[k])) k++;
                        if (WordOperators.Contains(body[j..k].ToString()) && ++operators > MaxOperators)
                            return $"more than {MaxOperators} operators or filters in one tag";
                        j = k - 1;
                    }
                    break;
            }
        }
        return null;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-';

    private static string FirstWord(ReadOnlySpan<char> body)
    {
        body = body.TrimStart('-').TrimStart();
        var k = 0;
        while (k < body.Length && char.IsAsciiLetter(body[k])) k++;
        return body[..k].ToString();
    }

    private static string Position(string source, int index)
    {
        int line = 1, column = 1;
        for (var i = 0; i < index; i++)
        {
            if (source[i] == '\n') { line++; column = 1; }
            else column++;
        }
        return $"line {line}, column {column}";
    }
}
