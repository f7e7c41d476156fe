namespace Cartwise.Data;

/// <summary>States of a long job recorded as a row (a feed run, an import, a mining run).</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    /// <summary>A scheduled feed fetch the server answered with 304: nothing to import.</summary>
    public const string NotModified = "not-modified";
    /// <summary>Read, never stored: a running job that stopped reporting (its process died); see <see cref="Seen"/>.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>A running job that has not committed for this long is taken for interrupted: its process is gone.</summary>
    public static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(2);

    /// <summary>A job's status as a reader should take it, from the stored one and the job's last commit.</summary>
    public static string Seen(string status, DateTimeOffset? updatedAt, DateTimeOffset now) =>
        status == Running && updatedAt is { } at && at < now - StalledAfter ? Interrupted : status;
}
