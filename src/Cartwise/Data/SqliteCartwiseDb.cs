using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Cartwise.Data;

/// <summary>CartwiseDb on SQLite. Times are stored as UTC ticks so that they sort and compare in SQL.</summary>
public sealed class SqliteCartwiseDb(DbContextOptions<SqliteCartwiseDb> options) : CartwiseDb(options)
{
    public override DatabaseKind Kind => DatabaseKind.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
