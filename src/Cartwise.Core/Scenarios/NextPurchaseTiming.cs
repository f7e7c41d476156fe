using System.Globalization;

namespace Cartwise.Core.Scenarios;

/// <summary>
/// When a cross-sell message suggested by a next-purchase rule ("bought from A, then from B about D days later")
/// should go, and how often at most (SPEC S1). The delay is the median lag less a margin of half the way back to the
/// lower quartile, so that the message arrives before the typical purchase but after the quickest buyers' moment; the
/// cap is the spread of the lags (upper less lower quartile), so that one buying cycle gets one message.
/// </summary>
public static class NextPurchaseTiming
{
    /// <summary>The shortest cap suggested: a week.</summary>
    public static readonly TimeSpan MinimumCap = TimeSpan.FromDays(7);

    /// <summary>The delay and cap for a rule's lags (days), as the scenario writes durations ("17d", "6h").</summary>
    public static (string Delay, string Cap) Of(double medianDays, double q1Days, double q3Days)
    {
        var margin = Math.Max(0, medianDays - q1Days) / 2;
        var delay = TimeSpan.FromDays(Math.Max(0, medianDays - margin));
        // Whole days from a day on, whole hours below it, never less than an hour.
        var delayText = delay >= TimeSpan.FromDays(1)
            ? Math.Floor(delay.TotalDays).ToString(CultureInfo.InvariantCulture) + "d"
            : Math.Max(1, Math.Floor(delay.TotalHours)).ToString(CultureInfo.InvariantCulture) + "h";
        var cap = Math.Max(MinimumCap.TotalDays, Math.Ceiling(Math.Max(0, q3Days - q1Days)));
        return (delayText, cap.ToString(CultureInfo.InvariantCulture) + "d");
    }
}
