namespace Cartwise.Core.Tracking;

/// <summary>
/// Events an order import stores for each order and refund it writes (so history replays see them, and so the
/// import is idempotent): their id is <c>import:</c> and the order's id.
/// </summary>
public static class ImportedEvents
{
    /// <summary>What every imported event id starts with.</summary>
    public const string Prefix = "import:";

    /// <summary>The event id of an imported order or refund invoice.</summary>
    public static string IdOf(string orderId) => Prefix + orderId;

    /// <summary>Whether an event came from an order import, not from tracking.</summary>
    public static bool IsImported(string eventId) => eventId.StartsWith(Prefix, StringComparison.Ordinal);
}
