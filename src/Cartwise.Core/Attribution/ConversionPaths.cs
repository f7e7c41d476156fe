namespace Cartwise.Core.Attribution;

/// <summary>The kinds of touch, each with its own lookback window.</summary>
public static class TouchKinds
{
    /// <summary>A visit (a session's first event), its channel from utm tags, the referrer, or direct.</summary>
    public const string Visit = "visit";
    /// <summary>A click in a sent message.</summary>
    public const string Click = "click";
    /// <summary>An open of a sent message.</summary>
    public const string Open = "open";
}

/// <summary>A person met the shop through <paramref name="Channel"/> at <paramref name="At"/>.</summary>
public readonly record struct TouchPoint(long Person, DateTimeOffset At, string Channel, string Kind);

/// <summary>A person's purchase.</summary>
public readonly record struct Conversion(long Person, DateTimeOffset At, decimal Value);

/// <summary>How long before a purchase (or the end of the range) each kind of touch still counts.</summary>
public sealed record LookbackWindows(TimeSpan Visit, TimeSpan Click, TimeSpan Open)
{
    /// <summary>28 days for visits and clicks, 1 day for opens (seed 002).</summary>
    public static LookbackWindows Default { get; } = new(TimeSpan.FromDays(28), TimeSpan.FromDays(28), TimeSpan.FromDays(1));

    /// <summary>The window of a kind of touch.</summary>
    public TimeSpan For(string kind) => kind switch { TouchKinds.Click => Click, TouchKinds.Open => Open, _ => Visit };
}

/// <summary>Conversion paths per person from touches and purchases (SPEC R3).</summary>
public static class ConversionPaths
{
    /// <summary>The channel of a purchase no touch in its window led to.</summary>
    public const string Direct = "direct";

    /// <summary>
    /// Each purchase closes a path of the person's touches since their previous purchase that are inside their
    /// kind's window before it (a purchase with none has the path <see cref="Direct"/>). Touches after a person's
    /// last purchase and inside their window before <paramref name="end"/> make a path without a purchase. Ages are
    /// days from each touch to the path's end.
    /// </summary>
    public static IReadOnlyList<ConversionPath> Build(IEnumerable<TouchPoint> touches, IEnumerable<Conversion> conversions, LookbackWindows windows, DateTimeOffset end)
    {
        var byPerson = touches.Where(t => t.At <= end).GroupBy(t => t.Person).ToDictionary(g => g.Key, g => g.OrderBy(t => t.At).ToList());
        var purchases = conversions.Where(c => c.At <= end).GroupBy(c => c.Person).ToDictionary(g => g.Key, g => g.OrderBy(c => c.At).ToList());
        var paths = new List<ConversionPath>();
        foreach (var person in byPerson.Keys.Union(purchases.Keys))
        {
            var list = byPerson.GetValueOrDefault(person) ?? [];
            var next = 0;
            foreach (var purchase in purchases.GetValueOrDefault(person) ?? [])
            {
                var path = new List<TouchPoint>();
                for (; next < list.Count && list[next].At <= purchase.At; next++)
                    if (purchase.At - list[next].At <= windows.For(list[next].Kind)) path.Add(list[next]);
                paths.Add(path.Count == 0
                    ? new ConversionPath([Direct], 1, purchase.Value, 0, [0])
                    : new ConversionPath(path.Select(t => t.Channel).ToList(), 1, purchase.Value, 0, path.Select(t => (purchase.At - t.At).TotalDays).ToList()));
            }
            var open = list.Skip(next).Where(t => end - t.At <= windows.For(t.Kind)).ToList();
            if (open.Count > 0) paths.Add(new ConversionPath(open.Select(t => t.Channel).ToList(), 0, 0, 1, open.Select(t => (end - t.At).TotalDays).ToList()));
        }
        return paths;
    }

    /// <summary>
    /// A visit's channel: <c>source / medium</c> from its utm tags (either alone when the other is missing), else
    /// <c>referral / host</c> from a referrer of another site, else <see cref="Direct"/>.
    /// </summary>
    public static string VisitChannel(string? utmSource, string? utmMedium, string? referrerHost, string? ownHost = null)
    {
        var source = utmSource?.Trim().ToLowerInvariant();
        var medium = utmMedium?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(source) || !string.IsNullOrEmpty(medium))
            return string.IsNullOrEmpty(medium) ? source! : string.IsNullOrEmpty(source) ? medium : $"{source} / {medium}";
        var host = referrerHost?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(host) && !string.Equals(host, ownHost, StringComparison.OrdinalIgnoreCase)) return $"referral / {host}";
        return Direct;
    }

    /// <summary>A message's channel: <c>email / &lt;scenario&gt;</c> (or <c>email</c> for a message sent outside one).</summary>
    public static string MessageChannel(string? scenario) => string.IsNullOrWhiteSpace(scenario) ? "email" : $"email / {scenario}";
}
