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

    private static readonly string SeenSql = $$"""SELECT "EventId" FROM "Events" WHERE {{StoreSql.Filter()}} AND "EventId" IN ({in})""";

    /// <summary>Which of <paramref name="eventIds"/> the store already has.</summary>
    public static async Task<HashSet<string>> SeenAsync(DbSession db, long storeId, IReadOnlyList<string> eventIds, CancellationToken ct) =>
        (await Sql.QueryInAsync(db, SeenSql, [storeId], eventIds, r => r.GetString(0), ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The query of <see cref="SeenAsync"/> for a batch of reads: adds to <paramref name="seen"/> the ids the store already has.</summary>
    public static Sql.BatchQuery Seen(DatabaseKind kind, long storeId, IReadOnlyList<string> eventIds, HashSet<string> seen) =>
        Sql.BatchQuery.In(kind, SeenSql, [storeId], eventIds, r => seen.Add(r.GetString(0)));

    /// <summary>
    /// Appends events received at <paramref name="now"/> (their id, store and receipt time are the writer's). Call it
    /// last before the commit: on PostgreSQL it holds the store's event lock until then.
    /// </summary>
    /// <remarks>
    /// The scenario engine reads a store's events past the last id it processed, so they must become visible in id
    /// order. PostgreSQL hands out ids when rows are inserted, not when they commit: two nodes' transactions could
    /// commit ids 200–299 before 100–199, and a pass between the two commits would move the cursor past events it
    /// never saw. A transaction-scoped advisory lock per store, taken before the ids are drawn, makes the store's event
    /// inserts commit one after the other. (SQLite has one writer at a time, which already does this.)
    /// </remarks>
    public async Task AppendAsync(IReadOnlyList<StoredEvent> events, DateTimeOffset now, CancellationToken ct)
    {
        if (events.Count == 0) return;
        if (writer.Kind == DatabaseKind.Postgres) await writer.ExecuteAsync("SELECT pg_advisory_xact_lock(@p0, @p1)", [[OrderLock, (int)storeId]], ct);
        await writer.InsertAsync("Events", Columns, events.Select(e => new object?[]
        {
            storeId, e.EventId, e.Name, e.CustomerId, e.AnonymousId, e.OccurredAt, now, e.TransactionId, e.Value, e.Currency, e.UtmSource, e.UtmMedium, e.UtmCampaign, e.Payload,
        }).ToList(), ct);
    }

    /// <summary>
    /// More of an imported order found further down the file, after its purchase event was committed: the event's
    /// value grows with its order's (see <see cref="Orders.OrderWriter.AddValueAsync"/>), so where a commit falls in
    /// the file changes nothing that is stored.
    /// </summary>
    public Task AddValueAsync(string eventId, decimal value, CancellationToken ct) =>
        writer.ExecuteAsync($"""UPDATE "Events" SET "Value"={Sql.AddDecimal(writer.Kind, "\"Value\"", "@p2")} WHERE {StoreSql.Filter()} AND "EventId"=@p1""", [[storeId, eventId, value]], ct);

    /// <summary>The first key of the per-store advisory lock that orders event inserts (the second is the store id).</summary>
    private const int OrderLock = 0x43570045;
}
