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

/// <summary>
/// The words the pages show for stored states and kinds (each then goes through <c>T[…]</c>): one place, so that a
/// state reads the same on every page and no label differs from another only by case (resource names ignore case).
/// </summary>
public static class Labels
{
    private static readonly Dictionary<string, string> Words = new()
    {
        [Data.RunStatus.Running] = "Running", [Data.RunStatus.Succeeded] = "Succeeded", [Data.RunStatus.Failed] = "Failed", [Data.RunStatus.NotModified] = "Not modified",
        [Data.RunStatus.Interrupted] = "Interrupted",
        [Importing.ImportKinds.Orders] = "Orders", [Importing.ImportKinds.Events] = "Events", [Importing.ImportKinds.Coupons] = "Coupon codes",
        [Messages.OutboxStatus.Pending] = "Pending", [Messages.OutboxStatus.Claimed] = "Claimed", [Messages.OutboxStatus.Sending] = "Sending",
        [Messages.OutboxStatus.Sent] = "Sent", [Messages.OutboxStatus.Skipped] = "Skipped",
        [Customers.TimelineKinds.Event] = "Event", [Customers.TimelineKinds.Decision] = "Decision", [Customers.TimelineKinds.Message] = "Message",
        [Customers.TimelineKinds.Coupon] = "Coupon", [Customers.TimelineKinds.Open] = "Opened", [Customers.TimelineKinds.Click] = "Clicked",
        [Customers.TimelineKinds.Unsubscribe] = "Unsubscribed", [Customers.TimelineKinds.Consent] = "Consent",
        ["lift"] = "Lift", ["confidence"] = "Confidence", ["support"] = "Support",
        [Core.Attribution.AttributionModels.Last] = "Last click", [Core.Attribution.AttributionModels.First] = "First click",
        [Core.Attribution.AttributionModels.Linear] = "Linear", [Core.Attribution.AttributionModels.TimeDecay] = "Time decay",
        [Core.Attribution.AttributionModels.Position] = "Position-based (40/20/40)", [Core.Attribution.AttributionModels.Markov] = "Data-driven (Markov)",
    };

    /// <summary>Every word, for the check that each has its translations.</summary>
    public static IEnumerable<string> All => Words.Values;

    /// <summary>The English word for a stored value (the value itself when none is defined).</summary>
    public static string For(string value) => Words.GetValueOrDefault(value, value);
}
