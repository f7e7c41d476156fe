using Cartwise.Data;

namespace Cartwise.Messages;

/// <summary>What a scenario adds to its message's rendering: its rule's recommendation strategy and categories, and its own sender.</summary>
public sealed record ScenarioScope(string? Strategy, IReadOnlyList<long>? Categories, long? SenderId);

/// <summary>
/// What messages and the outbox ask of scenarios, answered by the scenarios feature: Messages never reads a scenario
/// definition itself, and Scenarios hands the outbox its rows through <see cref="OutboxWriter"/>.
/// </summary>
public interface IMessageScenarios
{
    /// <summary>Why a scenario's row is not to be sent now (the scenario paused, a cap reached, bought since), or null to send it.</summary>
    Task<string?> SkipReasonAsync(CartwiseDb db, OutboxMessage row, DateTimeOffset now, CancellationToken ct);

    /// <summary>What the scenario and rule of a row add to its rendering; null when the scenario is gone.</summary>
    Task<ScenarioScope?> ScopeAsync(CartwiseDb db, long scenarioId, string? rule, CancellationToken ct);

    /// <summary>The names of the scenarios (not archived) that send each message.</summary>
    Task<IReadOnlyDictionary<long, List<string>>> UsersAsync(CartwiseDb db, CancellationToken ct);
}
