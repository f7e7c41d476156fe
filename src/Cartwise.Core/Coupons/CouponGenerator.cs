using System.Security.Cryptography;

namespace Cartwise.Core.Coupons;

/// <summary>
/// How generated codes look: <see cref="Pattern"/> with each <c>#</c> replaced by a random character of
/// <see cref="Alphabet"/> (e.g. <c>THANKS-####-####</c>); an empty pattern means <see cref="Length"/> random characters.
/// </summary>
public sealed record CouponPattern(string? Pattern = null, int Length = 10, string Alphabet = CouponPattern.Unambiguous)
{
    /// <summary>Upper-case letters and digits without 0/O, 1/I/L: easy to read and to type.</summary>
    public const string Unambiguous = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    /// <summary>The template the generator fills.</summary>
    public string Template => string.IsNullOrEmpty(Pattern) ? new string('#', Length) : Pattern;

    /// <summary>How many different codes the pattern can make.</summary>
    public double Space => Math.Pow(Alphabet.Distinct().Count(), Template.Count(c => c == '#'));

    /// <summary>What is wrong with the pattern for <paramref name="count"/> codes, or null.</summary>
    public string? Problem(int count)
    {
        if (Alphabet.Distinct().Count() < 2) return "the alphabet needs at least two different characters";
        var slots = Template.Count(c => c == '#');
        if (slots < 4) return "a code needs at least 4 random characters ('#' in the pattern, or length)";
        if (Template.Length > 64) return "codes are at most 64 characters";
        // Codes must stay hard to guess: at most one in a thousand of the possible codes is handed out.
        if (Space < count * 1000d) return $"the pattern allows {Space:G3} codes; {count} codes need at least {count * 1000d:G3} so that codes stay hard to guess";
        return null;
    }
}

/// <summary>Generates unique random coupon codes. Thread-safe.</summary>
public static class CouponGenerator
{
    /// <summary>
    /// <paramref name="count"/> distinct codes of <paramref name="pattern"/>, none of them in <paramref name="taken"/>.
    /// Characters come from a cryptographic generator, so a code cannot be guessed from another.
    /// </summary>
    public static IReadOnlyList<string> Generate(CouponPattern pattern, int count, IReadOnlySet<string> taken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (pattern.Problem(count) is { } problem) throw new ArgumentException(problem, nameof(pattern));
        var template = pattern.Template;
        var alphabet = new string(pattern.Alphabet.Distinct().ToArray());
        var codes = new HashSet<string>(count, StringComparer.Ordinal);
        var buffer = new char[template.Length];
        while (codes.Count < count)
        {
            for (var i = 0; i < template.Length; i++)
                buffer[i] = template[i] == '#' ? alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)] : template[i];
            var code = new string(buffer);
            if (!taken.Contains(code)) codes.Add(code);
        }
        return [.. codes];
    }
}
