using System.Text.Json;
using Cartwise.Data;

namespace Cartwise.Importing;

/// <summary>
/// The one writer of <c>ImportRuns</c>: an import's start, the counts of each chunk it commits (inside that chunk's
/// transaction) and its end. Plain SQL, so that a CLI import never starts EF Core. Not thread-safe; one per import.
/// </summary>
public sealed class ImportRunLog(DatabaseTarget target, long storeId, TimeProvider clock)
{
    /// <summary>The run's id, once started.</summary>
    public long Id { get; private set; }

    /// <param name="totalRows">Rows in all, when the import knows them before it starts writing.</param>
    public async Task StartAsync(string kind, string source, CancellationToken ct, long? totalRows = null)
    {
        var now = clock.GetUtcNow();
        await using var session = await target.OpenSessionAsync(ct);
        var tx = await session.BeginAsync(ct);
        await using var transaction = tx.Transaction!;
        Id = (await RowWriter.For(tx).InsertReturningIdsAsync(
            """
            INSERT INTO "ImportRuns" ("StoreId","Kind","Source","Status","StartedAt","UpdatedAt","Rows","TotalRows")
            VALUES (@p0,@p1,@p2,@p3,@p4,@p5,@p6,@p7) RETURNING "Id"
            """,
            [[storeId, kind, source.Length > 300 ? source[..300] : source, RunStatus.Running, now, now, 0L, totalRows]], ct))[0];
        await transaction.CommitAsync(ct);
    }

    /// <summary>The counts of a chunk, written in the transaction <paramref name="tx"/> that commits it.</summary>
    /// <param name="rows">Rows of the file read up to the end of the chunk.</param>
    /// <param name="bytes">Bytes of the file read up to the end of the chunk, and its size, when known.</param>
    public Task CommittingAsync(DbSession tx, long rows, long? bytes, long? totalBytes, CancellationToken ct) =>
        Id == 0 ? Task.CompletedTask : RowWriter.For(tx).ExecuteAsync(
            $"""UPDATE "ImportRuns" SET "Rows"=@p2, "Bytes"=@p3, "TotalBytes"=@p4, "UpdatedAt"=@p5 WHERE {StoreSql.Filter()} AND "Id"=@p1""",
            [[storeId, Id, rows, bytes, totalBytes, clock.GetUtcNow()]], ct);

    /// <summary>Records the end: succeeded with what it did, or failed with why. Written whatever the caller's cancellation.</summary>
    public async Task FinishAsync(bool succeeded, long rows, IReadOnlyDictionary<string, long>? summary, string? error)
    {
        if (Id == 0) return;
        var now = clock.GetUtcNow();
        await using var session = await target.OpenSessionAsync(CancellationToken.None);
        var tx = await session.BeginAsync(CancellationToken.None);
        await using var transaction = tx.Transaction!;
        await RowWriter.For(tx).ExecuteAsync(
            $"""
            UPDATE "ImportRuns" SET "Status"=@p2, "Rows"=@p3, "Summary"=@p4, "Error"=@p5, "UpdatedAt"=@p6, "FinishedAt"=@p6
            WHERE {StoreSql.Filter()} AND "Id"=@p1
            """,
            [[storeId, Id, succeeded ? RunStatus.Succeeded : RunStatus.Failed, rows,
              summary is null ? null : JsonSerializer.Serialize(summary, StoredJson.Options), error is { Length: > 1000 } e ? e[..1000] : error, now]],
            CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }
}
