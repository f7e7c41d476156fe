using Cartwise.Data;
using Npgsql;

namespace Cartwise.Tests.Infrastructure;

public enum Engine { Sqlite, Postgres }

/// <summary>
/// A fresh, empty database for one test: a temporary SQLite file, or a new database on the PostgreSQL server named
/// by <c>CARTWISE_TEST_POSTGRES</c>. Without that server the PostgreSQL variant is skipped, except under CI=true
/// where it fails: CI must never pass by skipping.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _file;
    private readonly string? _pgName;
    private readonly string? _pgAdmin;

    public DatabaseTarget Target { get; }
    public Engine Engine { get; }

    private TestDatabase(Engine engine, DatabaseTarget target, string? file, string? pgName, string? pgAdmin)
    {
        Engine = engine;
        Target = target;
        _file = file;
        _pgName = pgName;
        _pgAdmin = pgAdmin;
    }

    public static string? PostgresServer => Environment.GetEnvironmentVariable("CARTWISE_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static async Task<TestDatabase> CreateAsync(Engine engine)
    {
        if (engine == Engine.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"cartwise-test-{Guid.NewGuid():N}.db");
            return new TestDatabase(engine, DatabaseTarget.Parse(file), file, null, null);
        }
        var server = PostgresServer;
        if (server is null)
        {
            if (InCi) throw new InvalidOperationException("CI=true but CARTWISE_TEST_POSTGRES is not set: PostgreSQL tests must run in CI.");
            Assert.Skip("No PostgreSQL server (set CARTWISE_TEST_POSTGRES).");
        }
        var name = $"cw_test_{Guid.NewGuid():N}";
        await using (var conn = new NpgsqlConnection(server))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ToString();
        return new TestDatabase(engine, new DatabaseTarget(DatabaseKind.Postgres, cs), null, name, server);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
                try { File.Delete(f); } catch (IOException) { }
        }
        if (_pgName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(_pgAdmin);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)", conn);
            // An autovacuum worker on the test database cannot be terminated by a non-superuser role (42501): wait
            // for it to finish. Clean-up, not an assertion: a database left behind fails no test.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await cmd.ExecuteNonQueryAsync();
                    return;
                }
                catch (PostgresException e) when (e.SqlState == "42501" && attempt < 40)
                {
                    await Task.Delay(250);
                }
                catch (PostgresException e) when (e.SqlState == "42501")
                {
                    return;
                }
            }
        }
    }
}
