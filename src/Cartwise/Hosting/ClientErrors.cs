using Microsoft.AspNetCore.Diagnostics;

namespace Cartwise.Hosting;

/// <summary>
/// Requests the client broke: a malformed or overflowing chunked body (Kestrel reports it as an <see cref="IOException"/>),
/// a body over its limit, a client too slow to send one (<see cref="BadHttpRequestException"/> 408). Each is the
/// client's error, answered with its 4xx ProblemDetails and logged as one line, never a 500 with a stack trace.
/// </summary>
internal sealed partial class ClientErrors(IProblemDetailsService problems, ILogger<ClientErrors> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var status = exception switch
        {
            BadHttpRequestException b => b.StatusCode,
            IOException when http.RequestAborted.IsCancellationRequested => StatusCodes.Status400BadRequest,
            IOException { InnerException: null or FormatException or OverflowException or InvalidDataException } => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (status is < 400 or >= 500) return false;
        LogClientError(log, http.Request.Method, http.Request.Path.Value ?? "", status, exception.Message);
        if (http.Response.HasStarted || http.RequestAborted.IsCancellationRequested) return true;
        http.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = "Bad request", Detail = exception.Message },
        });
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: {Status}, the client's request was not readable: {Reason}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int status, string reason);
}
