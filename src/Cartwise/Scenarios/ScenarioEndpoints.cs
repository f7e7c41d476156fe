using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Cartwise.Core.Analytics;
using Cartwise.Core.Messages;
using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Cartwise.Hosting;
using Cartwise.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>
/// A scenario as the seeds' wizard builds it: customize (rules or tiers, delay, caps, holdout, quiet hours,
/// audience), languages, sender; design is the message of each rule or tier; coupons live on the messages.
/// </summary>
public sealed record ScenarioRequest(
    [property: Required, MaxLength(200)] string Name,
    [property: Required] string Kind,
    [property: Required] ScenarioDefinition Customize,
    List<string>? Languages,
    long? SenderId);

public sealed record Problem(string Path, string Error);

/// <summary>The summary step: whether the scenario can be activated, and what is missing.</summary>
public sealed record ScenarioSummary(bool Valid, IReadOnlyList<Problem> Problems);

public sealed record ScenarioView(long Id, string Name, string Kind, string State, ScenarioDefinition Customize, IReadOnlyList<string> Languages, long? SenderId,
    ScenarioSummary Summary, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ActivatedAt);

public sealed record ScenarioListItem(long Id, string Name, string Kind, string State, DateTimeOffset UpdatedAt);

public sealed record DecisionView(long Id, long ScenarioId, string Rule, long CustomerId, string TriggerKey, string Kind, string? Reason, DateTimeOffset At,
    DateTimeOffset? DueAt, DateTimeOffset DecidedAt, long MessageId, long? OutboxId, string? SendStatus, string? SendReason, DateTimeOffset? SentAt, string? Variant);

/// <summary>The store's order values (net of refunds) in equal buckets up to the 95th percentile, the rest in one.</summary>
public sealed record OrderValueHistogram(string Currency, int Orders, IReadOnlyList<ValueBucket> Buckets);

public sealed record TierSuggestion(decimal AverageOrderValue, decimal MedianOrderValue, int Orders, string Currency, IReadOnlyList<OrderTier> Tiers);

/// <summary>Treated customers against the holdout: conversion within 7 days of the trigger and revenue per customer.</summary>
public sealed record HoldoutComparison(int TreatedCustomers, int HoldoutCustomers, double TreatedConversion, double HoldoutConversion,
    double IncrementalConversion, double IncrementalConversionLow, double IncrementalConversionHigh, decimal TreatedRevenuePerCustomer,
    decimal HoldoutRevenuePerCustomer, decimal IncrementalRevenue);

public sealed record ScenarioReport(long ScenarioId, MessageReport Total, IReadOnlyDictionary<string, MessageReport> ByRule,
    IReadOnlyDictionary<string, MessageReport> ByLanguage, HoldoutComparison Holdout);

public sealed record ScenarioTestSend([property: Required] List<string> To);

public sealed record LanguageCount(string Language, int Customers);

/// <summary>Seed 001, step 2: who the store can write to, in how many languages, and the most common one.</summary>
public sealed record LanguageOverview(int Customers, int Languages, string? MostCommon, IReadOnlyList<LanguageCount> ByLanguage, int WithoutLanguage);

