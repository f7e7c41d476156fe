using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components.Forms;

namespace Cartwise.Admin;

/// <summary>A form's problems next to its fields: the API request type's own checks, shown by the page's edit context.</summary>
public static class FormProblems
{
    /// <summary>Puts each problem next to its field (matched by name, ignoring case); true when there were none.</summary>
    public static bool Show(EditContext context, IEnumerable<(string Field, string Error)> problems)
    {
        var store = new ValidationMessageStore(context);
        var any = false;
        foreach (var (field, error) in problems)
        {
            var property = context.Model.GetType().GetProperties().FirstOrDefault(p => string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase))?.Name ?? field;
            store.Add(context.Field(property), error);
            any = true;
        }
        context.NotifyValidationStateChanged();
        return !any;
    }

    /// <summary>An API handler's validation problem as the page shows it: each field's messages, joined.</summary>
    public static Dictionary<string, string> Of(Microsoft.AspNetCore.Http.HttpResults.ValidationProblem problem) =>
        problem.ProblemDetails.Errors.ToDictionary(e => e.Key, e => string.Join(" ", e.Value));

    /// <summary>Every message of an API handler's validation problem, in one line (for a form with one field of problems).</summary>
    public static string Text(Microsoft.AspNetCore.Http.HttpResults.ValidationProblem problem) =>
        string.Join(" ", problem.ProblemDetails.Errors.SelectMany(e => e.Value));

    /// <summary>The same checks the API makes: the request type's attributes.</summary>
    public static IEnumerable<(string Field, string Error)> Attributes(object request)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true);
        return results.SelectMany(r => r.MemberNames.Select(m => (m, r.ErrorMessage ?? "invalid")));
    }
}
