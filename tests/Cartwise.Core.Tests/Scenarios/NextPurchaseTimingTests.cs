using Cartwise.Core.Scenarios;

namespace Cartwise.Core.Tests.Scenarios;

public sealed class NextPurchaseTimingTests
{
    [Theory]
    [InlineData(22, 13, 42, "17d", "29d")]   // half-way back from the median to the lower quartile; the cap is the spread
    [InlineData(9, 8, 10, "8d", "7d")]       // a narrow spread still caps at a week
    [InlineData(0.5, 0.2, 1, "8h", "7d")]    // under a day: hours
    [InlineData(0.01, 0, 0.02, "1h", "7d")]  // never less than an hour
    public void TheMessageArrivesBeforeTheTypicalPurchase(double median, double q1, double q3, string delay, string cap)
    {
        var timing = NextPurchaseTiming.Of(median, q1, q3);

        Assert.Equal((delay, cap), timing);
        Assert.True(Durations.TryParse(timing.Delay, out var d) && d.TotalDays <= median || median < 1d / 24);
    }
}
