using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

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
    /// <summary>
    /// PostgreSQL: from this many rows on, one statement over arrays (or <c>COPY</c>) instead of a batch of statements.
    /// Below it, a batch of small statements is one round trip where drawing ids and <c>COPY</c> are two.
    /// </summary>
    public const int ArraysFrom = 32;

    /// <summary>The engine the statements go to.</summary>
    public DatabaseKind Kind => kind;

    /// <summary>A writer on the context's connection and its current transaction.</summary>
    public static RowWriter For(CartwiseDb db) => For(DbSession.From(db));

    /// <summary>A writer on a session's connection and transaction.</summary>
    public static RowWriter For(DbSession session) =>
        new(session.Connection, session.Transaction ?? throw new InvalidOperationException("RowWriter needs an open transaction."), session.Kind);

    /// <summary>Runs <paramref name="sql"/> (parameters <c>@p0</c>…) once per row.</summary>
    public Task ExecuteAsync(string sql, IReadOnlyList<object?[]> rows, CancellationToken ct) => RunAsync(sql, rows, null, ct);

    /// <summary>
    /// Inserts rows. SQLite: one single-row statement, prepared once and run per row. PostgreSQL: binary <c>COPY</c>
    /// from <see cref="ArraysFrom"/> rows on; below it, or with a <paramref name="suffix"/> (e.g. <c>ON CONFLICT DO
    /// NOTHING</c>, which ends every statement), multi-row <c>INSERT … VALUES (…),(…)</c> statements, because a round
    /// trip per statement is what bulk inserts pay most for there. <paramref name="table"/> and
    /// <paramref name="columns"/> are trusted identifiers.
    /// </summary>
    /// <remarks>
    /// SQLite has no round trips: a multi-row statement there only cost a new, larger statement to prepare per batch.
    /// With one prepared row per insert, storing an event under tracking batches went from 13.6 to 6.2 µs, and the
    /// full Online Retail import from 3.8 to 3.2–3.5 s.
    /// </remarks>
    public async Task InsertAsync(string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct, string? suffix = null)
    {
        if (rows.Count == 0) return;
        if (kind == DatabaseKind.Postgres && suffix is null && rows.Count >= ArraysFrom)
        {
            await CopyAsync(table, columns, rows, ct);
            return;
        }
        if (kind == DatabaseKind.Sqlite)
        {
            await RunAsync(InsertSql(table, columns, 1, suffix), rows, null, ct);
            return;
        }
        // PostgreSQL allows 65,535 parameters per statement; stay well below.
        var perStatement = Math.Max(1, Math.Min(64, 2000 / columns.Length));
        var full = rows.Count / perStatement;
        if (full > 0)
            await RunAsync(InsertSql(table, columns, perStatement, suffix),
                Enumerable.Range(0, full).Select(g => Flatten(rows, g * perStatement, perStatement)).ToList(), null, ct);
        var rest = rows.Count - full * perStatement;
        if (rest > 0) await RunAsync(InsertSql(table, columns, rest, suffix), [Flatten(rows, full * perStatement, rest)], null, ct);
    }

    /// <summary><c>INSERT INTO table (columns) VALUES (@p0,…),(…)</c> for <paramref name="count"/> rows, then <paramref name="suffix"/>.</summary>
    private static string InsertSql(string table, string[] columns, int count, string? suffix)
    {
        var sb = new System.Text.StringBuilder($"INSERT INTO \"{table}\" ({ColumnList(columns)}) VALUES ");
        for (var r = 0; r < count; r++)
        {
            sb.Append(r == 0 ? "(" : ",(");
            for (var c = 0; c < columns.Length; c++) sb.Append(c == 0 ? "@p" : ",@p").Append(r * columns.Length + c);
            sb.Append(')');
        }
        if (suffix is not null) sb.Append(' ').Append(suffix);
        return sb.ToString();
    }

    /// <summary>
    /// PostgreSQL: the rows through binary <c>COPY … FROM STDIN</c> (<see cref="PostgresCopyWriter"/>), each value
    /// written as its CLR type's PostgreSQL type (the types the EF model maps the columns to), each row led by
    /// <paramref name="ids"/>[i] when given. Multi-row statements cost Npgsql a parse of every parameter name: 12.6 s
    /// of an 18 s Online Retail import went to its 530,000 order lines.
    /// </summary>
    private Task CopyAsync(string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct, long[]? ids = null) =>
        PostgresCopyWriter.CopyAsync((NpgsqlConnection)connection, table, ColumnList(ids is null ? columns : ["Id", .. columns]),
            columns.Length + (ids is null ? 0 : 1), rows, ids, ct);

    /// <summary>Trusted column names, quoted, comma-separated.</summary>
    private static string ColumnList(string[] columns) => string.Join(",", columns.Select(c => $"\"{c}\""));

    private static object?[] Flatten(IReadOnlyList<object?[]> rows, int start, int count)
    {
        var width = rows[start].Length;
        var all = new object?[count * width];
        for (var r = 0; r < count; r++) Array.Copy(rows[start + r], 0, all, r * width, width);
        return all;
    }

    /// <summary>
    /// PostgreSQL: runs one statement whose rows come from arrays (<c>FROM unnest(@p1, …)</c>) and that touches each
    /// row through a unique index, with sequential scans off for it. A bulk import grows its tables faster than their
    /// statistics follow, and planned for the few rows last counted such an update read the whole table once per
    /// commit (0.4 s → 2 s for the refunds of the full Online Retail file).
    /// </summary>
    public async Task ExecuteKeyedAsync(string sql, object?[] args, CancellationToken ct)
    {
        if (kind != DatabaseKind.Postgres) throw new NotSupportedException("Keyed array statements are PostgreSQL's.");
        // The three statements in one round trip.
        await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL enable_seqscan = off"));
        batch.BatchCommands.Add(Sql.PostgresCommand(sql, args));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL enable_seqscan = on"));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Inserts rows into a table whose key is an identity column <c>"Id"</c> and gives their ids in row order. SQLite
    /// runs a prepared <c>INSERT</c> per row and reads each id from the connection. PostgreSQL, for more than a few
    /// rows, draws the ids from the column's sequence in one query and sends the rows through <c>COPY</c>: a statement
    /// per row cost an import of the full Online Retail file 1.5 s in its orders, customers and products.
    /// </summary>
    public async Task<long[]> InsertWithIdsAsync(string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        if (kind == DatabaseKind.Postgres && rows.Count >= ArraysFrom)
        {
            var ids = (await Sql.QueryAsync(new DbSession(connection, transaction, kind),
                "SELECT nextval(pg_get_serial_sequence(@p0, 'Id')) FROM generate_series(1, @p1)", [$"\"{table}\"", rows.Count], r => r.GetInt64(0), ct)).ToArray();
            await CopyAsync(table, columns, rows, ct, ids);
            return ids;
        }
        return await InsertReturningIdsAsync(InsertSql(table, columns, 1, "RETURNING \"Id\""), rows, ct);
    }

    /// <summary>
    /// Runs an INSERT … RETURNING "Id" (plain, or <c>ON CONFLICT … DO NOTHING</c>) once per row and gives the ids in
    /// row order, 0 for a row the conflict clause skipped. SQLite runs it without the RETURNING clause and reads the id
    /// from the connection (the last row id, when the statement inserted a row): its RETURNING collects the returned
    /// rows in a temporary table first, which was 60% of the cost of an outbox row.
    /// </summary>
    public async Task<long[]> InsertReturningIdsAsync(string sql, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        var ids = new long[rows.Count];
        if (kind == DatabaseKind.Sqlite)
        {
            const string returning = "RETURNING \"Id\"";
            var body = sql.TrimEnd();
            if (!body.EndsWith(returning, StringComparison.Ordinal) || body.Contains("DO UPDATE", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Not an INSERT … RETURNING \"Id\" without DO UPDATE: {sql}", nameof(sql));
            sql = body[..^returning.Length];
        }
        await RunAsync(sql, rows, ids, ct);
        return ids;
    }

    private async Task RunAsync(string sql, IReadOnlyList<object?[]> rows, long[]? ids, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        if (kind == DatabaseKind.Postgres) await RunPostgresAsync(sql, rows, ids, ct);
        else RunSqlite(sql, rows, ids);
    }

    /// <summary>
    /// Straight to SQLite's C API through the connection's own handle (so inside its transaction): prepared once,
    /// parameters bound by position. Microsoft.Data.Sqlite looks every parameter up by name on every execution, which
    /// costs more than the insert itself when rows are small and many.
    /// </summary>
    /// <summary>
    /// Binds text as UTF-8 encoded into a buffer the writer keeps (SQLite copies it): the string overload allocated a
    /// byte array per value, a third of what a scenario pass allocated in writing its decisions and outbox rows.
    /// </summary>
    private int BindText(sqlite3_stmt stmt, int index, string value)
    {
        // An empty span has no address, which SQLite would take for NULL.
        if (value.Length == 0) return raw.sqlite3_bind_text(stmt, index, value);
        var length = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_text.Length < length) _text = new byte[Math.Max(length, 2 * _text.Length)];
        var written = System.Text.Encoding.UTF8.GetBytes(value, _text);
        return raw.sqlite3_bind_text(stmt, index, _text.AsSpan(0, written));
    }

    /// <summary>A decimal as its invariant text, formatted into the writer's buffer.</summary>
    private int BindDecimal(sqlite3_stmt stmt, int index, decimal value)
    {
        if (_text.Length < 64) _text = new byte[256];
        if (!value.TryFormat(_text, out var written, default, CultureInfo.InvariantCulture)) throw new InvalidOperationException($"Cannot format {value}.");
        return raw.sqlite3_bind_text(stmt, index, _text.AsSpan(0, written));
    }

    private byte[] _text = new byte[256];

    private void RunSqlite(string sql, IReadOnlyList<object?[]> rows, long[]? ids)
    {
        var handle = ((SqliteConnection)connection).Handle!;
        Check(raw.sqlite3_prepare_v2(handle, sql, out var stmt), handle);
        using (stmt)
        {
            var width = rows[0].Length;
            // Positions read from the statement's own names, once: a lookup by name scans every other name, which in a
            // multi-row insert of a thousand parameters cost more than the rows (a sixth of the server's CPU under
            // tracking load went to comparing parameter names).
            var index = new int[width];
            for (var k = 1; k <= raw.sqlite3_bind_parameter_count(stmt); k++)
            {
                var name = raw.sqlite3_bind_parameter_name(stmt, k).utf8_to_string();
                if (name is ['@', 'p', .. var digits] && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < width) index[i] = k;
            }
            for (var i = 0; i < width; i++)
                if (index[i] == 0) throw new InvalidOperationException($"Statement has no parameter @p{i}: {sql}");
            for (var r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                for (var i = 0; i < width; i++)
                {
                    var rc = row[i] switch
                    {
                        null => raw.sqlite3_bind_null(stmt, index[i]),
                        long v => raw.sqlite3_bind_int64(stmt, index[i], v),
                        int v => raw.sqlite3_bind_int64(stmt, index[i], v),
                        bool v => raw.sqlite3_bind_int64(stmt, index[i], v ? 1 : 0),
                        string v => BindText(stmt, index[i], v),
                        decimal v => BindDecimal(stmt, index[i], v),
                        DateTimeOffset v => raw.sqlite3_bind_int64(stmt, index[i], v.UtcTicks),
                        double v => raw.sqlite3_bind_double(stmt, index[i], v),
                        var other => throw new NotSupportedException($"RowWriter cannot bind {other.GetType().Name}."),
                    };
                    Check(rc, handle);
                }
                var step = raw.sqlite3_step(stmt);
                while (step == raw.SQLITE_ROW) step = raw.sqlite3_step(stmt);
                if (ids is not null && step == raw.SQLITE_DONE && raw.sqlite3_changes(handle) == 1) ids[r] = raw.sqlite3_last_insert_rowid(handle);
                if (step != raw.SQLITE_DONE)
                {
                    var error = new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), step, raw.sqlite3_extended_errcode(handle));
                    raw.sqlite3_reset(stmt);
                    throw error;
                }
                raw.sqlite3_reset(stmt);
            }
        }
    }

    private static void Check(int rc, SQLitePCL.sqlite3 handle)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc, raw.sqlite3_extended_errcode(handle));
    }

    private async Task RunPostgresAsync(string sql, IReadOnlyList<object?[]> rows, long[]? ids, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)connection;
        for (var start = 0; start < rows.Count; start += PostgresBatch)
        {
            await using var batch = new NpgsqlBatch(conn, (NpgsqlTransaction)transaction);
            var end = Math.Min(rows.Count, start + PostgresBatch);
            for (var r = start; r < end; r++) batch.BatchCommands.Add(Sql.PostgresCommand(sql, rows[r]));
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
}
