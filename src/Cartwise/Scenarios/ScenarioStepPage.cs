using Cartwise.Core.Scenarios;
using Cartwise.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace Cartwise.Scenarios;

/// <summary>A step page of the scenario wizard: the scenario of the address, read once, or a 404 when the store has none of that id.</summary>
public abstract class ScenarioStepPage : ComponentBase
{
    [Parameter] public long Id { get; set; }
    [Inject] protected CartwiseDb Db { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [Inject] protected ScenarioService Service { get; set; } = default!;
    [Inject] protected TimeProvider Clock { get; set; } = default!;
    [CascadingParameter] protected HttpContext? Http { get; set; }

    protected Scenario? Scenario { get; private set; }
    protected ScenarioDefinition Definition { get; private set; } = new();
    protected bool Missing { get; private set; }

    /// <summary>True when the scenario can be changed (not active, not archived).</summary>
    protected bool Editable => Scenario?.State is ScenarioStates.Draft or ScenarioStates.Paused;

    /// <summary>The scenario as it is, with what a step changes.</summary>
    protected ScenarioRequest Request(ScenarioDefinition? definition = null, IReadOnlyList<string>? languages = null, long? senderId = null, bool clearSender = false) =>
        new(Scenario!.Name, Scenario.Kind, definition ?? Definition,
            languages is not null ? [.. languages] : Scenario.Languages is { Length: > 0 } l ? [.. l.Split(',')] : null,
            clearSender ? null : senderId ?? Scenario.SenderId);

    /// <summary>Saves through the API's handler; the problems by field path (empty: saved, and the scenario read again).</summary>
    protected async Task<Dictionary<string, string>> SaveAsync(ScenarioRequest request)
    {
        var problems = new Dictionary<string, string>();
        switch ((await ScenarioEndpoints.UpdateAsync(Id, request, Db, Service, Clock, CancellationToken.None)).Result)
        {
            case Microsoft.AspNetCore.Http.HttpResults.Ok<ScenarioView>:
                await LoadScenarioAsync();
                break;
            case Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult conflict:
                problems["scenario"] = conflict.ProblemDetails.Detail ?? "";
                break;
            case Microsoft.AspNetCore.Http.HttpResults.ValidationProblem invalid:
                foreach (var (key, value) in Admin.FormProblems.Of(invalid)) problems[key] = value;
                break;
        }
        return problems;
    }

    /// <summary>Reads the scenario again (after a change).</summary>
    protected async Task<bool> LoadScenarioAsync()
    {
        Scenario = await Db.Scenarios.AsNoTracking().SingleOrDefaultAsync(s => s.Id == Id);
        if (Scenario is null)
        {
            Missing = true;
            if (Http is not null) Http.Response.StatusCode = StatusCodes.Status404NotFound;
            return false;
        }
        Definition = ScenarioService.Definition(Scenario);
        return true;
    }
}
