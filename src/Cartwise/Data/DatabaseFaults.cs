using Microsoft.EntityFrameworkCore;

namespace Cartwise.Data;

/// <summary>What a failed database call says about trying it again. Thread-safe (no state).</summary>
public static class DatabaseFaults
{
    /// <summary>The database is unreachable or dropped the connection (a restart, a failover): another try may find it back.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        Npgsql.NpgsqlException n => n.IsTransient,
        TimeoutException => true,
        _ => e.InnerException is not null && IsTransient(e.InnerException),
    };

    /// <summary>A unique key another writer inserted first, or a lock held too long: worth another try.</summary>
    public static bool IsConflict(Exception e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode is 19 or 5 or 6,
        Npgsql.PostgresException p => p.SqlState is "23505" or "40001" or "40P01",
        DbUpdateException d => d.InnerException is not null && IsConflict(d.InnerException),
        _ => false,
    };
}
