using System.Text.Json;
using System.Xml;
using Cartwise.Core.Catalog;
using Cartwise.Data;
using Cartwise.Stores;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Catalog;

public enum FeedFormat { Auto, Xml, Csv }

/// <summary>How to read one feed.</summary>
/// <param name="Full">The feed lists the whole catalogue: products it does not list become unavailable.</param>
/// <param name="CsvMap">CSV column name → Merchant Center attribute, for columns whose names do not say it.</param>
/// <param name="Fetched">
/// The feed came from a URL: its errors give positions only, never its content (a schedule pointed at an internal
/// page must not read it back through the run's error).
/// </param>
public sealed record FeedImportOptions(FeedFormat Format = FeedFormat.Auto, bool Full = true, IReadOnlyDictionary<string, string>? CsvMap = null, bool Fetched = false);

/// <summary>A feed run failed as a whole (malformed XML, unreadable CSV): nothing of it was kept.</summary>
public sealed class FeedFailedException(string message, FeedRun run) : Exception(message)
{
    public FeedRun Run { get; } = run;
}

/// <summary>
/// Imports a Google Merchant Center feed (XML or CSV) into a store's catalogue: upsert by id, category tree from
/// product_type and google_product_category, products missing from a full feed made unavailable (never deleted).
/// The feed is read twice: through once before anything is written, so a feed that breaks half-way changes nothing,
/// then again to write it in commits sized by <see cref="CommitSizer"/>, so that tracking never waits long behind a
/// large catalogue. Each commit moves the run's counts (its progress); the unlisted products go unavailable in the last
/// one. A run cut short (a crash) keeps its commits, and the same feed again gives the same catalogue. Memory stays
/// bounded: a stream that cannot seek is spooled to a temporary file. Every run is recorded. Not thread-safe.
/// </summary>
public sealed class FeedImporter(Func<CartwiseDb> contexts, Store store, TimeProvider clock)
{
    private const int KeptRejections = 100;

