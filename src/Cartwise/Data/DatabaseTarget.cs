using System.Data.Common;
using Cartwise.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Cartwise.Data;

/// <summary>
/// Where the data lives: a SQLite file (the default, <c>cartwise.db</c>) or a PostgreSQL server. Chosen by
/// <c>--db</c>, else <c>CARTWISE_DB</c>; a value that is a PostgreSQL URI or holds <c>Host=</c> means PostgreSQL.
/// </summary>
public sealed record DatabaseTarget(DatabaseKind Kind, string ConnectionString)
{
    public const string DefaultFile = "cartwise.db";

    /// <summary>The <c>--db</c> value, else the configured <c>CARTWISE_DB</c> (<c>Cartwise__Db</c>), else <see cref="DefaultFile"/>.</summary>
    public static DatabaseTarget Resolve(string? option) =>
        Parse(!string.IsNullOrWhiteSpace(option) ? option : CartwiseConfiguration.Current.Setting("Db") ?? DefaultFile);

    public static DatabaseTarget Parse(string value)
    {
        value = value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseKind.Postgres, FromUri(new Uri(value)));
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase) || value.Contains("Server=", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseKind.Postgres, value);
        var sqlite = value.Contains('=') ? new SqliteConnectionStringBuilder(value) : new SqliteConnectionStringBuilder { DataSource = value };
        sqlite.Pooling = true;
        return new(DatabaseKind.Sqlite, sqlite.ToString());
    }

    private static string FromUri(Uri uri)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "postgres",
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            b[Uri.UnescapeDataString(kv[0])] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return b.ToString();
    }

    /// <summary>The target an EF context was opened on.</summary>
    public static DatabaseTarget FromContext(CartwiseDb db) => new(db.Kind, db.Database.GetConnectionString()!);

    /// <summary>A description safe for logs: never prints a password.</summary>
    public string Describe() => Kind == DatabaseKind.Sqlite
        ? "SQLite " + Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString).DataSource)
        : new NpgsqlConnectionStringBuilder(ConnectionString) is var b ? $"PostgreSQL {b.Host}:{b.Port}/{b.Database}" : "PostgreSQL";

    /// <summary>Configures an options builder for this target.</summary>
    public void Configure(DbContextOptionsBuilder options)
    {
        if (Kind == DatabaseKind.Sqlite)
            options.UseSqlite(ConnectionString, o => o.MigrationsHistoryTable("__migrations")).AddInterceptors(SqlitePragmas.Instance);
        else
            options.UseNpgsql(ConnectionString, o => o.MigrationsHistoryTable("__migrations"));
    }

    /// <summary>
    /// An open plain connection (SQLite with the same pragmas as EF's), for bulk work in short-lived processes where
    /// EF Core's start-up would cost more than the work.
    /// </summary>
    public async Task<DbSession> OpenSessionAsync(CancellationToken ct)
    {
        DbConnection connection = Kind == DatabaseKind.Sqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        if (Kind == DatabaseKind.Sqlite) SqlitePragmas.Apply(connection);
        return new DbSession(connection, null, Kind);
    }

    /// <summary>
    /// Whether the schema is at the latest migration, asked without EF (reflection over the migration attributes and one
    /// query), so that a CLI command on a current database never pays for EF's start-up.
    /// </summary>
    public async Task<bool> IsCurrentAsync(CancellationToken ct)
    {
        if (Kind == DatabaseKind.Sqlite && new SqliteConnectionStringBuilder(ConnectionString).DataSource is var file && file != ":memory:" && !File.Exists(file))
            return false;
        var context = Kind == DatabaseKind.Sqlite ? typeof(SqliteCartwiseDb) : typeof(PostgresCartwiseDb);
        var latest = typeof(CartwiseDb).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute), false)
                .OfType<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>().Any(a => a.ContextType == context))
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false)
                .OfType<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>())
            .Select(a => a.Id).Order(StringComparer.Ordinal).LastOrDefault();
        if (latest is null) return false;
        try
        {
            await using var session = await OpenSessionAsync(ct);
            var applied = await Sql.QueryAsync(session, """SELECT "MigrationId" FROM "__migrations" ORDER BY "MigrationId" DESC LIMIT 1""", [], r => r.GetString(0), ct);
            return applied.FirstOrDefault() == latest;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>A new context on this target, for CLI commands and tools outside dependency injection.</summary>
    public CartwiseDb CreateContext()
    {
        if (Kind == DatabaseKind.Sqlite)
        {
            var b = new DbContextOptionsBuilder<SqliteCartwiseDb>();
            Configure(b);
            return new SqliteCartwiseDb(b.Options);
        }
        var p = new DbContextOptionsBuilder<PostgresCartwiseDb>();
        Configure(p);
        return new PostgresCartwiseDb(p.Options);
    }
}

