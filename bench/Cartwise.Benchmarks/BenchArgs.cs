namespace Cartwise.Benchmarks;

/// <summary>The load commands' <c>--name value</c> arguments.</summary>
public static class BenchArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when it is not given.</summary>
    public static string? Get(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>
    /// A new temporary folder for a run's databases and files, removed when the process exits (a tracking run leaves
    /// gigabytes of SQLite there). <c>CARTWISE_BENCH_KEEP=1</c> keeps it for a look afterwards.
    /// </summary>
    public static string TempDirectory(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        if (Environment.GetEnvironmentVariable("CARTWISE_BENCH_KEEP") != "1")
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(dir, recursive: true); }
                catch (IOException) { /* a file still open: left for the system's temp cleaning */ }
            };
        return dir;
    }
}
