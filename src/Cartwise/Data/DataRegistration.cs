using Cartwise.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Data;

public static class DataRegistration
{
    /// <summary>
    /// Registers <see cref="CartwiseDb"/> for <paramref name="target"/>. In a request the context is bound to the store
    /// of the caller's key; elsewhere (workers, CLI) the code sets <see cref="CartwiseDb.CurrentStoreId"/> itself.
    /// </summary>
    public static IServiceCollection AddCartwiseDb(this IServiceCollection services, DatabaseTarget target)
    {
        services.AddSingleton(target);
        services.AddHttpContextAccessor();
        if (target.Kind == DatabaseKind.Sqlite) services.AddDbContext<SqliteCartwiseDb>(target.Configure);
        else services.AddDbContext<PostgresCartwiseDb>(target.Configure);
        services.AddScoped<CartwiseDb>(sp =>
        {
            CartwiseDb db = target.Kind == DatabaseKind.Sqlite ? sp.GetRequiredService<SqliteCartwiseDb>() : sp.GetRequiredService<PostgresCartwiseDb>();
            var user = sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User;
            if (user?.FindFirst(KeyAuth.StoreIdClaim) is not null) db.CurrentStoreId = user.StoreId();
            return db;
        });
        return services;
    }

    /// <summary>Creates or upgrades the schema. Safe to run from several nodes at once (EF takes a migration lock).</summary>
    public static async Task MigrateAsync(this CartwiseDb db, CancellationToken ct)
    {
        // Most starts find the schema current; asking the history table directly saves the migrator's lock and checks
        // (about a second of every CLI command).
        if (await IsCurrentAsync(db, ct)) return;
        await db.Database.MigrateAsync(ct);
    }

    private static async Task<bool> IsCurrentAsync(CartwiseDb db, CancellationToken ct)
    {
        var latest = db.Database.GetMigrations().LastOrDefault();
        if (latest is null) return false;
        var connection = db.Database.GetDbConnection();
        if (db.Kind == DatabaseKind.Sqlite && new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection.ConnectionString).DataSource is var file
            && file != ":memory:" && !File.Exists(file))
            return false; // do not create the file here: the migrator does, in WAL mode
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = """SELECT "MigrationId" FROM "__migrations" ORDER BY "MigrationId" DESC LIMIT 1""";
            return await cmd.ExecuteScalarAsync(ct) is string applied && applied == latest;
        }
        catch (System.Data.Common.DbException)
        {
            return false; // no history table yet: a new database
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }
}
