using System.Globalization;

namespace Cartwise.Core;

/// <summary>How an amount is written to a shopper (messages, widgets): the language's digits, then the currency code.</summary>
public static class Prices
{
    /// <summary>1,234.56 EUR (en) or 1 234,56 PLN (pl): two decimals, a no-break space before the code.</summary>
    public static string Format(decimal value, string? currency, CultureInfo culture) =>
        value.ToString("N2", culture) + (currency is null ? "" : "\u00a0" + currency);

    /// <summary>The culture of a language tag (pl, pl-PL, en-GB); an unknown or empty tag: the invariant one (1,234.56).</summary>
    public static CultureInfo Culture(string? language)
    {
        if (string.IsNullOrWhiteSpace(language)) return CultureInfo.InvariantCulture;
        try { return CultureInfo.GetCultureInfo(language.Trim()); }
        catch (CultureNotFoundException) { return CultureInfo.InvariantCulture; }
    }
}