public static class ScenarioEndpoints
{
    public static IEndpointRouteBuilder MapScenarioEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/scenarios").RequireAuthorization(KeyAuth.AdminPolicy).WithTags("Scenarios");
        g.MapGet("/", ListAsync).WithSummary("The store's scenarios with kind and state.");
        g.MapPost("/", CreateAsync).WithSummary("Create a scenario (a draft).");
        g.MapGet("/languages", LanguagesAsync).WithSummary("The languages step: customers with email consent, how many languages they use, the most common one.");
        g.MapGet("/order-values", OrderValuesAsync).WithSummary("The store's order values as a histogram (the customize step of a post-purchase scenario draws it under the tiers).");
        g.MapGet("/suggested-tiers", SuggestTiersAsync).WithSummary("Post-purchase tier bounds from the store's order values (quantiles around the average).");
        g.MapGet("/decisions", CustomerDecisionsAsync).WithSummary("Every scenario's decisions about one customer (?customerId=): why they got, or did not get, each email.");
        g.MapGet("/{id:long}", GetAsync).WithSummary("One scenario with its summary (can it be activated, what is missing).");
        g.MapPut("/{id:long}", UpdateAsync).WithSummary("Change a draft or paused scenario.");
        g.MapDelete("/{id:long}", DeleteAsync).WithSummary("Delete a draft or archived scenario.");
        g.MapPost("/{id:long}/validate", ValidateAsync).WithSummary("The summary step: what stops activation.");
        g.MapPost("/{id:long}/activate", ActivateAsync).WithSummary("Start the scenario (only a valid one); it reacts to events from now on.");
        g.MapPost("/{id:long}/pause", PauseAsync).WithSummary("Pause: no new decisions; due messages are skipped.");
        g.MapPost("/{id:long}/archive", ArchiveAsync).WithSummary("Archive a scenario.");
        g.MapPost("/{id:long}/duplicate", DuplicateAsync).WithSummary("Copy a scenario as a new draft.");
        g.MapPost("/{id:long}/test-send", TestSendAsync).WithSummary("Send every message of the scenario to chosen addresses with sample data.");
        g.MapGet("/{id:long}/suggested-rules", CrossSellSuggestions.GetAsync).WithSummary("A cross-selling scenario's suggested rules: the strongest category-level next-purchase rules as rules with their delay, cap, figures and reach over the last 90 days.");
        g.MapPost("/{id:long}/simulate", SimulateAsync).WithSummary("Replay stored history between ?from= and ?to= through the scenario, sending nothing.");
        g.MapGet("/{id:long}/decisions", DecisionsAsync).WithSummary("The scenario's decisions, newest first (?customerId=, ?kind=).");
        g.MapGet("/{id:long}/report", ReportAsync).WithSummary("Per rule or tier and language: sent, opens, clicks, orders, revenue, coupons; against the holdout group.");
        g.MapGet("/{id:long}/tests", TestsAsync).WithSummary("The scenario's A/B tests: each variant's figures, the leader against the runner-up with the 95% interval, the winner once taken.");
        return app;
    }

    internal static async Task<Ok<ItemsPage<ScenarioListItem>>> ListAsync(CartwiseDb db, CancellationToken ct) =>
        TypedResults.Ok(new ItemsPage<ScenarioListItem>(await db.Scenarios.AsNoTracking().OrderBy(s => s.Id)
            .Select(s => new ScenarioListItem(s.Id, s.Name, s.Kind, s.State, s.UpdatedAt)).ToListAsync(ct)));

    internal static async Task<Results<Ok<ScenarioView>, NotFound>> GetAsync(long id, CartwiseDb db, CancellationToken ct) =>
        await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } s ? TypedResults.Ok(await ViewAsync(db, s, ct)) : TypedResults.NotFound();

    private static async Task<ScenarioView> ViewAsync(CartwiseDb db, Scenario s, CancellationToken ct) =>
        new(s.Id, s.Name, s.Kind, s.State, ScenarioService.Definition(s), Languages(s), s.SenderId, await SummaryAsync(db, s, ct), s.CreatedAt, s.UpdatedAt, s.ActivatedAt);

    private static List<string> Languages(Scenario s) => s.Languages is { Length: > 0 } l ? [.. l.Split(',')] : [];

    internal static async Task<Results<Created<ScenarioView>, ValidationProblem>> CreateAsync(ScenarioRequest request, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        if (Shape(request) is { } problem) return problem;
        var now = clock.GetUtcNow();
        var s = new Scenario { StoreId = db.CurrentStoreId, Name = "", Kind = "", Definition = "", CreatedAt = now };
        Apply(s, request, now);
        db.Scenarios.Add(s);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/scenarios/{s.Id}", await ViewAsync(db, s, ct));
    }

    internal static async Task<Results<Ok<ScenarioView>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(long id, ScenarioRequest request, CartwiseDb db,
        ScenarioService scenarios, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.Scenarios.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        if (s.State is ScenarioStates.Active or ScenarioStates.Archived) return Problems.Conflict($"the scenario is {s.State}: pause it before changing it");
        if (Shape(request) is { } problem) return problem;
        Apply(s, request, Later(clock.GetUtcNow(), s.UpdatedAt));
        await db.SaveChangesAsync(ct);
        scenarios.Forget(id);
        return TypedResults.Ok(await ViewAsync(db, s, ct));
    }

    private static DateTimeOffset Later(DateTimeOffset now, DateTimeOffset before) => now > before ? now : before.AddTicks(1);

    private static void Apply(Scenario s, ScenarioRequest r, DateTimeOffset now)
    {
        s.Name = r.Name.Trim();
        s.Kind = r.Kind;
        s.Definition = JsonSerializer.Serialize(r.Customize, ScenarioService.Json);
        s.Languages = r.Languages is { Count: > 0 } l ? string.Join(',', l.Select(x => x.Trim())) : null;
        s.SenderId = r.SenderId;
        s.UpdatedAt = now;
    }

    /// <summary>Errors a scenario cannot even be saved with: the definition's own rules (durations, tiers, kinds).</summary>
    private static ValidationProblem? Shape(ScenarioRequest r) => ShapeErrors(r) is { Count: > 0 } errors ? Problems.Fields(errors) : null;

    /// <summary>The errors of <see cref="Shape"/> as (path, error) pairs, for the wizard's fields.</summary>
    internal static List<(string Path, string Error)> ShapeErrors(ScenarioRequest r)
    {
        var errors = ScenarioValidator.Validate(r.Kind, r.Customize).ToList();
        if (r.Languages is { } languages)
            for (var i = 0; i < languages.Count; i++)
                if (string.IsNullOrWhiteSpace(languages[i]) || languages[i].Contains(',', StringComparison.Ordinal))
                    errors.Add(($"languages[{i}]", "a language tag such as en or pt-BR"));
        return errors;
    }

    /// <summary>
    /// What activation needs beyond the shape: every rule or tier with an existing message that has a variant in its
    /// default language and in every language of the scenario, a sender (the scenario's or the message's), a coupon
    /// source where the message has a COUPON block, and categories that exist.
    /// </summary>
    internal static async Task<ScenarioSummary> SummaryAsync(CartwiseDb db, Scenario s, CancellationToken ct)
    {
        var definition = ScenarioService.Definition(s);
        var problems = ScenarioValidator.Validate(s.Kind, definition).Select(e => new Problem(e.Path, e.Error)).ToList();
        if (s.SenderId is { } sid && !await db.Senders.AnyAsync(x => x.Id == sid, ct)) problems.Add(new("senderId", $"no sender {sid}"));
        var languages = Languages(s);
        foreach (var (key, rule, _, messageId) in ScenarioWizard.Choices(s.Kind, definition))
        {
            var m = await db.Messages.AsNoTracking().SingleOrDefaultAsync(x => x.Id == messageId, ct);
            var at = $"design.{key}";
            if (m is null)
            {
                problems.Add(new(at, messageId == 0 ? "no message chosen" : $"message {messageId} does not exist"));
                continue;
            }
            var variants = JsonSerializer.Deserialize<List<MessageVariant>>(m.Variants, MessageComposer.Json) ?? [];
            if (!variants.Any(v => string.Equals(v.Language, m.DefaultLanguage, StringComparison.OrdinalIgnoreCase)))
                problems.Add(new(at, $"message '{m.Name}' has no variant in its default language {m.DefaultLanguage}"));
            foreach (var l in languages.Where(l => !variants.Any(v => string.Equals(v.Language, l, StringComparison.OrdinalIgnoreCase))))
                problems.Add(new(at, $"message '{m.Name}' has no '{l}' variant (the scenario's languages are {string.Join(", ", languages)})"));
            if (s.SenderId is null && m.SenderId is null) problems.Add(new(at, $"message '{m.Name}' has no sender and the scenario has none"));
            if (MessageValidator.Uses(variants, BlockTypes.Coupon) && m.CouponMode == CouponModes.None)
                problems.Add(new($"coupons.{key}", $"message '{m.Name}' has a COUPON block but no coupon source"));
            if (s.Kind == ScenarioKinds.BounceBack && rule == "offer" && m.CouponMode == CouponModes.None)
                problems.Add(new($"coupons.{key}", $"a bounce-back offer needs a coupon: message '{m.Name}' has none"));
        }
        var categories = (definition.Rules ?? []).SelectMany(r => r.Categories.Concat(r.AdditionalCategories ?? []).Concat(r.RecommendCategories ?? [])).Distinct().ToList();
        var known = await db.Categories.Where(c => categories.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        foreach (var missing in categories.Except(known)) problems.Add(new("customize.rules", $"category {missing} does not exist"));
        return new ScenarioSummary(problems.Count == 0, problems);
    }

    internal static async Task<Results<Ok<ScenarioSummary>, NotFound>> ValidateAsync(long id, CartwiseDb db, CancellationToken ct) =>
        await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } s ? TypedResults.Ok(await SummaryAsync(db, s, ct)) : TypedResults.NotFound();

    internal static async Task<Results<Ok<ScenarioView>, NotFound, ValidationProblem, ProblemHttpResult>> ActivateAsync(long id, CartwiseDb db, ScenarioService scenarios,
        TimeProvider clock, CancellationToken ct)
    {
        var s = await db.Scenarios.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        if (s.State == ScenarioStates.Archived) return Problems.Conflict("an archived scenario cannot be activated; duplicate it");
        var summary = await SummaryAsync(db, s, ct);
        if (!summary.Valid)
            return Problems.Fields(summary.Problems.Select(p => (p.Path, p.Error)), "The scenario cannot be activated");
        var now = clock.GetUtcNow();
        await ScenarioService.EnsureCursorAsync(db, now, ct);
        s.State = ScenarioStates.Active;
        s.ActivatedAt = now;
        s.UpdatedAt = Later(now, s.UpdatedAt);
        await db.SaveChangesAsync(ct);
        scenarios.Forget(id);
        return TypedResults.Ok(await ViewAsync(db, s, ct));
    }

    private static async Task<Results<Ok<ScenarioView>, NotFound, ProblemHttpResult>> MoveAsync(long id, string to, string[] from, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.Scenarios.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        if (!from.Contains(s.State)) return Problems.Conflict($"a {s.State} scenario cannot become {to}");
        s.State = to;
        s.UpdatedAt = Later(clock.GetUtcNow(), s.UpdatedAt);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await ViewAsync(db, s, ct));
    }

    internal static Task<Results<Ok<ScenarioView>, NotFound, ProblemHttpResult>> PauseAsync(long id, CartwiseDb db, TimeProvider clock, CancellationToken ct) =>
        MoveAsync(id, ScenarioStates.Paused, [ScenarioStates.Active, ScenarioStates.Paused], db, clock, ct);

    internal static Task<Results<Ok<ScenarioView>, NotFound, ProblemHttpResult>> ArchiveAsync(long id, CartwiseDb db, TimeProvider clock, CancellationToken ct) =>
        MoveAsync(id, ScenarioStates.Archived, [ScenarioStates.Draft, ScenarioStates.Paused, ScenarioStates.Active], db, clock, ct);

    internal static async Task<Results<Created<ScenarioView>, NotFound>> DuplicateAsync(long id, CartwiseDb db, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        var now = clock.GetUtcNow();
        var copy = new Scenario { StoreId = s.StoreId, Name = "Copy of " + s.Name, Kind = s.Kind, Definition = s.Definition, Languages = s.Languages, SenderId = s.SenderId, CreatedAt = now, UpdatedAt = now };
        db.Scenarios.Add(copy);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/scenarios/{copy.Id}", await ViewAsync(db, copy, ct));
    }

    internal static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(long id, CartwiseDb db, CancellationToken ct)
    {
        var s = await db.Scenarios.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        if (s.State is not (ScenarioStates.Draft or ScenarioStates.Archived)) return Problems.Conflict($"a {s.State} scenario cannot be deleted; archive it first");
        if (await db.ScenarioDecisions.AnyAsync(d => d.ScenarioId == id, ct)) return Problems.Conflict("the scenario has decisions (reports read them); archive it instead");
        db.Scenarios.Remove(s);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<ItemsPage<SendResult>>, NotFound, ValidationProblem>> TestSendAsync(long id, ScenarioTestSend request, CartwiseDb db,
        MessageComposer composer, OutboxService outbox, TimeProvider clock, CancellationToken ct)
    {
        var s = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        var results = new List<SendResult>();
        foreach (var (rule, messageId) in ScenarioValidator.Messages(s.Kind, ScenarioService.Definition(s)).DistinctBy(m => m.MessageId))
        {
            var r = await MessageEndpoints.SendTestAsync(messageId, (s.Id, rule), new TestSendRequest(request.To, null), db, composer, outbox, clock, ct);
            switch (r.Result)
            {
                case Ok<ItemsPage<SendResult>> ok: results.AddRange(ok.Value!.Items); break;
                case ValidationProblem problem: return problem;
                default: return Problems.Field("design", $"message {messageId} does not exist");
            }
        }
        return TypedResults.Ok(new ItemsPage<SendResult>(results));
    }

    internal static async Task<Results<Ok<SimulationResult>, NotFound, ValidationProblem>> SimulateAsync(long id, DateTimeOffset? from, DateTimeOffset? to, CartwiseDb db,
        CancellationToken ct)
    {
        var s = await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return TypedResults.NotFound();
        if (ScenarioValidator.Validate(s.Kind, ScenarioService.Definition(s)) is { Count: > 0 } errors) return Problems.Field(errors[0].Path, errors[0].Error);
        var store = await db.Stores.AsNoTracking().SingleAsync(x => x.Id == db.CurrentStoreId, ct);
        return TypedResults.Ok(await ScenarioSimulator.RunAsync(db, s, store, from ?? DateTimeOffset.MinValue, to ?? DateTimeOffset.MaxValue, ct));
    }

    internal static async Task<Results<Ok<ItemsPage<DecisionView>>, NotFound>> DecisionsAsync(long id, long? customerId, string? kind, int? limit, CartwiseDb db, CancellationToken ct)
    {
        if (!await db.Scenarios.AnyAsync(s => s.Id == id, ct)) return TypedResults.NotFound();
        var q = db.ScenarioDecisions.AsNoTracking().Where(d => d.ScenarioId == id);
        if (customerId is not null) q = q.Where(d => d.CustomerId == customerId);
        if (kind is not null) q = q.Where(d => d.Kind == kind);
        return TypedResults.Ok(new ItemsPage<DecisionView>(await ViewsAsync(db, q, limit, ct)));
    }

    internal static async Task<Results<Ok<ItemsPage<DecisionView>>, ValidationProblem>> CustomerDecisionsAsync(long? customerId, int? limit, CartwiseDb db, CancellationToken ct)
    {
        if (customerId is null) return Problems.Field("customerId", "required");
        return TypedResults.Ok(new ItemsPage<DecisionView>(await ViewsAsync(db, db.ScenarioDecisions.AsNoTracking().Where(d => d.CustomerId == customerId), limit, ct)));
    }

    private static async Task<List<DecisionView>> ViewsAsync(CartwiseDb db, IQueryable<ScenarioDecision> q, int? limit, CancellationToken ct) =>
        await (from d in q.OrderByDescending(d => d.Id).Take(Math.Clamp(limit ?? 100, 1, 1000))
               join o in db.Outbox.AsNoTracking() on d.OutboxId equals o.Id into outbox
               from o in outbox.DefaultIfEmpty()
               select new DecisionView(d.Id, d.ScenarioId, d.Rule, d.CustomerId, d.TriggerKey, d.Kind, d.Reason, d.At, d.DueAt, d.DecidedAt, d.MessageId, d.OutboxId,
                   o == null ? null : o.Status, o == null ? null : o.LastError, o == null ? null : o.SentAt, d.Variant)).ToListAsync(ct);

    internal static async Task<Ok<LanguageOverview>> LanguagesAsync(CartwiseDb db, CancellationToken ct)
    {
        var rows = await db.Customers.AsNoTracking().Where(c => c.MergedIntoId == null && c.ErasedAt == null && c.EmailConsent == true && c.Email != null)
            .GroupBy(c => c.Language).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var known = rows.Where(r => r.Key != null).OrderByDescending(r => r.Count).ThenBy(r => r.Key).Select(r => new LanguageCount(r.Key!, r.Count)).ToList();
        return TypedResults.Ok(new LanguageOverview(rows.Sum(r => r.Count), known.Count, known.FirstOrDefault()?.Language, known,
            rows.Where(r => r.Key == null).Sum(r => r.Count)));
    }

    /// <summary>The store's order values net of refunds, ascending.</summary>
    private static async Task<List<decimal>> OrderValuesSortedAsync(CartwiseDb db, CancellationToken ct)
    {
        var values = (await Analytics.StoreAnalytics.OrderFactsAsync(db, null, null, ct)).Where(o => o.IsSale).Select(o => o.Net).ToList();
        values.Sort();
        return values;
    }

    internal static async Task<Ok<OrderValueHistogram>> OrderValuesAsync(CartwiseDb db, CancellationToken ct)
    {
        var values = await OrderValuesSortedAsync(db, ct);
        var currency = await db.Stores.AsNoTracking().Where(s => s.Id == db.CurrentStoreId).Select(s => s.Currency).SingleAsync(ct);
        if (values.Count == 0) return TypedResults.Ok(new OrderValueHistogram(currency, 0, []));
        return TypedResults.Ok(new OrderValueHistogram(currency, values.Count, OrderValues.Histogram(values).Buckets));
    }

    internal static async Task<Ok<TierSuggestion>> SuggestTiersAsync(CartwiseDb db, CancellationToken ct)
    {
        var values = await OrderValuesSortedAsync(db, ct);
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        if (values.Count == 0) return TypedResults.Ok(new TierSuggestion(0, 0, 0, store.Currency, [new OrderTier("all", 0, null, 0)]));
        decimal Q(double p) => Quantiles.Of(values, p);
        var average = values.Average();
        // Seed 001: low, average, high and top spenders (its example: 200, 500, 1,000 for an average of 200) — bounds
        // at the median, ~2.5× the average, and the 95th percentile or twice the second bound, rounded.
        var second = Quantiles.TwoDigits(Math.Max(average * 2.5m, Q(0.8)));
        var bounds = new[] { Quantiles.TwoDigits(Q(0.5)), second, Quantiles.TwoDigits(Math.Max(Q(0.95), 2 * second)) }.Distinct().Where(b => b > 0).Order().ToList();
        var tiers = new List<OrderTier>();
        decimal from = 0;
        foreach (var b in bounds.Where(b => b > 0))
        {
            tiers.Add(new OrderTier($"tier{tiers.Count + 1}", from, b, 0));
            from = b;
        }
        tiers.Add(new OrderTier($"tier{tiers.Count + 1}", from, null, 0));
        return TypedResults.Ok(new TierSuggestion(Math.Round(average, 2), Math.Round(Q(0.5), 2), values.Count, store.Currency, tiers));
    }

    internal static async Task<Results<Ok<ScenarioReport>, NotFound>> ReportAsync(long id, DateTimeOffset? from, DateTimeOffset? to, CartwiseDb db, CancellationToken ct)
    {
        if (!await db.Scenarios.AnyAsync(s => s.Id == id, ct)) return TypedResults.NotFound();
        var scope = db.Outbox.Where(o => o.ScenarioId == id);
        var report = await MessageReports.ComputeAsync(db, scope, from, to, [k => k.Rule ?? "-", k => k.Language ?? "-"], ct);
        return TypedResults.Ok(new ScenarioReport(id, report.Total, report.Groupings[0], report.Groupings[1], await HoldoutAsync(db, id, from, to, ct)));
    }

    internal static async Task<Results<Ok<ItemsPage<AbTestReport>>, NotFound>> TestsAsync(long id, CartwiseDb db, TimeProvider clock, CancellationToken ct) =>
        await db.Scenarios.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } s
            ? TypedResults.Ok(new ItemsPage<AbTestReport>(await AbTestService.ReportsAsync(db, s, clock.GetUtcNow(), null, ct)))
            : TypedResults.NotFound();

    /// <summary>
    /// Customers with a scheduled message against customers held out, each from their first decision in the range:
    /// share who ordered within 7 days, revenue per customer, and the difference with a 95% interval (normal
    /// approximation of the difference of two proportions).
    /// </summary>
    internal static async Task<HoldoutComparison> HoldoutAsync(CartwiseDb db, long id, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var q = db.ScenarioDecisions.AsNoTracking().Where(d => d.ScenarioId == id && (d.Kind == DecisionKinds.Scheduled || d.Kind == DecisionKinds.HeldOut));
        if (from is not null) q = q.Where(d => d.At >= from);
        if (to is not null) q = q.Where(d => d.At < to);
        var firsts = (await q.Select(d => new { d.CustomerId, d.Kind, d.At }).ToListAsync(ct))
            .GroupBy(d => d.CustomerId).Select(g => g.OrderBy(d => d.At).First()).ToList();
        var outcome = new Dictionary<long, (bool Converted, decimal Revenue)>();
        foreach (var chunk in firsts.Chunk(1000))
        {
            var ids = chunk.Select(c => c.CustomerId).ToList();
            var orders = await db.Orders.AsNoTracking().Where(o => o.CustomerId != null && ids.Contains(o.CustomerId.Value))
                .Select(o => new { Customer = o.CustomerId!.Value, o.PlacedAt, Value = o.Value - o.RefundedValue }).ToListAsync(ct);
            var byCustomer = orders.ToLookup(o => o.Customer);
            foreach (var c in chunk)
            {
                var after = byCustomer[c.CustomerId].Where(o => o.PlacedAt > c.At && o.PlacedAt <= c.At.AddDays(7)).ToList();
                outcome[c.CustomerId] = (after.Count > 0, after.Sum(o => o.Value));
            }
        }
        var treated = firsts.Where(f => f.Kind == DecisionKinds.Scheduled).Select(f => outcome[f.CustomerId]).ToList();
        var holdout = firsts.Where(f => f.Kind == DecisionKinds.HeldOut).Select(f => outcome[f.CustomerId]).ToList();
        double Rate(List<(bool Converted, decimal Revenue)> g) => g.Count == 0 ? 0 : (double)g.Count(x => x.Converted) / g.Count;
        decimal PerCustomer(List<(bool Converted, decimal Revenue)> g) => g.Count == 0 ? 0 : g.Sum(x => x.Revenue) / g.Count;
        var (pt, ph) = (Rate(treated), Rate(holdout));
        var diff = Core.Intervals.OfProportions(treated.Count(x => x.Converted), treated.Count, holdout.Count(x => x.Converted), holdout.Count);
        return new HoldoutComparison(treated.Count, holdout.Count, Math.Round(pt, 4), Math.Round(ph, 4), Math.Round(diff.Value, 4), Math.Round(diff.Low, 4),
            Math.Round(diff.High, 4), Math.Round(PerCustomer(treated), 2), Math.Round(PerCustomer(holdout), 2),
            Math.Round((PerCustomer(treated) - PerCustomer(holdout)) * treated.Count, 2));
    }
}
