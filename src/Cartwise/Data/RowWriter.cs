using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Cartwise.Data;

/// <summary>
/// Executes one parameterised statement for many rows inside the caller's transaction, where EF's change tracking
/// costs more than the writes themselves (event ingestion, imports). SQLite runs a prepared statement per row;
/// PostgreSQL sends the rows as one batch per round trip. Values are converted to what the EF model stores
/// (SQLite: times as UTC ticks, decimals as invariant text). Not thread-safe.
/// </summary>
public sealed class RowWriter(DbConnection connection, DbTransaction transaction, DatabaseKind kind)
{
    private const int PostgresBatch = 500;

    public DatabaseKind Kind => kind;

    /// <summary>A writer on the context's connection and its current transaction.</summary>
    public static RowWriter For(CartwiseDb db)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction() ?? throw new InvalidOperationException("RowWriter needs an open transaction.");
        return new RowWriter(db.Database.GetDbConnection(), tx, db.Kind);
    }

    /// <summary>Runs <paramref name="sql"/> (parameters <c>@p0</c>…) once per row.</summary>
    public Task ExecuteAsync(string sql, IReadOnlyList<object?[]> rows, CancellationToken ct) => RunAsync(sql, rows, null, ct);

    /// <summary>Runs an INSERT … RETURNING "Id" once per row and gives the ids in row order.</summary>
    public async Task<long[]> InsertReturningIdsAsync(string sql, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        var ids = new long[rows.Count];
        await RunAsync(sql, rows, ids, ct);
        return ids;
    }

    private async Task RunAsync(string sql, IReadOnlyList<object?[]> rows, long[]? ids, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        if (kind == DatabaseKind.Postgres)
        {
            await RunPostgresAsync(sql, rows, ids, ct);
            return;
        }
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        var width = rows[0].Length;
        for (var i = 0; i < width; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            cmd.Parameters.Add(p);
        }
        cmd.Prepare();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (var i = 0; i < width; i++) cmd.Parameters[i].Value = Sqlite(row[i]);
            if (ids is null) await cmd.ExecuteNonQueryAsync(ct);
            else ids[r] = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
    }

    private async Task RunPostgresAsync(string sql, IReadOnlyList<object?[]> rows, long[]? ids, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)connection;
        for (var start = 0; start < rows.Count; start += PostgresBatch)
        {
            await using var batch = new NpgsqlBatch(conn, (NpgsqlTransaction)transaction);
            var end = Math.Min(rows.Count, start + PostgresBatch);
            for (var r = start; r < end; r++)
            {
                var c = new NpgsqlBatchCommand(sql);
                for (var i = 0; i < rows[r].Length; i++)
                    c.Parameters.Add(new NpgsqlParameter("p" + i.ToString(CultureInfo.InvariantCulture), rows[r][i] ?? DBNull.Value));
                batch.BatchCommands.Add(c);
            }
            if (ids is null)
            {
                await batch.ExecuteNonQueryAsync(ct);
                continue;
            }
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var at = start;
            do
            {
                if (await reader.ReadAsync(ct)) ids[at] = reader.GetInt64(0);
                at++;
            }
            while (await reader.NextResultAsync(ct));
        }
    }

    private static object Sqlite(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset d => d.UtcTicks,
        decimal m => m.ToString("0.0###########################", CultureInfo.InvariantCulture),
        _ => value,
    };
}
