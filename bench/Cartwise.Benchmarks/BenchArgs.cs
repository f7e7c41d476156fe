namespace Cartwise.Benchmarks;

/// <summary>The load commands' <c>--name value</c> arguments.</summary>
public static class BenchArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when it is not given.</summary>
    public static string? Get(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
