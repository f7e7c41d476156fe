using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Cartwise.Data;

/// <summary>
/// A connection, its current transaction and its engine: what plain SQL needs, with or without EF around it.
/// </summary>
public sealed record DbSession(DbConnection Connection, DbTransaction? Transaction, DatabaseKind Kind) : IAsyncDisposable
{
    /// <summary>The connection and transaction of an EF context (the context keeps owning them).</summary>
    public static DbSession From(CartwiseDb db) => new(db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction(), db.Kind) { Owned = false };

    private bool Owned { get; init; } = true;

    /// <summary>Starts a transaction on this session's connection.</summary>
    public async Task<DbSession> BeginAsync(CancellationToken ct) => this with { Transaction = await Connection.BeginTransactionAsync(ct), Owned = false };

    public async ValueTask DisposeAsync()
    {
        if (Owned) await Connection.DisposeAsync();
    }
}

/// <summary>
/// Plain SQL reads for paths where EF Core's start-up (model building, query compilation: about a second in a fresh
/// process) costs more than the work itself: the bulk importers run in short-lived CLI processes. Parameters are
/// <c>@p0</c>…; values are converted as <see cref="RowWriter"/> writes them. Runs in the context's transaction, if any.
/// </summary>
public static class Sql
{
    /// <summary>Runs a query and reads each row with <paramref name="read"/>.</summary>
    public static async Task<List<T>> QueryAsync<T>(DbSession db, string sql, IReadOnlyList<object?> args, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var rows = new List<T>();
        await ForEachAsync(db, sql, args, r => rows.Add(read(r)), ct);
        return rows;
    }

