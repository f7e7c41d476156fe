using System.Net;
using Cartwise.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cartwise.Tests.Tracking;

/// <summary>A PostgreSQL server that drops every connection (a restart, a failover) between two tracking requests.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Track_AfterPostgresDroppedEveryConnection_StillCommits_AndAnswers202()
    {
        if (TestDatabase.PostgresServer is null)
        {
            if (TestDatabase.InCi) throw new InvalidOperationException("CI=true but CARTWISE_TEST_POSTGRES is not set.");
            Assert.Skip("No PostgreSQL (CARTWISE_TEST_POSTGRES).");
        }
        await using var app = await TestApp.StartAsync(Engine.Postgres);
        var store = await app.CreateStoreAsync("shop");
        using var tracking = app.Tracking(store);
        Assert.Equal(HttpStatusCode.Accepted, (await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"before","name":"view_item","anonymous_id":"a","items":[{"item_id":"p"}]}""")).StatusCode);

        // Every pooled connection of the server is now dead, as after a database restart.
        var database = new NpgsqlConnectionStringBuilder(app.Database.ConnectionString).Database;
        await using (var admin = new NpgsqlConnection(TestDatabase.PostgresServer))
        {
            await admin.OpenAsync();
            // The server's client connections only: an autovacuum worker on the same database belongs to the superuser.
            await using var kill = new NpgsqlCommand(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND usename = current_user",
                admin);
            kill.Parameters.AddWithValue("db", database!);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0);
        }

        var after = await tracking.PostJsonAsync("/api/v1/track", """{"event_id":"after","name":"view_item","anonymous_id":"a","items":[{"item_id":"p"}]}""");

        Assert.True(after.StatusCode == HttpStatusCode.Accepted, await after.Content.ReadAsStringAsync());
        await using var db = app.Db(store);
        Assert.Equal(["after", "before"], await db.Events.OrderBy(e => e.EventId).Select(e => e.EventId).ToListAsync());
    }
}
