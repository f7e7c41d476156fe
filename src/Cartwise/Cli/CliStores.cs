using System.CommandLine;
using Cartwise.Data;
using Cartwise.Stores;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Cli;

/// <summary>The <c>--store &lt;slug&gt;</c> option shared by commands that work on one store.</summary>
public static class CliStores
{
    public static Option<string> StoreOption() => new("--store") { Description = "The store's slug", Required = true };

    /// <summary>The store named by slug, or null after printing an error that lists the stores there are.</summary>
    public static async Task<Store?> FindAsync(CartwiseDb db, string slug, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleOrDefaultAsync(s => s.Slug == slug, ct);
        if (store is not null)
        {
            db.CurrentStoreId = store.Id;
            return store;
        }
        var slugs = await db.Stores.Select(s => s.Slug).OrderBy(s => s).ToListAsync(ct);
        await Console.Error.WriteLineAsync($"error: no store '{slug}'" + (slugs.Count == 0 ? " (there are none yet: cartwise store create <slug>)." : $"; stores: {string.Join(", ", slugs)}."));
        return null;
    }

    /// <summary>Opens a local file for reading, decompressing .gz; gives the raw file position for progress.</summary>
    public static (Stream Stream, Func<long> Position, long? Length) OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        return (stream, () => file.Position, file.Length);
    }
}
