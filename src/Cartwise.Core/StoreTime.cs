namespace Cartwise.Core;

/// <summary>A store's time zone for quiet hours and dates in messages.</summary>
public static class StoreTime
{
    /// <summary>The IANA zone <paramref name="id"/>; UTC when the system does not know it (stores are validated when created).</summary>
    public static TimeZoneInfo Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