/// <summary>
/// Every SQLite connection waits for a lock instead of failing at once, and uses WAL with normal sync by default:
/// readers never block the writer, and a commit survives a process crash (WAL guarantees that; only a power loss may
/// drop the last commits). <c>CARTWISE_SQLITE_SYNC=full</c> syncs the WAL at every commit, which survives a power loss
/// too, at the cost measured in docs/operations.md.
/// </summary>
/// <remarks>
/// The wait is a busy handler that tries the lock again every millisecond, for up to 10 s. SQLite's own
/// (<c>busy_timeout</c>) sleeps longer and longer between tries, 100 ms at a time after the first 228 ms: a tracking
/// commit waiting behind an import that commits chunk after chunk kept missing the moments between two chunks, and
/// waited 130–340 ms at the 99th percentile instead of one chunk's 40 ms (docs/performance.md).
/// </remarks>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private static readonly string Pragmas = For(CartwiseConfiguration.Current.Setting("SqliteSync"));

    /// <summary>How long a statement waits for another connection's lock before it fails as busy.</summary>
    private const int WaitMilliseconds = 10_000;

    /// <summary>The pragmas of every connection for a <c>CARTWISE_SQLITE_SYNC</c> value (null: normal).</summary>
    /// <exception cref="InvalidOperationException">The value is neither normal nor full.</exception>
    internal static string For(string? synchronous)
    {
        var level = (synchronous ?? "normal").Trim().ToUpperInvariant();
        if (level is not ("NORMAL" or "FULL"))
            throw new InvalidOperationException($"CARTWISE_SQLITE_SYNC is '{synchronous}': it must be normal (survives a process crash) or full (survives a power loss too).");
        return $"PRAGMA journal_mode=WAL; PRAGMA synchronous={level}; PRAGMA foreign_keys=ON; PRAGMA cache_size=-8192;";
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Native connections already set up: the pool hands the same one out again, its settings kept.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Applied = [];

    /// <summary>
    /// The pragmas, the busy handler and exact decimal addition, on a connection just opened (a read-only one only waits: WAL cannot be set on
    /// it). Once per native connection: a pooled one keeps them, and setting them again was five statements and a
    /// connection-string parse on every open, i.e. on every commit of the event writer.
    /// </summary>
    public static void Apply(DbConnection connection)
    {
        var sqlite = (SqliteConnection)connection;
        if (!Applied.TryAdd(sqlite.Handle!, Applied)) return;
        SqliteBusyHandler.Install(sqlite, WaitMilliseconds);
        SqliteDecimals.Install(sqlite);
        // EF opens a read-only connection to see whether the file is a database at all.
        if (new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadOnly) return;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
    }

}

/// <summary>Used by <c>dotnet ef</c> to build the SQLite migrations.</summary>
internal sealed class SqliteDesignFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SqliteCartwiseDb>
{
    public SqliteCartwiseDb CreateDbContext(string[] args) => (SqliteCartwiseDb)DatabaseTarget.Parse("design.db").CreateContext();
}

/// <summary>Used by <c>dotnet ef</c> to build the PostgreSQL migrations (no server is contacted).</summary>
internal sealed class PostgresDesignFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<PostgresCartwiseDb>
{
    public PostgresCartwiseDb CreateDbContext(string[] args) => (PostgresCartwiseDb)DatabaseTarget.Parse("Host=localhost;Database=cartwise").CreateContext();
}
