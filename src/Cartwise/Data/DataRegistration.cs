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
        // Most starts find the schema current; asking without EF saves the migrator's lock and checks.
        if (await DatabaseTarget.FromContext(db).IsCurrentAsync(ct)) return;
        await db.Database.MigrateAsync(ct);
    }
}
