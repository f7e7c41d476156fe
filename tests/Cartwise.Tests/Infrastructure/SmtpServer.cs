using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Cartwise.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for a test: Debian's aiosmtpd (<c>/usr/bin/python3 -m aiosmtpd</c>) on a free port, keeping
/// every message as a Maildir file. Recipients starting with "reject" get 550, "later" get 451 (see
/// Fixtures/cartwise_test_smtp.py). Without aiosmtpd the test is skipped, except under CI=true where it fails.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    public int Port { get; }
    public string Url => $"smtp://127.0.0.1:{Port}";

    private SmtpServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public static async Task<SmtpServer> StartAsync()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || !Directory.Exists("/usr/lib/python3/dist-packages/aiosmtpd"))
        {
            if (TestDatabase.InCi) throw new InvalidOperationException("CI=true but Debian's python3-aiosmtpd is not installed.");
            Assert.Skip("No aiosmtpd (apt-get install python3-aiosmtpd).");
        }
        var directory = Path.Combine(Path.GetTempPath(), $"cartwise-smtp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        for (var attempt = 0; ; attempt++)
        {
            var port = TestApp.FreePort();
            var psi = new ProcessStartInfo(python) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "cartwise_test_smtp.Handler", Path.Combine(directory, "mail") })
                psi.ArgumentList.Add(a);
            psi.Environment["PYTHONPATH"] = Path.Combine(AppContext.BaseDirectory, "Fixtures");
            var process = Process.Start(psi)!;
            for (var i = 0; i < 200; i++)
            {
                if (process.HasExited) break;
                if (await CanConnectAsync(port)) return new SmtpServer(process, directory, port);
                await Task.Delay(25);
            }
            if (!process.HasExited) process.Kill();
            if (attempt == 3) throw new InvalidOperationException("aiosmtpd did not start: " + await process.StandardError.ReadToEndAsync());
        }
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var c = new TcpClient();
        try
        {
            await c.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Every message received so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(_directory, "mail", "new");
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f =>
        {
            using var s = File.OpenRead(f);
            return MimeMessage.Load(s);
        }).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}
