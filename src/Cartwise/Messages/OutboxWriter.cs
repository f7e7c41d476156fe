using Cartwise.Data;

namespace Cartwise.Messages;

/// <summary>
/// How other features hand the outbox a message to send: scenarios their decisions, tracking its consent
/// confirmations. One statement, unique by the row's key: enqueueing a key again does nothing, so a decision made
/// twice (two nodes, a stale engine) is never sent twice. Inside the caller's transaction. Not thread-safe.
/// </summary>
public sealed class OutboxWriter(RowWriter writer, long storeId)
{
    private const string InsertSql =
        """
        INSERT INTO "Outbox" ("StoreId","Key","MessageId","CustomerId","Email","Language","ScenarioId","Rule","TriggerId","OrderId","ProductIds","Kind","IsTest",
            "Status","DueAt","Attempts","Uncertain","CreatedAt")
        VALUES (@p0,@p1,@p2,@p3,@p4,@p5,@p6,@p7,@p8,@p9,@p10,@p11,@p12,@p13,@p14,@p15,@p16,@p17) ON CONFLICT ("StoreId","Key") DO NOTHING RETURNING "Id"
        """;

    /// <summary>
    /// Enqueues pending rows (only what a request says is read: key, message, recipient, scenario, rule, trigger,
    /// order, products, kind, due time) and gives their ids in order; 0 where the key was there already.
    /// </summary>
    public Task<long[]> EnqueueAsync(IReadOnlyList<OutboxMessage> rows, DateTimeOffset now, CancellationToken ct) =>
        writer.InsertReturningIdsAsync(InsertSql, rows.Select(r => new object?[]
        {
            storeId, r.Key, r.MessageId, r.CustomerId, r.Email, r.Language, r.ScenarioId, r.Rule, r.TriggerId, r.OrderId, r.ProductIds, r.Kind, r.IsTest,
            OutboxStatus.Pending, r.DueAt, 0, false, now,
        }).ToList(), ct);

    /// <summary>Enqueues one row in its own transaction (or the context's); true when added, and then <paramref name="row"/> has its id.</summary>
    public static async Task<bool> EnqueueAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using var _ = own;
        var id = (await new OutboxWriter(RowWriter.For(db), row.StoreId).EnqueueAsync([row], now, ct))[0];
        if (own is not null) await own.CommitAsync(ct);
        row.Id = id;
        return id != 0;
    }

    /// <summary>A consent confirmation (double opt-in) for an address: one a week at most, however often a storefront asks.</summary>
    public static OutboxMessage Confirmation(long storeId, long? messageId, long customerId, string email, DateTimeOffset now) => new()
    {
        StoreId = storeId, Key = OutboxKinds.ConfirmationKey(email, now), MessageId = messageId ?? 0, CustomerId = customerId, Email = email,
        Kind = OutboxKinds.Confirmation, DueAt = now,
    };
}
