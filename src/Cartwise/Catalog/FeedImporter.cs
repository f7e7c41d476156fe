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
/// Streams the feed and writes it inside one transaction, so memory stays bounded and a feed that breaks half-way
/// changes nothing. Every run is recorded. Not thread-safe.
/// </summary>
public sealed class FeedImporter(Func<CartwiseDb> contexts, Store store, TimeProvider clock)
{
    private const int BatchSize = 1000;
    private const int KeptRejections = 100;

    public async Task<FeedRun> ImportAsync(Stream stream, string source, FeedImportOptions options, CancellationToken ct)
    {
        var format = options.Format;
        Stream input = new BufferedStream(stream, 1 << 16);
        if (format == FeedFormat.Auto) (format, input) = await SniffAsync(input, source, ct);

        using var span = Hosting.Telemetry.Source.StartActivity("cartwise.feed.run");
        span?.SetTag("cartwise.store", store.Id);
        FeedRun run;
        await using (var db = Open())
        {
            run = new FeedRun { StoreId = store.Id, Source = source, Format = format == FeedFormat.Xml ? "xml" : "csv", Full = options.Full, Status = RunStatus.Running, StartedAt = clock.GetUtcNow() };
            db.FeedRuns.Add(run);
            await db.SaveChangesAsync(ct);
        }

        var rejections = new List<FeedProblem>();
        try
        {
            await using var db = Open();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var writer = new ProductWriter(RowWriter.For(db), store.Id);
            var categories = new CategoryTree(DbSession.From(db), store.Id, writer);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var batch = new List<(FeedItem Item, long Line)>(BatchSize);
            foreach (var record in Records(input, format, options))
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
                if (!seen.Add(item.Id)) batch.RemoveAll(b => b.Item.Id == item.Id);
                batch.Add((item, record.Line));
                if (batch.Count == BatchSize) await WriteBatchAsync(db, writer, categories, run, batch, ct);
            }
            await WriteBatchAsync(db, writer, categories, run, batch, ct);

            if (options.Full)
            {
                run.MadeUnavailable = await ProductWriter.MarkUnlistedUnavailableAsync(db, run.Id, clock.GetUtcNow(), ct);
            }
            // A store with a feed: the feed owns the catalogue, and events no longer describe even the products it lacks.
            await db.Stores.Where(s => s.Id == store.Id && s.EventsUpdateProducts).ExecuteUpdateAsync(u => u.SetProperty(s => s.EventsUpdateProducts, false), ct);
            await tx.CommitAsync(ct);
            run.Status = RunStatus.Succeeded;
        }
        catch (XmlException e)
        {
            run.Status = RunStatus.Failed;
            run.Error = options.Fetched
                ? $"Malformed XML at line {e.LineNumber}, column {e.LinePosition}; is the URL a feed?"
                : $"Malformed XML at line {e.LineNumber}, column {e.LinePosition}: {e.Message}";
            run.Created = run.Updated = run.MadeUnavailable = 0;
        }
        catch (Exception e) when (e is CsvFormatException or FeedFormatException or InvalidDataException)
        {
            run.Status = RunStatus.Failed;
            run.Error = e is CsvFormatException csv ? $"Unreadable CSV at line {csv.LineNumber}{(options.Fetched ? "" : ": " + e.Message)}" : e.Message;
            run.Created = run.Updated = run.MadeUnavailable = 0;
        }
        finally
        {
            run.FinishedAt = clock.GetUtcNow();
            run.Rejections = rejections.Count == 0 ? null : JsonSerializer.Serialize(rejections, JsonSerializerOptions.Web);
            if (run.Status == RunStatus.Running) run.Status = RunStatus.Failed;
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

    private CartwiseDb Open()
    {
        var db = contexts();
        db.CurrentStoreId = store.Id;
        return db;
    }

    /// <summary>The format by the name (a .gz suffix aside), else by the first non-blank character; and the stream to read it from.</summary>
    private static async Task<(FeedFormat, Stream)> SniffAsync(Stream input, string source, CancellationToken ct)
    {
        var name = source.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? source[..^3] : source;
        if (name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".rss", StringComparison.OrdinalIgnoreCase)) return (FeedFormat.Xml, input);
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            return (FeedFormat.Csv, input);
        // Look at the start and hand it back in front of the rest: gzip and HTTP bodies cannot seek.
        var buffer = new byte[512];
        var read = 0;
        while (read < buffer.Length && await input.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read).TrimStart('\uFEFF', ' ', '\r', '\n', '\t');
        return (text.StartsWith('<') ? FeedFormat.Xml : FeedFormat.Csv, new PrefixedStream(buffer.AsMemory(0, read), input));
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

    private async Task WriteBatchAsync(CartwiseDb db, ProductWriter writer, CategoryTree categories, FeedRun run, List<(FeedItem Item, long Line)> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        var ids = batch.Select(b => b.Item.Id).ToList();
        var existing = await db.Products.AsNoTracking().Where(p => ids.Contains(p.ExternalId)).Select(p => new { p.ExternalId, p.Id }).ToDictionaryAsync(p => p.ExternalId, p => p.Id, ct);
        var now = clock.GetUtcNow();
        var inserts = new List<Product>();
        var updates = new List<(long, Product)>();
        foreach (var (item, _) in batch)
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
                GoogleProductCategory = item.GoogleProductCategory, CustomLabels = labels, LastFeedRunId = run.Id,
            };
            if (existing.TryGetValue(item.Id, out var id)) updates.Add((id, product));
            else inserts.Add(product);
        }
        await writer.InsertAsync(inserts, now, ct);
        await writer.UpdateFromFeedAsync(updates, now, ct);
        run.Created += inserts.Count;
        run.Updated += updates.Count;
        batch.Clear();
    }
}

/// <summary>The feed is not of a shape Cartwise can read (no header, no id column).</summary>
public sealed class FeedFormatException(string message) : Exception(message);
