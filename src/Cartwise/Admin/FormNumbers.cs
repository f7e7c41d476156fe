using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Cartwise.Admin;

/// <summary>
/// Numbers typed into the admin app's forms: a whole number or an amount (a comma taken for the decimal point), or
/// the field's message in <c>errors</c> under its path when the text is not one. An empty field is null.
/// </summary>
public static class FormNumbers
{
    public static int? WholeNumber(string? text, string path, IDictionary<string, string> errors, IStringLocalizer t)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        errors.TryAdd(path, string.Format(CultureInfo.CurrentCulture, t["'{0}' is not a whole number."], text));
        return null;
    }

    public static decimal? Amount(string? text, string path, IDictionary<string, string> errors, IStringLocalizer t)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (decimal.TryParse(text.Trim().Replace(',', '.'), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        errors.TryAdd(path, string.Format(CultureInfo.CurrentCulture, t["'{0}' is not an amount."], text));
        return null;
    }
}
