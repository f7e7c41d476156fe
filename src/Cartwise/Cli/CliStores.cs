using System.CommandLine;
using Cartwise.Data;
using Cartwise.Stores;

namespace Cartwise.Cli;

/// <summary>The <c>--store &lt;slug&gt;</c> option shared by commands that work on one store.</summary>
public static class CliStores
{
    public static Option<string> StoreOption() => new("--store") { Description = "The store's slug", Required = true };

    /// <summary>The store named by slug, or null after printing an error that lists the stores there are.</summary>
    public static async Task<Store?> FindAsync(CartwiseDb db, string slug, CancellationToken ct)
    {
        var store = await FindAsync(DbSession.From(db), slug, ct);
        if (store is not null) db.CurrentStoreId = store.Id;
        return store;
    }

    /// <summary>The same without EF (plain SQL), for the bulk commands: EF's start-up costs most of a second.</summary>
    public static async Task<Store?> FindAsync(DbSession db, string slug, CancellationToken ct)
    {
        var store = (await Sql.QueryAsync(db, """SELECT "Id","Slug","Name","Currency","DefaultCountry","TimeZone" FROM "Stores" WHERE "Slug"=@p0""", [slug],
            r => new Store
            {
                Id = r.GetInt64(0), Slug = r.GetString(1), Name = r.GetString(2), Currency = r.GetString(3), DefaultCountry = Sql.Text(r, 4),
                TimeZone = r.GetString(5), TrackingKeyHash = "", AdminKeyHash = "",
            }, ct)).SingleOrDefault();
        if (store is not null) return store;
        var slugs = await Sql.QueryAsync(db, """SELECT "Slug" FROM "Stores" ORDER BY "Slug" """, [], r => r.GetString(0), ct);
        await Console.Error.WriteLineAsync($"error: no store '{slug}'" + (slugs.Count == 0 ? " (there are none yet: cartwise store create <slug>)." : $"; stores: {string.Join(", ", slugs)}."));
        return null;
    }

    /// <summary>False, after saying so on stderr, when <paramref name="path"/> is not a file.</summary>
    public static async Task<bool> FileExistsAsync(string path)
    {
        if (File.Exists(path)) return true;
        await Console.Error.WriteLineAsync($"error: no file '{path}'");
        return false;
    }

    /// <summary>Opens a local file for reading, decompressing .gz; gives the raw file position for progress.</summary>
    public static (Stream Stream, Func<long> Position, long? Length) OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        return (stream, () => file.Position, file.Length);
    }
}
