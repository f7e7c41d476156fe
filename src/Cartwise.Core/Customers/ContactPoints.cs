using System.Collections.Frozen;

namespace Cartwise.Core.Customers;

/// <summary>Normalises the contact points profiles are matched by. Pure and thread-safe.</summary>
public static class ContactPoints
{
    /// <summary>Trims and lower-cases an email address; null when it is not a plausible address.</summary>
    public static string? NormalizeEmail(string raw)
    {
        var email = raw.Trim().ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || email.Length > 254) return null;
        var domain = email.AsSpan(at + 1);
        if (domain.Length < 3 || !domain.Contains('.') || domain[0] == '.' || domain[^1] == '.' || domain.Contains("..", StringComparison.Ordinal))
            return null;
        foreach (var c in email)
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or ';' or '<' or '>' or '(' or ')' or '[' or ']' or '"' or '\\')
                return null;
        return email;
    }

    // Country calling codes for the default-country rule, for the markets Cartwise's users sell in most.
    private static readonly FrozenDictionary<string, string> CallingCodes = new Dictionary<string, string>
    {
        ["PL"] = "48", ["RO"] = "40", ["PT"] = "351", ["BR"] = "55", ["GB"] = "44", ["IE"] = "353", ["DE"] = "49",
        ["AT"] = "43", ["CH"] = "41", ["FR"] = "33", ["BE"] = "32", ["NL"] = "31", ["LU"] = "352", ["ES"] = "34",
        ["IT"] = "39", ["CZ"] = "420", ["SK"] = "421", ["HU"] = "36", ["BG"] = "359", ["GR"] = "30", ["HR"] = "385",
        ["SI"] = "386", ["LT"] = "370", ["LV"] = "371", ["EE"] = "372", ["FI"] = "358", ["SE"] = "46", ["NO"] = "47",
        ["DK"] = "45", ["UA"] = "380", ["MD"] = "373", ["US"] = "1", ["CA"] = "1", ["MX"] = "52", ["AR"] = "54",
        ["AU"] = "61", ["NZ"] = "64", ["JP"] = "81", ["IN"] = "91", ["ZA"] = "27", ["TR"] = "90", ["IL"] = "972",
        ["AE"] = "971", ["SG"] = "65", ["HK"] = "852", ["CN"] = "86", ["KR"] = "82", ["CY"] = "357", ["MT"] = "356",
        ["IS"] = "354",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a default country for phone numbers is one Cartwise knows the calling code of.</summary>
    public static bool IsKnownCountry(string country) => CallingCodes.ContainsKey(country);

    /// <summary>
    /// Normalises a phone number to E.164. Numbers written with <c>+</c> or <c>00</c> keep their country; others are
    /// read as national numbers of <paramref name="defaultCountry"/> (a leading trunk 0 dropped). Null when the result
    /// is not 8 to 15 digits or the number holds letters.
    /// </summary>
    public static string? NormalizePhone(string raw, string? defaultCountry)
    {
        Span<char> digits = stackalloc char[32];
        var n = 0;
        var s = raw.Trim();
        var international = false;
        var i = 0;
        if (s.StartsWith('+')) { international = true; i = 1; }
        else if (s.StartsWith("00", StringComparison.Ordinal)) { international = true; i = 2; }
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                if (n == digits.Length) return null;
                digits[n++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/')) return null;
        }
        var number = new string(digits[..n]);
        if (!international)
        {
            if (defaultCountry is null || !CallingCodes.TryGetValue(defaultCountry, out var code)) return null;
            number = code + (number.StartsWith('0') && code != "39" ? number[1..] : number);
        }
        return number.Length is >= 8 and <= 15 && number[0] != '0' ? "+" + number : null;
    }
}
