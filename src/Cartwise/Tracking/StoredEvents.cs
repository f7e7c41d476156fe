using Cartwise.Data;

namespace Cartwise.Tracking;

/// <summary>
/// The one writer of a store's <c>Events</c> on the bulk paths (tracking, event and order import), inside the
/// caller's transaction. Event ids are unique per store: <see cref="SeenAsync"/> says which a batch already has.
/// </summary>
public sealed class StoredEvents(RowWriter writer, long storeId)
{
    private static readonly string[] Columns =
        ["StoreId", "EventId", "Name", "CustomerId", "AnonymousId", "OccurredAt", "ReceivedAt", "TransactionId", "Value", "Currency", "UtmSource", "UtmMedium", "UtmCampaign", "Payload"];

    /// <summary>Which of <paramref name="eventIds"/> the store already has.</summary>
    public static async Task<HashSet<string>> SeenAsync(DbSession db, long storeId, IReadOnlyList<string> eventIds, CancellationToken ct) =>
        (await Sql.QueryInAsync(db, $$"""SELECT "EventId" FROM "Events" WHERE {{StoreSql.Filter()}} AND "EventId" IN ({in})""", [storeId], eventIds,
            r => r.GetString(0), ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Appends events received at <paramref name="now"/> (their id, store and receipt time are the writer's).</summary>
    public Task AppendAsync(IReadOnlyList<StoredEvent> events, DateTimeOffset now, CancellationToken ct) =>
        writer.InsertAsync("Events", Columns, events.Select(e => new object?[]
        {
            storeId, e.EventId, e.Name, e.CustomerId, e.AnonymousId, e.OccurredAt, now, e.TransactionId, e.Value, e.Currency, e.UtmSource, e.UtmMedium, e.UtmCampaign, e.Payload,
        }).ToList(), ct);
}
