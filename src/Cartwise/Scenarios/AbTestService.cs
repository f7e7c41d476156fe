using System.Globalization;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Messages;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>A variant of a test: its message, share, what its sends did, and its value on the test's metric.</summary>
public sealed record VariantReport(string Id, long MessageId, string? MessageName, double Share, MessageReport Report, double Value);

/// <summary>
/// One A/B test: its settings, each variant, the leader against the runner-up (difference and 95% interval on the
/// metric), the winner once taken, and the state in words. Only sends made under the test and at least
/// <see cref="Wait"/> old count.
/// </summary>
public sealed record AbTestReport(string Rule, string Metric, int MinRecipients, string? Wait, IReadOnlyList<VariantReport> Variants, string? Leader,
    string? RunnerUp, double Difference, double Low, double High, string? Winner, DateTimeOffset? DecidedAt, string Status);

/// <summary>
/// The figures of a scenario's A/B tests, and the decision of their winners: the one write path of
/// <see cref="ScenarioTestWinner"/>. A worker asks every 10 minutes; the engines read the winners when they are built.
/// </summary>
public sealed partial class AbTestService(DatabaseTarget target, ScenarioService scenarios, TimeProvider clock, ILogger<AbTestService> log)
{
    /// <summary>Every test of a scenario (or the test of one rule) as it stands at <paramref name="now"/>.</summary>
    public static async Task<List<AbTestReport>> ReportsAsync(CartwiseDb db, Scenario s, DateTimeOffset now, string? rule, CancellationToken ct) =>
        [.. (await StatesAsync(db, s, now, rule, ct)).Select(x => x.Report)];

    /// <summary>Each test with its report and what its figures decide (the winner they would take now, or none).</summary>
    private static async Task<List<(AbTest Test, AbTestReport Report, AbOutcome Outcome)>> StatesAsync(CartwiseDb db, Scenario s, DateTimeOffset now, string? only,
        CancellationToken ct)
    {
        var tests = (ScenarioService.Definition(s).Tests ?? []).Where(t => only is null || t.Rule == only).ToList();
        var result = new List<(AbTest, AbTestReport, AbOutcome)>();
        if (tests.Count == 0) return result;
        var winners = await db.ScenarioTestWinners.AsNoTracking().Where(w => w.ScenarioId == s.Id).ToListAsync(ct);
        var ids = tests.SelectMany(t => t.Variants.Select(v => v.MessageId)).ToList();
        var names = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, ct);
        foreach (var test in tests)
        {
            var (id, rule) = (s.Id, test.Rule);
            // Sends decided under the test (their decision names a variant), by the decision's whole key.
            var scope = db.Outbox.Where(o => o.ScenarioId == id && o.Rule == rule && db.ScenarioDecisions.Any(d =>
                d.ScenarioId == id && d.Rule == rule && d.CustomerId == o.CustomerId && d.TriggerKey == o.TriggerId && d.Variant != null));
            // Sends at least the wait old (the report's end is exclusive).
            var until = (now - Durations.Of(test.Wait, TimeSpan.Zero)).AddTicks(1);
            var report = await MessageReports.ComputeAsync(db, scope, null, until, [k => k.MessageId.ToString(CultureInfo.InvariantCulture)], ct);
            var byMessage = report.Groupings[0];
            var variants = test.Variants.Select(v =>
            {
                var r = byMessage.GetValueOrDefault(v.MessageId.ToString(CultureInfo.InvariantCulture)) ?? MessageReports.Empty;
                return (v, r, Figures: new VariantFigures(v.Id, r.Sent, r.Opened, r.Clicked, r.Converted, (double)r.Revenue, r.RevenueSquares));
            }).ToList();
            var outcome = AbTests.Decide(test, [.. variants.Select(x => x.Figures)]);
            var won = winners.FirstOrDefault(w => w.Rule == rule && w.Signature == test.Signature);
            var status = won is null ? outcome.Reason
                : string.Create(CultureInfo.InvariantCulture, $"{won.Variant} won on {won.DecidedAt:yyyy-MM-dd} and gets every send since");
            result.Add((test, new AbTestReport(rule, test.Metric, test.MinRecipients, test.Wait,
                [.. variants.Select(x => new VariantReport(x.v.Id, x.v.MessageId, names.GetValueOrDefault(x.v.MessageId), x.v.Share, x.r,
                    Math.Round(AbTests.Value(test.Metric, x.Figures), 4)))],
                outcome.Leader, outcome.RunnerUp, Math.Round(outcome.Difference.Value, 4), Math.Round(outcome.Difference.Low, 4), Math.Round(outcome.Difference.High, 4),
                won?.Variant, won?.DecidedAt, status), outcome));
        }
        return result;
    }

    /// <summary>Takes the winner of every test of an active scenario that has none and whose figures say so. Returns the winners taken.</summary>
    public async Task<int> DecideAsync(CancellationToken ct)
    {
        List<(long Store, long Scenario)> active;
        await using (var db = target.CreateContext())
            active = (await db.Scenarios.IgnoreQueryFilters().AsNoTracking().Where(s => s.State == ScenarioStates.Active && s.Definition.Contains("\"tests\""))
                .Select(s => new { s.StoreId, s.Id }).ToListAsync(ct)).Select(s => (s.StoreId, s.Id)).ToList();
        var taken = 0;
        foreach (var (storeId, scenarioId) in active)
        {
            await using var db = target.CreateContext();
            db.CurrentStoreId = storeId;
            var s = await db.Scenarios.AsNoTracking().SingleAsync(x => x.Id == scenarioId, ct);
            var now = clock.GetUtcNow();
            foreach (var (test, report, outcome) in await StatesAsync(db, s, now, null, ct))
            {
                if (report.Winner is not null || outcome.Winner is null) continue;
                // One row per scenario and rule: a winner of an earlier version of the test gives way.
                await db.ScenarioTestWinners.Where(w => w.ScenarioId == scenarioId && w.Rule == test.Rule).ExecuteDeleteAsync(ct);
                db.ScenarioTestWinners.Add(new ScenarioTestWinner
                {
                    StoreId = storeId, ScenarioId = scenarioId, Rule = test.Rule, Signature = test.Signature, Variant = outcome.Winner, Metric = test.Metric,
                    Difference = outcome.Difference.Value, Low = outcome.Difference.Low, High = outcome.Difference.High, DecidedAt = now,
                });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear(); // another node took it first
                    continue;
                }
                scenarios.Forget(scenarioId);
                taken++;
                LogWinner(log, outcome.Winner, test.Rule, scenarioId, test.Metric, outcome.Difference.Low, outcome.Difference.High);
            }
        }
        return taken;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A/B test: variant {Variant} of rule {Rule} of scenario {Scenario} wins on {Metric} (95% interval {Low:0.####} to {High:0.####})")]
    private static partial void LogWinner(ILogger logger, string variant, string rule, long scenario, string metric, double low, double high);
}

/// <summary>Asks for A/B test winners every 10 minutes.</summary>
internal sealed class AbTestWorker(AbTestService tests, TimeProvider clock, ILogger<AbTestWorker> log)
    : PollingWorker(clock, TimeSpan.FromMinutes(10), log)
{
    internal override Task PassAsync(CancellationToken ct) => tests.DecideAsync(ct);
}
