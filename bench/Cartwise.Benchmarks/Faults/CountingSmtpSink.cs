using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cartwise.Benchmarks.Faults;

/// <summary>
/// An SMTP server that accepts every message and counts them by Message-ID, so that a run can tell a message sent
/// twice from two messages. It speaks just enough SMTP for MailKit (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
/// keeps nothing but the counts. Thread-safe.
/// </summary>
public sealed class CountingSmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <summary>Message-ID → how many times it arrived.</summary>
    public ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    public int Port { get; }

    public string Url => $"smtp://127.0.0.1:{Port}?tls=none";

    public CountingSmtpSink()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        try
        {
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ready");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        string? id = null;
                        var headers = true;
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                            if (data.Length == 0) headers = false;
                            else if (headers && id is null && data.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase)) id = data[11..].Trim().Trim('<', '>');
                        }
                        Received.AddOrUpdate(id ?? "(none)", 1, (_, n) => n + 1);
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok"); // HELO, MAIL, RCPT, RSET, NOOP
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A node killed mid-conversation: what it had not finished is not a message.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
