using Cartwise.Core.Customers;
using Cartwise.Data;

namespace Cartwise.Customers;

/// <summary>
/// The one writer of a store's <c>Customers</c>, <c>CustomerIdentities</c> and <c>IdentityConflicts</c> on the bulk
/// paths (tracking, order import, event import), inside the caller's transaction, with the store filter on every
/// statement. Not thread-safe.
/// </summary>
public sealed class CustomerWriter(RowWriter writer, long storeId)
{
    private static readonly string UpdateSql =
        $"""
        UPDATE "Customers" SET "ExternalId"=@p2,"Email"=@p3,"Phone"=@p4,"Language"=@p5,"EmailConsent"=@p6,"EmailConsentAt"=@p7,"EmailConsentSource"=@p8,
            "LastSeenAt"=@p9,"IsIdentified"=@p10
        WHERE {StoreSql.Filter()} AND "Id"=@p1
        """;

    // Most events only move "last seen": an update that leaves the indexed columns out of its SET costs SQLite no index writes.
    private static readonly string SeenSql =
        $"""
        UPDATE "Customers" SET "Language"=@p2,"EmailConsent"=@p3,"EmailConsentAt"=@p4,"EmailConsentSource"=@p5,"LastSeenAt"=@p6
        WHERE {StoreSql.Filter()} AND "Id"=@p1
        """;

    /// <summary>Inserts new profiles and gives their ids in order.</summary>
    public Task<long[]> InsertAsync(IReadOnlyList<CustomerProfile> profiles, CancellationToken ct) =>
        writer.InsertWithIdsAsync("Customers",
            ["StoreId", "ExternalId", "Email", "Phone", "Language", "Country", "EmailConsent", "EmailConsentAt", "EmailConsentSource", "CreatedAt", "LastSeenAt", "IsIdentified"],
            profiles.Select(c => new object?[]
            {
                storeId, c.ExternalId, c.Email, c.Phone, c.Language, c.Country, c.Consent, c.ConsentAt, c.ConsentSource, c.CreatedAt, c.LastSeenAt, c.IsIdentified,
            }).ToList(), ct);

    /// <summary>
    /// Imported orders seen between <c>First</c> and <c>Last</c>: each customer's first-seen time moves no later
    /// than <c>First</c> and last-seen no earlier than <c>Last</c> (never back past what tracking stored meanwhile).
    /// </summary>
    public Task WidenSeenAsync(IReadOnlyList<(long Id, DateTimeOffset First, DateTimeOffset Last)> customers, CancellationToken ct)
    {
        if (customers.Count == 0) return Task.CompletedTask;
        if (writer.Kind == DatabaseKind.Postgres)
            return writer.ExecuteKeyedAsync(
                $"""
                UPDATE "Customers" c SET "CreatedAt"=LEAST(c."CreatedAt",u.f),"LastSeenAt"=GREATEST(c."LastSeenAt",u.l)
                FROM unnest(@p1, @p2, @p3) AS u(id, f, l) WHERE {StoreSql.Filter("c")} AND c."Id"=u.id
                """,
                [storeId, customers.Select(c => c.Id).ToArray(), customers.Select(c => c.First.ToUniversalTime()).ToArray(), customers.Select(c => c.Last.ToUniversalTime()).ToArray()], ct);
        return writer.ExecuteAsync(
            $"""
            UPDATE "Customers" SET "CreatedAt"=CASE WHEN "CreatedAt">@p2 THEN @p2 ELSE "CreatedAt" END,"LastSeenAt"=CASE WHEN "LastSeenAt"<@p3 THEN @p3 ELSE "LastSeenAt" END
            WHERE {StoreSql.Filter()} AND "Id"=@p1
            """,
            customers.Select(c => new object?[] { storeId, c.Id, c.First, c.Last }).ToList(), ct);
    }

    /// <summary>Stores profiles whose identity (customer id, email, phone, identified) changed, with the rest of what they know.</summary>
    public Task UpdateAsync(IReadOnlyList<CustomerProfile> profiles, CancellationToken ct) =>
        writer.ExecuteAsync(UpdateSql, profiles.Select(c => new object?[]
        {
            storeId, c.Id, c.ExternalId, c.Email, c.Phone, c.Language, c.Consent, c.ConsentAt, c.ConsentSource, c.LastSeenAt, c.IsIdentified,
        }).ToList(), ct);

