using System.CommandLine;
using System.Diagnostics;
using Cartwise.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cartwise.Cli;

/// <summary>
/// <c>cartwise backup FILE</c> and <c>cartwise restore FILE</c>. SQLite: the online backup API, a consistent copy of the
/// database as of one commit, taken while servers keep writing (WAL: the copy's read never blocks them). PostgreSQL:
/// <c>pg_dump</c> in its custom format and <c>pg_restore</c>, which must be on the PATH (Debian: postgresql-client).
/// </summary>
public static class BackupCommand
{
    public static IEnumerable<Command> Build()
    {
        var file = new Argument<FileInfo>("file") { Description = "The backup file to write (it must not exist)" };
        var backup = new Command("backup", "Copy the database to a file while it serves (SQLite: online backup; PostgreSQL: pg_dump -Fc)") { file };
        backup.SetAction(async (result, ct) => await RunAsync(() => BackupAsync(CartwiseCli.Target(result), result.GetValue(file)!, ct)));

        var from = new Argument<FileInfo>("file") { Description = "A file written by cartwise backup" };
        var restore = new Command("restore", "Replace the database with a backup (stop the servers first; PostgreSQL: into an empty database or over the old one)") { from };
        restore.SetAction(async (result, ct) => await RunAsync(() => RestoreAsync(CartwiseCli.Target(result), result.GetValue(from)!, ct)));
        return [backup, restore];
    }

    private static async Task<int> RunAsync(Func<Task<string>> action)
    {
        try
        {
            Console.WriteLine(await action());
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or SqliteException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 1;
        }
    }

    /// <summary>Writes the backup beside its final name and renames it when complete: a file of that name is always a whole backup.</summary>
    public static async Task<string> BackupAsync(DatabaseTarget target, FileInfo file, CancellationToken ct)
    {
        if (file.Exists) throw new InvalidOperationException($"{file.FullName} exists; give a new file name.");
        if (!await target.IsCurrentAsync(ct)) throw new InvalidOperationException($"{target.Describe()} is not a Cartwise database of this version.");
        var partial = file.FullName + ".partial";
        File.Delete(partial);
        var started = Stopwatch.GetTimestamp();
        if (target.Kind == DatabaseKind.Sqlite)
        {
            await using var source = new SqliteConnection(target.ConnectionString);
            await source.OpenAsync(ct);
            await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
            {
                await destination.OpenAsync(ct);
                source.BackupDatabase(destination);
                // One self-contained file: the copy leaves WAL mode, so no -wal file belongs to it.
                await using var cmd = destination.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode=DELETE;";
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        else
        {
            await PgToolAsync("pg_dump", target, ["--format=custom", "--no-owner", "--file", partial], ct);
        }
        File.Move(partial, file.FullName);
        file.Refresh();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return FormattableString.Invariant($"Backed up {target.Describe()} to {file.FullName} ({file.Length / 1048576.0:0.0} MiB) in {seconds:0.0} s.");
    }

    public static async Task<string> RestoreAsync(DatabaseTarget target, FileInfo file, CancellationToken ct)
    {
        if (!file.Exists) throw new InvalidOperationException($"{file.FullName} does not exist.");
        if (target.Kind == DatabaseKind.Sqlite)
        {
            await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await source.OpenAsync(ct);
            await using (var check = source.CreateCommand())
            {
                check.CommandText = "PRAGMA integrity_check;";
                try
                {
                    if (await check.ExecuteScalarAsync(ct) as string != "ok") throw new InvalidOperationException($"{file.FullName} is damaged (integrity check failed); nothing was restored.");
                    check.CommandText = "SELECT COUNT(*) FROM \"__migrations\";";
                    await check.ExecuteScalarAsync(ct);
                }
                catch (SqliteException e) when (e.SqliteErrorCode is 1 or 26)
                {
                    throw new InvalidOperationException($"{file.FullName} is not a Cartwise backup ({e.Message}); nothing was restored.");
                }
            }
            await using var destination = new SqliteConnection(target.ConnectionString);
            await destination.OpenAsync(ct);
            source.BackupDatabase(destination);
            await using var wal = destination.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(ct);
        }
        else
        {
            await PgToolAsync("pg_restore", target, ["--clean", "--if-exists", "--no-owner", "--exit-on-error", file.FullName], ct);
        }
        return $"Restored {file.FullName} into {target.Describe()}.";
    }

    /// <summary>Runs pg_dump or pg_restore on the target's server, with its password in the environment (never on the command line).</summary>
    private static async Task PgToolAsync(string tool, DatabaseTarget target, IEnumerable<string> args, CancellationToken ct)
    {
        var b = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["--host", b.Host ?? "localhost", "--port", b.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--username", b.Username ?? Environment.UserName, "--dbname", b.Database ?? "postgres"]) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (b.Password is { Length: > 0 } password) psi.Environment["PGPASSWORD"] = password;
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{tool} was not found; install PostgreSQL's client programs (Debian: apt-get install postgresql-client).");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
        }
    }
}