    public async Task<FeedRun> ImportAsync(Stream stream, string source, FeedImportOptions options, CancellationToken ct)
    {
        using var span = Hosting.Telemetry.Source.StartActivity("cartwise.feed.run");
        span?.SetTag("cartwise.store", store.Id);
        // The format as far as the options and the name say; the content decides below when they do not.
        var format = options.Format == FeedFormat.Auto ? SniffName(source) : options.Format;
        FeedRun run;
        await using (var db = Open())
        {
            var now = clock.GetUtcNow();
            run = new FeedRun { StoreId = store.Id, Source = source, Format = format == FeedFormat.Csv ? "csv" : "xml", Full = options.Full, Status = RunStatus.Running, StartedAt = now, UpdatedAt = now };
            db.FeedRuns.Add(run);
            await db.SaveChangesAsync(ct);
        }

        var rejections = new List<FeedProblem>();
        Stream? spool = null;
        try
        {
            if (!stream.CanSeek) spool = await SpoolAsync(stream, ct);
            var input = spool ?? stream;
            var start = input.Position;
            if (format == FeedFormat.Auto) format = SniffContent(input);
            run.Format = format == FeedFormat.Csv ? "csv" : "xml";

            // Through once: a feed broken anywhere fails here, before its first product is written.
            foreach (var _ in Records(new BufferedStream(input, 1 << 16), format, options))
            {
                ct.ThrowIfCancellationRequested();
                run.ItemsRead++;
            }
            run.ItemsTotal = run.ItemsRead;
            run.ItemsRead = 0;
            input.Position = start;

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var sizer = new CommitSizer(initial: 1000);
            var batch = new List<FeedItem>();
            Dictionary<string, long>? categories = null;
            foreach (var record in Records(new BufferedStream(input, 1 << 16), format, options))
            {
                ct.ThrowIfCancellationRequested();
                run.ItemsRead++;
                var (item, problems) = FeedItemReader.Read(record.Fields, record.Line, store.Currency);
                if (item is null)
                {
                    run.Rejected++;
                    if (rejections.Count < KeptRejections) rejections.AddRange(problems);
                    continue;
                }
                // An id listed twice: the later entry wins, counted once.
                if (!seen.Add(item.Id)) batch.RemoveAll(b => b.Id == item.Id);
                batch.Add(item);
                if (batch.Count >= sizer.Size) categories = await CommitAsync(run, batch, categories, sizer, last: false, ct);
            }
            await CommitAsync(run, batch, categories, sizer, last: true, ct);
        }
        catch (XmlException e)
        {
            run.Status = RunStatus.Failed;
            run.Error = options.Fetched
                ? $"Malformed XML at line {e.LineNumber}, column {e.LinePosition}; is the URL a feed?"
                : $"Malformed XML at line {e.LineNumber}, column {e.LinePosition}: {e.Message}";
        }
        catch (Exception e) when (e is CsvFormatException or FeedFormatException or InvalidDataException)
        {
            run.Status = RunStatus.Failed;
            run.Error = e is CsvFormatException csv ? $"Unreadable CSV at line {csv.LineNumber}{(options.Fetched ? "" : ": " + e.Message)}" : e.Message;
        }
        finally
        {
            if (spool is not null) await spool.DisposeAsync();
            run.FinishedAt = run.UpdatedAt = clock.GetUtcNow();
            run.Rejections = rejections.Count == 0 ? null : JsonSerializer.Serialize(rejections, JsonSerializerOptions.Web);
            if (run.Status == RunStatus.Running)
            {
                run.Status = RunStatus.Failed;
                run.Error ??= run.Created + run.Updated > 0
                    ? $"Stopped after {run.ItemsRead:N0} of {run.ItemsTotal:N0} items; what was written stays, and the same feed again completes it."
                    : "Stopped before anything was written.";
            }
            await using var db = Open();
            db.FeedRuns.Update(run);
            await db.SaveChangesAsync(CancellationToken.None);
            Hosting.Telemetry.FeedRuns.Add(1, Hosting.Telemetry.Tag("status", run.Status));
            if (run.Status == RunStatus.Succeeded) Hosting.Telemetry.ImportedRows.Add(run.Created + run.Updated, Hosting.Telemetry.Tag("kind", "feed"));
            else span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, run.Error);
        }
        if (run.Status == RunStatus.Failed) throw new FeedFailedException(run.Error ?? "The feed run failed.", run);
        return run;
    }

    /// <summary>
    /// Writes a chunk of products with the run's counts in one commit. The last commit also makes what a full feed no
    /// longer lists unavailable, hands the catalogue to the feed and marks the run succeeded. Gives the category paths
    /// known so far, for the next chunk.
    /// </summary>
    private async Task<Dictionary<string, long>?> CommitAsync(FeedRun run, List<FeedItem> batch, Dictionary<string, long>? categories, CommitSizer sizer, bool last,
        CancellationToken ct)
    {
        sizer.Starting();
        await using var db = Open();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var writer = new ProductWriter(RowWriter.For(db), store.Id);
        var tree = new CategoryTree(DbSession.From(db), store.Id, writer, categories);
        var (created, updated) = await WriteBatchAsync(db, writer, tree, run.Id, batch, ct);
        var now = clock.GetUtcNow();
        var status = run.Status;
        var madeUnavailable = 0;
        if (last)
        {
            if (run.Full) madeUnavailable = await ProductWriter.MarkUnlistedUnavailableAsync(db, run.Id, now, ct);
            // A store with a feed: the feed owns the catalogue, and events no longer describe even the products it lacks.
            await db.Stores.Where(s => s.Id == store.Id && s.EventsUpdateProducts).ExecuteUpdateAsync(u => u.SetProperty(s => s.EventsUpdateProducts, false), ct);
            status = RunStatus.Succeeded;
        }
        await db.FeedRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.ItemsTotal, run.ItemsTotal).SetProperty(r => r.ItemsRead, run.ItemsRead).SetProperty(r => r.Rejected, run.Rejected)
            .SetProperty(r => r.Created, run.Created + created).SetProperty(r => r.Updated, run.Updated + updated)
            .SetProperty(r => r.MadeUnavailable, madeUnavailable).SetProperty(r => r.Status, status).SetProperty(r => r.UpdatedAt, now), ct);
        await tx.CommitAsync(ct);
        run.Created += created;
        run.Updated += updated;
        run.MadeUnavailable = madeUnavailable;
        run.Status = status;
        sizer.Committed(batch.Count);
        batch.Clear();
        return tree.Known;
    }

    /// <summary>A stream that cannot seek (a download, a decompressed body), copied to a temporary file deleted on close.</summary>
    private static async Task<Stream> SpoolAsync(Stream stream, CancellationToken ct)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"cartwise-feed-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            1 << 16, FileOptions.DeleteOnClose);
        try
        {
            await stream.CopyToAsync(file, ct);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        file.Position = 0;
        return file;
    }

    private CartwiseDb Open()
    {
        var db = contexts();
        db.CurrentStoreId = store.Id;
        return db;
    }

    /// <summary>The format by the name (a .gz suffix aside); <see cref="FeedFormat.Auto"/> when the name does not say.</summary>
    private static FeedFormat SniffName(string source)
    {
        var name = source.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? source[..^3] : source;
        if (name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".rss", StringComparison.OrdinalIgnoreCase)) return FeedFormat.Xml;
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            return FeedFormat.Csv;
        return FeedFormat.Auto;
    }

    /// <summary>The format by the first non-blank character; the stream is put back where it was.</summary>
    private static FeedFormat SniffContent(Stream input)
    {
        var at = input.Position;
        var buffer = new byte[512];
        var read = input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        input.Position = at;
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF', ' ', '\r', '\n', '\t');
        return text.StartsWith('<') ? FeedFormat.Xml : FeedFormat.Csv;
    }

    private static IEnumerable<RawFeedRecord> Records(Stream input, FeedFormat format, FeedImportOptions options) =>
        format == FeedFormat.Xml ? ReadXml(input) : ReadCsv(input, options.CsvMap, options.Fetched);

    private static IEnumerable<RawFeedRecord> ReadXml(Stream input)
    {
        using var reader = XmlReader.Create(input, MerchantXmlFeed.Settings);
        foreach (var r in MerchantXmlFeed.Read(reader)) yield return r;
    }

    private static IEnumerable<RawFeedRecord> ReadCsv(Stream input, IReadOnlyDictionary<string, string>? map, bool fetched)
    {
        // A record larger than this is not a product (an unclosed quote, a hostile file): the run fails at its line.
        using var csv = CsvReader.Create(input, new CsvReaderOptions { HasHeader = true, TrackLineNumbers = true, MaxRecordSize = 1 << 20 }, true);
        var header = csv.Headers.ToArray();
        if (header.Length == 0) throw new FeedFormatException("The CSV feed has no header row.");
        var fields = new string?[header.Length];
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            if (map is not null && map.TryGetValue(name, out var mapped)) { fields[i] = mapped; continue; }
            var normal = name.ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
            if (normal.StartsWith("g:", StringComparison.Ordinal)) normal = normal[2..];
            fields[i] = FeedItemReader.Fields.Contains(normal) ? normal : null;
        }
        if (!fields.Contains("id"))
            throw new FeedFormatException(fetched
                ? $"The CSV feed has no id column ({header.Length} columns); is the URL a feed?"
                : $"The CSV feed has no id column (columns: {string.Join(", ", header.Take(20))}); name one with --map COLUMN=id.");
        while (csv.Read())
        {
            var record = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < fields.Length && i < csv.FieldCount; i++)
                if (fields[i] is { } f) record[f] = csv.GetString(i);
            yield return new RawFeedRecord(record, csv.LineNumber);
        }
    }

    /// <summary>Inserts and updates a chunk's products; gives how many of each.</summary>
    private async Task<(int Created, int Updated)> WriteBatchAsync(CartwiseDb db, ProductWriter writer, CategoryTree categories, long runId, List<FeedItem> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return (0, 0);
        var ids = batch.Select(b => b.Id).ToList();
        var existing = await db.Products.AsNoTracking().Where(p => ids.Contains(p.ExternalId)).Select(p => new { p.ExternalId, p.Id }).ToDictionaryAsync(p => p.ExternalId, p => p.Id, ct);
        var now = clock.GetUtcNow();
        var inserts = new List<Product>();
        var updates = new List<(long, Product)>();
        foreach (var item in batch)
        {
            long? categoryId = null;
            if (item.GoogleProductCategory is { } g && !g.All(char.IsAsciiDigit)) categoryId = await categories.EnsureAsync(CategoryPaths.Split(g), ct);
            if (CategoryPaths.Split(item.ProductType) is { Count: > 0 } type) categoryId = await categories.EnsureAsync(type, ct);
            var labels = item.CustomLabels.All(l => l is null) ? null : string.Join('\t', item.CustomLabels.Select(l => l ?? ""));
            var availability = item.Availability switch
            {
                Availability.InStock => "in_stock", Availability.OutOfStock => "out_of_stock", Availability.Preorder => "preorder", _ => "backorder",
            };
            var product = new Product
            {
                ExternalId = item.Id,
                Name = item.Title, Description = item.Description, Brand = item.Brand, Price = item.Price, SalePrice = item.SalePrice, Currency = item.Currency,
                CategoryId = categoryId, Available = item.Availability != Availability.OutOfStock, Availability = availability, Link = item.Link,
                ImageLink = item.ImageLink, ItemGroupId = item.ItemGroupId, Gtin = item.Gtin, Condition = item.Condition,
                GoogleProductCategory = item.GoogleProductCategory, CustomLabels = labels, LastFeedRunId = runId,
            };
            if (existing.TryGetValue(item.Id, out var id)) updates.Add((id, product));
            else inserts.Add(product);
        }
        await writer.InsertAsync(inserts, now, ct);
        await writer.UpdateFromFeedAsync(updates, now, ct);
        return (inserts.Count, updates.Count);
    }
}

/// <summary>The feed is not of a shape Cartwise can read (no header, no id column).</summary>
public sealed class FeedFormatException(string message) : Exception(message);
