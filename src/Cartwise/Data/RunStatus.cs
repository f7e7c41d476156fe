namespace Cartwise.Data;

/// <summary>States of a long job recorded as a row (a feed run, a mining run).</summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    /// <summary>A scheduled feed fetch the server answered with 304: nothing to import.</summary>
    public const string NotModified = "not-modified";
}
