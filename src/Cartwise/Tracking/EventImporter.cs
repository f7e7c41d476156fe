using System.Text.Json;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Stores;

namespace Cartwise.Tracking;

/// <summary>What an event import did: lines read, events stored, duplicates (event ids already there), lines rejected and why.</summary>
public sealed record EventImportResult(long Lines, long Stored, long Duplicates, long Rejected, IReadOnlyList<ImportProblem> Problems);

/// <summary>
/// Imports tracking events in bulk, one JSON event (the API's shape) per line, validated as the API validates them
/// and written by the same <see cref="EventIngestor"/> in commits of a thousand. The operator imports them, so they
/// are verified: they speak for their customers, as the admin key's events do. Idempotent by event id. Not thread-safe.
/// </summary>
public sealed class EventImporter(DatabaseTarget target, Store store, TimeProvider clock)
{
    private const int BatchSize = 1000;
    private const int KeptProblems = 10_000;

    public async Task<EventImportResult> ImportAsync(TextReader reader, CancellationToken ct)
    {
        var problems = new List<ImportProblem>();
        long lineNo = 0, rejected = 0, stored = 0, duplicates = 0;
        var batch = new List<TrackedEvent>(BatchSize);
        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            await using var db = target.CreateContext();
            db.CurrentStoreId = store.Id;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var outcomes = await new EventIngestor(db, store, clock.GetUtcNow()).WriteAsync(batch, ct);
            await tx.CommitAsync(ct);
            stored += outcomes.Count(o => o.Status == WriteStatus.Stored);
            duplicates += outcomes.Count(o => o.Status == WriteStatus.Duplicate);
            batch.Clear();
        }
        void Reject(string reason)
        {
            rejected++;
            if (problems.Count < KeptProblems) problems.Add(new ImportProblem(lineNo, reason));
        }
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            ParsedEvent parsed;
            try
            {
                using var doc = JsonDocument.Parse(line);
                parsed = EventParser.ParseEvent(doc.RootElement, 0, "", new ParseContext(clock.GetUtcNow(), store.DefaultCountry, null));
            }
            catch (JsonException e)
            {
                Reject("malformed JSON: " + e.Message.Split(" Path:")[0]);
                continue;
            }
            if (!parsed.IsValid)
            {
                Reject(string.Join("; ", parsed.Errors.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")));
                continue;
            }
            batch.Add(parsed.Event! with { Verified = true });
            if (batch.Count == BatchSize) await FlushAsync();
        }
        await FlushAsync();
        return new EventImportResult(lineNo, stored, duplicates, rejected, problems);
    }
}
