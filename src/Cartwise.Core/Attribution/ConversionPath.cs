namespace Cartwise.Core.Attribution;

/// <summary>
/// A sequence of channels and what came of it: <see cref="Conversions"/> paths ended in a purchase worth
/// <see cref="Value"/> in all, <see cref="Nulls"/> ended without one. A path built from one person's touches has 1
/// and 0 (or 0 and 1); a path file's line carries its totals. <see cref="AgesDays"/>, when known, gives each touch's
/// age in days at the path's end (for time decay).
/// </summary>
public sealed record ConversionPath(IReadOnlyList<string> Channels, double Conversions, decimal Value, double Nulls, IReadOnlyList<double>? AgesDays = null)
{
    /// <summary>The path as ChannelAttribution writes it: <c>a &gt; b &gt; c</c>.</summary>
    public string Key => string.Join(" > ", Channels);
}

/// <summary>What a model credits to a channel. <see cref="RemovalEffect"/> only for the Markov model.</summary>
public sealed record ChannelCredit(string Channel, double Conversions, decimal Value, double? RemovalEffect = null);

/// <summary>A model's credits, channels by value then name.</summary>
public sealed record ModelResult(string Model, IReadOnlyList<ChannelCredit> Channels);

/// <summary>Identical paths together: how often they occurred and what they brought.</summary>
/// <param name="ConversionRate">Conversions over conversions and nulls.</param>
public sealed record PathSummary(string Path, int Steps, double Conversions, decimal Value, double Nulls, double ConversionRate);
