using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Cartwise.Cli;
using Cartwise.Hosting;
using Cartwise.Messages;
using Cartwise.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cartwise.Tests.Docs;

/// <summary>
/// The README and the guides in <c>docs/</c> say what works: every shell example that talks to Cartwise (<c>curl</c>
/// to its address, the <c>cartwise</c> command) runs, block by block in document order, against a demo server, and
/// must succeed; the configuration table lists every setting the code reads.
/// </summary>
public sealed partial class DocsExamplesTests
{
    /// <summary>Blocks that set up a machine or run the tests and benchmarks: CI runs those itself.</summary>
    private static readonly string[] SetupCommands = ["apt-get ", "su postgres", "dotnet ", "./test.sh", "bench/", "scripts/publish.sh", "CARTWISE_BENCH_POSTGRES="];

    private static readonly string[] SourceFolders = ["src", "tests", "bench"];

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cartwise.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("The repository root (Cartwise.slnx) is not above the test binaries.");
        }
    }

    private static IEnumerable<string> Documents() =>
        new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal));

    [GeneratedRegex(@"^```bash\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [Fact]
    public async Task Every_shell_example_runs_against_the_demo()
    {
        await using var app = await TestApp.StartAsync(Engine.Sqlite, demo: true);
        var work = Directory.CreateTempSubdirectory("cartwise-docs-");
        try
        {
            // `ls outbox/` in the guides: the demo's file outbox, as it would be beside cartwise.db.
            File.CreateSymbolicLink(Path.Combine(work.FullName, "outbox"), app.App.Services.GetRequiredService<MailTransports>().OutboxDirectory);
            var address = app.BaseAddress.ToString().TrimEnd('/');
            var ran = new List<string>();
            foreach (var document in Documents())
                foreach (Match block in BashBlock().Matches(File.ReadAllText(document)))
                {
                    var script = block.Groups[1].Value;
                    var first = script.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith('#'));
                    if (SetupCommands.Any(first.StartsWith)) continue;
                    var name = $"{Path.GetFileName(document)}: {first}";
                    var (code, output) = await RunAsync(work.FullName, app, script.Replace("http://127.0.0.1:5080", address, StringComparison.Ordinal));
                    Assert.True(code == 0, $"{name}\nexit {code}\n{output}");
                    ran.Add(name);
                }
            // The README's first screen, the messages and the scenarios guides have examples: none may be lost silently.
            Assert.Contains(ran, r => r.StartsWith("README.md: curl", StringComparison.Ordinal));
            Assert.Contains(ran, r => r.StartsWith("messages.md:", StringComparison.Ordinal));
            Assert.Contains(ran, r => r.StartsWith("scenarios.md: cartwise", StringComparison.Ordinal));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs a block with bash, stopping at the first failure: <c>curl</c> fails on an HTTP error status, and
    /// <c>cartwise</c> is the built executable on the demo's database (through <c>CARTWISE_DB</c>, as a user sets it).
    /// </summary>
    private static async Task<(int Code, string Output)> RunAsync(string directory, TestApp app, string script)
    {
        var prelude = $$"""
            set -euo pipefail
            curl() { command curl -fsS "$@"; }
            cartwise() { dotnet '{{CartwiseProcess.Dll}}' "$@"; }

            """;
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["CARTWISE_DB"] = app.Database.ConnectionString;
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(prelude + script);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public void The_configuration_table_lists_every_setting()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var table = readme[readme.IndexOf("## Configuration", StringComparison.Ordinal)..readme.IndexOf("## Contents", StringComparison.Ordinal)];
        var wanted = new List<string>();
        foreach (var (alias, key) in CartwiseConfiguration.Aliases) wanted.AddRange([alias, key.Replace(":", "__", StringComparison.Ordinal)]);
        foreach (var (section, type) in new[] { ("Feeds", typeof(Cartwise.Catalog.FeedOptions)), ("Outbox", typeof(OutboxOptions)), ("Scenarios", typeof(Cartwise.Scenarios.ScenarioOptions)), ("Readiness", typeof(ReadinessOptions)) })
            wanted.AddRange(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => $"{section}__{p.Name}"));
        wanted.Add("Proxy__Trusted");
        wanted.AddRange(ServeCommand.Build().Options.Select(o => o.Name));
        wanted.Add(CartwiseCli.Db.Name);
        // Every CARTWISE_ variable a part of the project reads (server, tests, benchmarks).
        var sources = SourceFolders.SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".sh", StringComparison.Ordinal)) && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal));
        foreach (var file in sources)
            wanted.AddRange(Regex.Matches(File.ReadAllText(file), @"\bCARTWISE_[A-Z_]+[A-Z]\b").Select(m => m.Value));
        var missing = wanted.Distinct().Where(w => !table.Contains(w, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in the README's configuration table: " + string.Join(", ", missing));
    }
}
