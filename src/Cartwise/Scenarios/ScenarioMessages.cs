using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Messages;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>
/// What scenarios tell the outbox and the message pages. At send time the scenario's conditions are checked again:
/// the scenario still active, the scenario-wide and the rule's cap against messages really sent, and the engine's
/// send-time check (bought since the trigger, coupon redeemed).
/// </summary>
public sealed class ScenarioMessages : IMessageScenarios
{
    public async Task<ScenarioScope?> ScopeAsync(CartwiseDb db, long scenarioId, string? rule, CancellationToken ct)
    {
        var scenario = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(s => s.Id == scenarioId, ct);
        if (scenario is null) return null;
        var r = ScenarioService.Definition(scenario).Rules?.FirstOrDefault(r => r.Id == rule);
        return new ScenarioScope(r?.Strategy, r?.RecommendCategories is { Count: > 0 } c ? c : null, scenario.SenderId);
    }

    public async Task<IReadOnlyDictionary<long, List<string>>> UsersAsync(CartwiseDb db, CancellationToken ct)
    {
        var users = new Dictionary<long, List<string>>();
        foreach (var s in await db.Scenarios.AsNoTracking().Where(s => s.State != ScenarioStates.Archived).OrderBy(s => s.Id).ToListAsync(ct))
            foreach (var id in ScenarioValidator.Messages(s.Kind, ScenarioService.Definition(s)).Select(m => m.MessageId).Distinct())
                (users.TryGetValue(id, out var list) ? list : users[id] = []).Add(s.Name);
        return users;
    }

    public async Task<string?> SkipReasonAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct)
    {
        if (row.ScenarioId is not { } scenarioId || row.CustomerId is not { } customer) return null;
        var scenario = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(s => s.Id == scenarioId, ct);
        if (scenario is null) return "the scenario was deleted";
        if (scenario.State != ScenarioStates.Active) return $"the scenario is {scenario.State}";
        var definition = ScenarioService.Definition(scenario);
        // Caps count messages sent (as the seeds describe them): checked here against the outbox, whatever the engine
        // foresaw when it decided (a cap changed since, another node's engine, a restart). A row still 'sending' counts:
        // another node may be delivering it now.
        Task<bool> SentWithin(TimeSpan cap, string? rule)
        {
            var since = now - cap;
            return db.Outbox.AnyAsync(o => o.ScenarioId == scenarioId && (rule == null || o.Rule == rule) && o.CustomerId == customer && o.Id != row.Id
                && (o.Status == OutboxStatus.Sending || (o.Status == OutboxStatus.Sent && o.SentAt > since)), ct);
        }
        if (Durations.Of(definition.Cap, TimeSpan.Zero) is var cap && cap > TimeSpan.Zero && await SentWithin(cap, null))
            return "scenario cap: another message of this scenario was sent inside the cap";
        if (Durations.Of((definition.Rules ?? []).FirstOrDefault(r => r.Id == row.Rule)?.Cap, TimeSpan.Zero) is var ruleCap && ruleCap > TimeSpan.Zero
            && await SentWithin(ruleCap, row.Rule))
            return $"rule cap: another message of rule '{row.Rule}' was sent inside the cap";
        // A segment audience is asked again: the customer may have moved since the decision.
        if (definition.Audience is { BySegment: true } audience
            && audience.SegmentProblem(await db.CustomerSegments.Where(x => x.CustomerId == customer).Select(x => x.Segment).FirstOrDefaultAsync(ct)) is { } outside)
            return outside;
        var triggerAt = await db.ScenarioDecisions.Where(d => d.ScenarioId == scenarioId && d.Rule == row.Rule && d.CustomerId == customer && d.TriggerKey == row.TriggerId)
            .Select(d => (DateTimeOffset?)d.At).FirstOrDefaultAsync(ct);
        if (triggerAt is null) return null;
        // Only cross-selling looks at purchases since the trigger, and only a purchase needs the category tree.
        var purchases = new List<PurchaseFact>();
        if (scenario.Kind == ScenarioKinds.CrossSell)
        {
            var lines = await (from o in db.Orders.AsNoTracking()
                               where o.CustomerId == customer && o.PlacedAt > triggerAt
                               join l in db.OrderLines.AsNoTracking() on o.Id equals l.OrderId
                               join p in db.Products.AsNoTracking() on l.ProductId equals p.Id
                               select new { o.Id, o.PlacedAt, p.CategoryId }).ToListAsync(ct);
            purchases.AddRange(lines.GroupBy(l => l.Id).Select(g => new PurchaseFact(g.First().PlacedAt,
                g.Select(l => l.CategoryId).OfType<long>().Distinct().ToArray())));
        }
        var tree = purchases.Count > 0 ? await ScenarioService.TreeAsync(db, ct) : static (_, _) => false;
        var redeemed = false;
        if (row.Rule == "reminder")
        {
            var offer = await db.Outbox.AsNoTracking().Where(o => o.ScenarioId == scenarioId && o.CustomerId == customer && o.TriggerId == row.TriggerId && o.Rule == "offer")
                .Select(o => new { o.CouponCode, o.SentAt }).FirstOrDefaultAsync(ct);
            redeemed = offer?.CouponCode is { } code && await db.Orders.AnyAsync(o => o.CustomerId == customer && o.Coupon == code && o.PlacedAt >= offer.SentAt, ct);
        }
        return ScenarioEngine.RecheckReason(scenario.Kind, definition, tree, row.Rule ?? "", triggerAt.Value, purchases, redeemed);
    }
}