    /// <summary>
    /// Runs a query and hands each row to <paramref name="read"/>, keeping nothing: for reads of hundreds of thousands
    /// of rows folded into the caller's own structures (SQLite's reader reads on without a task per row).
    /// </summary>
    public static Task ForEachAsync(DbSession db, string sql, IReadOnlyList<object?> args, Action<DbDataReader> read, CancellationToken ct) =>
        RunAsync(db, sql, args, async cmd =>
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (db.Kind == DatabaseKind.Sqlite)
                while (reader.Read()) read(reader);
            else
                while (await reader.ReadAsync(ct)) read(reader);
            return 0;
        }, ct);

    /// <summary>
    /// Runs a statement that returns no rows and answers how many it changed: a write whose rows nobody reads back
    /// needs no <c>RETURNING</c>, which SQLite serves through a temporary table.
    /// </summary>
    public static Task<int> ExecuteAsync(DbSession db, string sql, IReadOnlyList<object?> args, CancellationToken ct) =>
        RunAsync(db, sql, args, cmd => cmd.ExecuteNonQueryAsync(ct), ct);

    /// <summary>Runs a command of <paramref name="sql"/> with <paramref name="args"/> as @p0…, opening the connection for it when closed.</summary>
    private static async Task<T> RunAsync<T>(DbSession db, string sql, IReadOnlyList<object?> args, Func<DbCommand, Task<T>> run, CancellationToken ct)
    {
        var connection = db.Connection;
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.Transaction = db.Transaction;
            for (var i = 0; i < args.Count; i++)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                p.Value = Value(db.Kind, args[i]);
                cmd.Parameters.Add(p);
            }
            return await run(cmd);
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    /// <summary>
    /// Runs a query with <c>{in}</c> standing for a list of <paramref name="values"/> (<paramref name="fixedArgs"/>
    /// come first, as @p0…): see <see cref="In"/>.
    /// </summary>
    public static async Task<List<T>> QueryInAsync<T, TValue>(DbSession db, string sql, IReadOnlyList<object?> fixedArgs, IReadOnlyList<TValue> values,
        Func<DbDataReader, T> read, CancellationToken ct)
    {
        if (values.Count == 0) return [];
        var (query, args) = In(db.Kind, sql, fixedArgs, values);
        return await QueryAsync(db, query, args, read, ct);
    }

    /// <summary>A query of a batch, and what to do with each of its rows.</summary>
    public sealed record BatchQuery(string Sql, IReadOnlyList<object?> Args, Action<DbDataReader> Read)
    {
        /// <summary>A query of a batch with <c>{in}</c> standing for a list (see <see cref="Data.Sql.In"/>).</summary>
        public static BatchQuery In<TValue>(DatabaseKind kind, string sql, IReadOnlyList<object?> fixedArgs, IReadOnlyList<TValue> values, Action<DbDataReader> read)
        {
            var (query, args) = Data.Sql.In(kind, sql, fixedArgs, values);
            return new(query, args, read);
        }
    }

    /// <summary>
    /// A query with <c>{in}</c> standing for a list of <paramref name="values"/> (<paramref name="fixedArgs"/> come
    /// first, as @p0…). The list is one parameter: an array on PostgreSQL, a JSON array read by <c>json_each</c> on
    /// SQLite. A parameter per value cost SQLite a lookup of every name among all the others (quadratic in the list: a
    /// sixth of the server's CPU under tracking load went to comparing parameter names).
    /// </summary>
    public static (string Sql, IReadOnlyList<object?> Args) In<TValue>(DatabaseKind kind, string sql, IReadOnlyList<object?> fixedArgs, IReadOnlyList<TValue> values)
    {
        var name = "@p" + fixedArgs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return kind == DatabaseKind.Postgres
            ? (sql.Replace("{in}", $"SELECT unnest({name})", StringComparison.Ordinal), [.. fixedArgs, values.ToArray()])
            : (sql.Replace("{in}", $"SELECT value FROM json_each({name})", StringComparison.Ordinal), [.. fixedArgs, System.Text.Json.JsonSerializer.Serialize(values)]);
    }

    /// <summary>
    /// Runs several queries, in order, on an open connection: on PostgreSQL in one round trip (the event writer's reads
    /// of a commit were four round trips, each waiting for the server process), on SQLite one after the other.
    /// </summary>
    public static async Task QueryBatchAsync(DbSession db, IReadOnlyList<BatchQuery> queries, CancellationToken ct)
    {
        if (queries.Count == 0) return;
        if (db.Kind != DatabaseKind.Postgres)
        {
            foreach (var q in queries) await ForEachAsync(db, q.Sql, q.Args, q.Read, ct);
            return;
        }
        await using var batch = new Npgsql.NpgsqlBatch((Npgsql.NpgsqlConnection)db.Connection, (Npgsql.NpgsqlTransaction?)db.Transaction);
        foreach (var q in queries) batch.BatchCommands.Add(PostgresCommand(q.Sql, q.Args));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var q in queries)
        {
            while (await reader.ReadAsync(ct)) q.Read(reader);
            await reader.NextResultAsync(ct);
        }
    }

    /// <summary>A statement of a PostgreSQL batch with its arguments as <c>@p0</c>…</summary>
    internal static Npgsql.NpgsqlBatchCommand PostgresCommand(string sql, IReadOnlyList<object?> args)
    {
        var command = new Npgsql.NpgsqlBatchCommand(sql);
        for (var i = 0; i < args.Count; i++)
            command.Parameters.Add(new Npgsql.NpgsqlParameter("p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(DatabaseKind.Postgres, args[i])));
        return command;
    }

    /// <summary>A time column as stored (SQLite: UTC ticks; PostgreSQL: timestamptz).</summary>
    public static DateTimeOffset Time(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(long) ? new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero) : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>
    /// <paramref name="column"/> plus <paramref name="value"/> (a column or parameter), both decimals, added exactly:
    /// PostgreSQL adds numerics; SQLite would add its text decimals as binary floating point (<see cref="SqliteDecimals"/>).
    /// </summary>
    public static string AddDecimal(DatabaseKind kind, string column, string value) =>
        kind == DatabaseKind.Sqlite ? $"{SqliteDecimals.AddFunction}({column}, {value})" : $"{column}+{value}";

    /// <summary>A nullable text column.</summary>
    public static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A decimal column as stored (SQLite: invariant text; PostgreSQL: numeric).</summary>
    public static decimal Money(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(string) ? decimal.Parse(reader.GetString(ordinal), System.Globalization.CultureInfo.InvariantCulture) : reader.GetDecimal(ordinal);

    private static object Value(DatabaseKind kind, object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset d when kind == DatabaseKind.Sqlite => d.UtcTicks,
        decimal m when kind == DatabaseKind.Sqlite => m.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value,
    };
}
