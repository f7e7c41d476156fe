using Microsoft.AspNetCore.Http.HttpResults;

namespace Cartwise.Hosting;

/// <summary>Validation errors as ProblemDetails, each under the field (a JSON path) at fault.</summary>
public static class Problems
{
    /// <summary>One error of one field.</summary>
    public static ValidationProblem Field(string field, string error) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] });

    /// <summary>Several errors, grouped by field.</summary>
    public static ValidationProblem Fields(IEnumerable<(string Path, string Error)> errors, string? title = null) =>
        TypedResults.ValidationProblem(errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Error).ToArray()), title: title);

    /// <summary>A 409: the request is valid but the resource's state forbids it; <paramref name="detail"/> says what to do first.</summary>
    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);
}
