using Cartwise.Stores;

namespace Cartwise.Scenarios;

/// <summary>An automation scenario: its kind, state and definition (the seeds' "customize" step, as JSON).</summary>
public sealed class Scenario : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public required string Name { get; set; }
    /// <summary>cross_sell, post_purchase or bounce_back.</summary>
    public required string Kind { get; set; }
    /// <summary>draft, active, paused or archived.</summary>
    public string State { get; set; } = ScenarioStates.Draft;
    /// <summary>A <see cref="Core.Scenarios.ScenarioDefinition"/> as JSON.</summary>
    public required string Definition { get; set; }
    /// <summary>The languages the marketer chose to write in (the "languages" step), comma-separated.</summary>
    public string? Languages { get; set; }
    /// <summary>The sender of every message of the scenario (a message's own sender is used when null).</summary>
    public long? SenderId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
}

public static class ScenarioStates
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Archived = "archived";
}

/// <summary>
/// One decision of a scenario about one customer and one trigger: scheduled (with its outbox row), held out, or
/// skipped with the reason. Unique per (scenario, rule, customer, trigger), so a replayed event decides nothing twice.
/// What happened at send time is on the outbox row (sent, or skipped with the reason).
/// </summary>
public sealed class ScenarioDecision : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long ScenarioId { get; set; }
    public required string Rule { get; set; }
    public long CustomerId { get; set; }
    /// <summary>The triggering event's id.</summary>
    public required string TriggerKey { get; set; }
    public required string Kind { get; set; }
    public string? Reason { get; set; }
    /// <summary>When the trigger happened.</summary>
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
    public long MessageId { get; set; }
    public long? OutboxId { get; set; }
    /// <summary>The A/B test variant whose message this is (null when the rule is not under a test, or held out).</summary>
    public string? Variant { get; set; }
}

/// <summary>
/// The winner of a rule's A/B test, recorded once the significance test said so (one row per scenario and rule). It
/// holds for the test's <see cref="Signature"/> only: a test edited since starts over.
/// </summary>
public sealed class ScenarioTestWinner : IStoreOwned
{
    public long Id { get; set; }
    public long StoreId { get; set; }
    public long ScenarioId { get; set; }
    public required string Rule { get; set; }
    /// <summary>The variants and their messages when the winner was taken (<see cref="Core.Scenarios.AbTest.Signature"/>).</summary>
    public required string Signature { get; set; }
    public required string Variant { get; set; }
    public required string Metric { get; set; }
    /// <summary>The winner minus the runner-up on the metric, with the 95% interval, when it was taken.</summary>
    public double Difference { get; set; }
    public double Low { get; set; }
    public double High { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
}

/// <summary>How far the scenario worker has read a store's events (one row per store; its lock serialises nodes).</summary>
public sealed class ScenarioCursor : IStoreOwned
{
    public long StoreId { get; set; }
    public long LastEventId { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
