using System.Text.Json;
using Cartwise.Core.Tracking;
using Cartwise.Data;
using Cartwise.Importing;
using Cartwise.Stores;

namespace Cartwise.Tracking;

/// <summary>What an event import did: lines read, events stored, duplicates (event ids already there), lines rejected and why.</summary>
public sealed record EventImportResult(long Lines, long Stored, long Duplicates, long Rejected, IReadOnlyList<ImportProblem> Problems);

/// <summary>
/// Imports tracking events in bulk, one JSON event (the API's shape) per line, validated as the API validates them
/// and written by the same <see cref="EventIngestor"/> in commits sized by <see cref="CommitSizer"/>, each moving the
/// import's run (its progress) in the same commit. The operator imports them, so they are verified: they speak for
/// their customers, as the admin key's events do. Idempotent by event id, so the same file again after a crash adds
/// what the crash cut off. Not thread-safe.
/// </summary>
public sealed class EventImporter(DatabaseTarget target, Store store, TimeProvider clock)
{
    private const int KeptProblems = 10_000;

    public async Task<EventImportResult> ImportAsync(TextReader reader, ImportSource source, CancellationToken ct)
    {
        var run = new ImportRunLog(target, store.Id, clock);
        await run.StartAsync(ImportKinds.Events, source.Name, ct);
        var problems = new List<ImportProblem>();
        long lineNo = 0, rejected = 0, stored = 0, duplicates = 0;
        var sizer = new CommitSizer(initial: 1000);
        var batch = new List<TrackedEvent>();
        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            sizer.Starting();
            // Plain connections, no EF: a CLI import is a short-lived process, and EF's start-up would cost it.
            await using var connection = await target.OpenSessionAsync(ct);
            var session = await connection.BeginAsync(ct);
            await using var tx = session.Transaction!;
            var outcomes = await new EventIngestor(session, store, clock.GetUtcNow()).WriteAsync(batch, ct);
            await run.CommittingAsync(session, lineNo, source.Position?.Invoke(), source.Length, ct);
            await tx.CommitAsync(ct);
            sizer.Committed(batch.Count);
            stored += outcomes.Count(o => o.Status == WriteStatus.Stored);
            duplicates += outcomes.Count(o => o.Status == WriteStatus.Duplicate);
            batch.Clear();
        }
        void Reject(string reason)
        {
            rejected++;
            if (problems.Count < KeptProblems) problems.Add(new ImportProblem(lineNo, reason));
        }
        try
        {
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
                if (batch.Count >= sizer.Size) await FlushAsync();
            }
            await FlushAsync();
        }
        catch (Exception e)
        {
            await run.FinishAsync(false, lineNo, null, e is OperationCanceledException ? "cancelled; what was committed stays, and the same file again adds the rest" : e.Message);
            throw;
        }
        await run.FinishAsync(true, lineNo, new Dictionary<string, long> { ["stored"] = stored, ["duplicates"] = duplicates, ["rejected"] = rejected }, null);
        return new EventImportResult(lineNo, stored, duplicates, rejected, problems);
    }
}
