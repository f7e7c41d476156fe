using System.CommandLine;
using Cartwise.Data;

namespace Cartwise.Cli;

/// <summary>The <c>cartwise</c> command line: one file per command in this folder.</summary>
public static class CartwiseCli
{
    /// <summary>Every command uses the same database: <c>--db</c>, else <c>CARTWISE_DB</c>, else <c>cartwise.db</c> here.</summary>
    public static readonly Option<string?> Db = new("--db")
    {
        Description = "SQLite file or PostgreSQL connection string (postgres://user:pass@host/db or Host=…); default $CARTWISE_DB, else cartwise.db",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Cartwise: cross-selling and post-purchase marketing engine for online shops.");
        root.Options.Add(Db);
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(StoreCommand.Build());
        root.Subcommands.Add(UserCommand.Build());
        root.Subcommands.Add(ImportCommand.Build());
        root.Subcommands.Add(MineCommand.Build());
        root.Subcommands.Add(EvaluateCommand.Build());
        root.Subcommands.Add(ScenariosCommand.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(AttributionCommand.Build());
        foreach (var command in BackupCommand.Build()) root.Subcommands.Add(command);
        return root;
    }

    public static DatabaseTarget Target(ParseResult result) => DatabaseTarget.Resolve(result.GetValue(Db));

    /// <summary>
    /// A plain connection for the bulk commands: the schema is checked without EF and only migrated (with EF) when it
    /// is not current.
    /// </summary>
    public static async Task<DbSession> OpenPlainAsync(ParseResult result, CancellationToken ct)
    {
        var target = Target(result);
        if (!await target.IsCurrentAsync(ct))
        {
            await using var db = target.CreateContext();
            await db.MigrateAsync(ct);
        }
        return await target.OpenSessionAsync(ct);
    }

    /// <summary>Opens the database for a CLI command, creating or upgrading the schema first.</summary>
    public static async Task<CartwiseDb> OpenAsync(ParseResult result, CancellationToken ct)
    {
        var db = Target(result).CreateContext();
        await db.MigrateAsync(ct);
        return db;
    }
}
