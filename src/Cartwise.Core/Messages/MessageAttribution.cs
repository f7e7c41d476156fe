namespace Cartwise.Core.Messages;

/// <summary>An open or a click of a sent message by a customer.</summary>
public readonly record struct Touch(long Customer, long Outbox, bool IsClick, DateTimeOffset At);

/// <summary>An order of a customer.</summary>
public readonly record struct Purchase(long Order, long Customer, DateTimeOffset At);

/// <summary>
/// How long after a click or an open an order is credited to the message. <see cref="Open"/> null: opens never credit.
/// </summary>
public sealed record AttributionWindows(TimeSpan Click, TimeSpan? Open)
{
    /// <summary>5 days after a click, 1 day after an open.</summary>
    public static AttributionWindows Default { get; } = new(TimeSpan.FromDays(5), TimeSpan.FromDays(1));
}

/// <summary>Credits orders to messages: each order to at most one message, the last one touched inside its window.</summary>
public static class MessageAttribution
{
    /// <summary>For each credited order, the outbox row (sent message) it is credited to.</summary>
    public static Dictionary<long, long> Credit(IEnumerable<Touch> touches, IEnumerable<Purchase> purchases, AttributionWindows windows)
    {
        var byCustomer = touches.GroupBy(t => t.Customer).ToDictionary(g => g.Key, g => g.OrderBy(t => t.At).ToArray());
        var credited = new Dictionary<long, long>();
        foreach (var p in purchases)
        {
            if (!byCustomer.TryGetValue(p.Customer, out var list)) continue;
            // The last touch at or before the order that is still inside its own window.
            for (var i = list.Length - 1; i >= 0; i--)
            {
                var t = list[i];
                if (t.At > p.At) continue;
                var window = t.IsClick ? windows.Click : windows.Open;
                if (window is null || p.At - t.At > window.Value) continue;
                credited[p.Order] = t.Outbox;
                break;
            }
        }
        return credited;
    }
}