    /// <summary>Stores language, consent and last-seen of profiles whose identity did not change.</summary>
    public Task UpdateSeenAsync(IReadOnlyList<CustomerProfile> profiles, CancellationToken ct)
    {
        // PostgreSQL plans and runs each statement of a batch on its own: a batch of hundreds of updates took most of a
        // tracking commit there (42 of 67 µs an event), one statement over arrays a fraction of it.
        if (writer.Kind == DatabaseKind.Postgres && profiles.Count >= RowWriter.ArraysFrom)
            return writer.ExecuteKeyedAsync(
                $"""
                UPDATE "Customers" c SET "Language"=u.lang,"EmailConsent"=u.consent,"EmailConsentAt"=u.at,"EmailConsentSource"=u.src,"LastSeenAt"=u.seen
                FROM unnest(@p1, @p2, @p3, @p4, @p5, @p6) AS u(id, lang, consent, at, src, seen) WHERE {StoreSql.Filter("c")} AND c."Id"=u.id
                """,
                [
                    storeId, profiles.Select(c => c.Id).ToArray(), profiles.Select(c => c.Language).ToArray(), profiles.Select(c => c.Consent).ToArray(),
                    profiles.Select(c => c.ConsentAt?.ToUniversalTime()).ToArray(), profiles.Select(c => c.ConsentSource).ToArray(),
                    profiles.Select(c => c.LastSeenAt.ToUniversalTime()).ToArray(),
                ], ct);
        return writer.ExecuteAsync(SeenSql,
            profiles.Select(c => new object?[] { storeId, c.Id, c.Language, c.Consent, c.ConsentAt, c.ConsentSource, c.LastSeenAt }).ToList(), ct);
    }

    /// <summary>
    /// A stored profile merged into another: its keys, events, orders and earlier tombstones move to the survivor, and
    /// it stays as a tombstone without identity, forwarding to it.
    /// </summary>
    public async Task MergeAsync(long loserId, long survivorId, CancellationToken ct)
    {
        object?[][] move = [[storeId, survivorId, loserId]];
        var filter = StoreSql.Filter();
        // By the customer's index, not a store-wide one.
        var check = StoreSql.Check();
        await writer.ExecuteAsync($"""UPDATE "CustomerIdentities" SET "CustomerId"=@p1 WHERE {check} AND "CustomerId"=@p2""", move, ct);
        await writer.ExecuteAsync($"""UPDATE "Events" SET "CustomerId"=@p1 WHERE {check} AND "CustomerId"=@p2""", move, ct);
        await writer.ExecuteAsync($"""UPDATE "Orders" SET "CustomerId"=@p1 WHERE {check} AND "CustomerId"=@p2""", move, ct);
        await writer.ExecuteAsync($"""UPDATE "Customers" SET "MergedIntoId"=@p1 WHERE {filter} AND "MergedIntoId"=@p2""", move, ct);
        await writer.ExecuteAsync(
            $"""UPDATE "Customers" SET "MergedIntoId"=@p1,"IsIdentified"=@p3,"ExternalId"=NULL,"Email"=NULL,"Phone"=NULL WHERE {filter} AND "Id"=@p2""",
            [[storeId, survivorId, loserId, false]], ct);
    }

    /// <summary>New keys (<see cref="CustomerIdentity"/>) a profile is found by.</summary>
    public Task AddIdentitiesAsync(IReadOnlyList<(string Key, long CustomerId)> identities, DateTimeOffset now, CancellationToken ct) =>
        writer.InsertAsync("CustomerIdentities", ["StoreId", "Key", "CustomerId", "CreatedAt"],
            identities.Select(i => new object?[] { storeId, i.Key, i.CustomerId, now }).ToList(), ct);

    /// <summary>Identity changes an unverified event asked for and was refused.</summary>
    public Task AddConflictsAsync(IReadOnlyList<(long CustomerId, string EventId, string Reason)> conflicts, DateTimeOffset now, CancellationToken ct) =>
        writer.InsertAsync("IdentityConflicts", ["StoreId", "CustomerId", "EventId", "Reason", "CreatedAt"],
            conflicts.Select(c => new object?[] { storeId, c.CustomerId, c.EventId, c.Reason, now }).ToList(), ct);
}
