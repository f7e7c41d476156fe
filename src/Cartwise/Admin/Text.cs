namespace Cartwise.Admin;

/// <summary>
/// The admin app's interface text: <c>T["English text"]</c> in a page looks the text up in <c>Text.{culture}.resx</c>
/// (Polish is shipped; English is the text itself). The language is the user's choice (a cookie), first taken from
/// the browser's <c>Accept-Language</c>.
/// </summary>
public sealed class Text
{
    public static readonly string[] Cultures = ["en", "pl"];

    /// <summary>The language names the switcher shows, each in its own language.</summary>
    public static readonly IReadOnlyDictionary<string, string> CultureNames = new Dictionary<string, string> { ["en"] = "English", ["pl"] = "Polski" };
}
