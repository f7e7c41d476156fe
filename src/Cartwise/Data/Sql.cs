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
            var rows = new List<T>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(read(reader));
            return rows;
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    /// <summary>
    /// Runs a query with <c>{in}</c> standing for a list of <paramref name="values"/> (<paramref name="fixedArgs"/>
    /// come first, as @p0…). The list is one parameter: an array on PostgreSQL, a JSON array read by <c>json_each</c>
    /// on SQLite. A parameter per value cost SQLite a lookup of every name among all the others (quadratic in the list:
    /// a sixth of the server's CPU under tracking load went to comparing parameter names).
    /// </summary>
    public static async Task<List<T>> QueryInAsync<T, TValue>(DbSession db, string sql, IReadOnlyList<object?> fixedArgs, IReadOnlyList<TValue> values,
        Func<DbDataReader, T> read, CancellationToken ct)
    {
        if (values.Count == 0) return [];
        var name = "@p" + fixedArgs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return db.Kind == DatabaseKind.Postgres
            ? await QueryAsync(db, sql.Replace("{in}", $"SELECT unnest({name})", StringComparison.Ordinal), [.. fixedArgs, values.ToArray()], read, ct)
            : await QueryAsync(db, sql.Replace("{in}", $"SELECT value FROM json_each({name})", StringComparison.Ordinal),
                [.. fixedArgs, System.Text.Json.JsonSerializer.Serialize(values)], read, ct);
    }

    /// <summary>A time column as stored (SQLite: UTC ticks; PostgreSQL: timestamptz).</summary>
    public static DateTimeOffset Time(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(long) ? new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero) : reader.GetFieldValue<DateTimeOffset>(ordinal);

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
