using System.Diagnostics;

namespace Cartwise.Tests.Infrastructure;

/// <summary>Runs the real <c>cartwise</c> executable (the built Cartwise.dll) as a separate process.</summary>
public static class CartwiseProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Cartwise.dll");

    public sealed record Output(int ExitCode, string StdOut, string StdErr);

    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("CARTWISE_DB");
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    public static async Task<Output> RunAsync(string workingDirectory, params string[] args)
    {
        using var p = Process.Start(StartInfo(workingDirectory, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return new Output(p.ExitCode, await stdout, await stderr);
    }
}
