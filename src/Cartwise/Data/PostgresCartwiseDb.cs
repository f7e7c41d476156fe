using Microsoft.EntityFrameworkCore;

namespace Cartwise.Data;

/// <summary>CartwiseDb on PostgreSQL (timestamptz, numeric).</summary>
public sealed class PostgresCartwiseDb(DbContextOptions<PostgresCartwiseDb> options) : CartwiseDb(options)
{
    public override DatabaseKind Kind => DatabaseKind.Postgres;
}
