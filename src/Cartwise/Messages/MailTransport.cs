using Microsoft.EntityFrameworkCore;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Cartwise.Messages;

/// <summary>Where composed messages go: an SMTP server, or a folder of .eml files. One instance per sending pass; not thread-safe.</summary>
public interface IMailTransport : IAsyncDisposable
{
    /// <summary>A short description for logs and the API (no password).</summary>
    string Describe();

    /// <summary>Hands one message over and returns the receiving side's answer.</summary>
    Task<string> SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>An SMTP server: host, port, TLS mode and credentials, written as <c>smtp://user:pass@host:port?tls=auto|none|starttls|ssl</c>.</summary>
public sealed record SmtpSettings(string Host, int Port, SecureSocketOptions Tls, string? User, string? Password)
{
    /// <summary>Parses an smtp:// or smtps:// URL; null with <paramref name="error"/> set when it is not one.</summary>
    public static SmtpSettings? Parse(string url, out string? error)
    {
        error = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || uri.Host.Length == 0)
        {
            error = "expected smtp://[user:pass@]host[:port][?tls=auto|none|starttls|ssl] or smtps://…";
            return null;
        }
        var tls = uri.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (!string.Equals(kv[0], "tls", StringComparison.OrdinalIgnoreCase) || kv.Length < 2) continue;
            switch (kv[1].ToLowerInvariant())
            {
                case "auto": tls = SecureSocketOptions.StartTlsWhenAvailable; break;
                case "none": tls = SecureSocketOptions.None; break;
                case "starttls": tls = SecureSocketOptions.StartTls; break;
                case "ssl": tls = SecureSocketOptions.SslOnConnect; break;
                default:
                    error = $"unknown tls mode '{kv[1]}': auto, none, starttls or ssl";
                    return null;
            }
        }
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "smtps" ? 465 : 587) : uri.Port;
        return new SmtpSettings(uri.Host, port, tls, user, password);
    }

    public override string ToString() => $"smtp://{(User is null ? "" : User + "@")}{Host}:{Port} ({Tls})";
}

/// <summary>Sends through an SMTP server with MailKit, keeping one connection open for a pass.</summary>
public sealed class SmtpMailTransport(SmtpSettings settings) : IMailTransport
{
    private readonly SmtpClient _client = new() { Timeout = 30_000 };

    public string Describe() => settings.ToString();

    public async Task<string> SendAsync(MimeMessage message, CancellationToken ct)
    {
        if (!_client.IsConnected)
        {
            // Our own socket, with Nagle off: SMTP is small writes waiting on replies, and Nagle with delayed ACKs
            // held each message for ~40 ms (21 messages/s into a local server instead of hundreds).
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(settings.Host, settings.Port, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await _client.ConnectAsync(socket, settings.Host, settings.Port, settings.Tls, ct);
            if (settings.User is not null) await _client.AuthenticateAsync(settings.User, settings.Password ?? "", ct);
        }
        try
        {
            return await _client.SendAsync(message, ct);
        }
        catch (Exception e) when (e is not SmtpCommandException)
        {
            // The connection is in an unknown state: the next message starts a fresh one.
            try { await _client.DisconnectAsync(false, CancellationToken.None); } catch (Exception d) when (d is IOException or SocketException or ProtocolException) { }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
            try { await _client.DisconnectAsync(true, CancellationToken.None); } catch (Exception e) when (e is IOException or SocketException or ProtocolException) { }
        _client.Dispose();
    }
}

/// <summary>Writes each message as an .eml file into a folder (demo and development): nothing leaves the machine.</summary>
public sealed class FileMailTransport(string directory) : IMailTransport
{
    public string Directory { get; } = directory;

    public string Describe() => "file outbox " + Directory;

    public async Task<string> SendAsync(MimeMessage message, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = FileName(message.MessageId ?? Guid.NewGuid().ToString("N"));
        var path = Path.Combine(Directory, name);
        // Written beside and moved: a reader never sees half a file.
        var temp = path + ".tmp";
        await using (var file = File.Create(temp)) await message.WriteToAsync(file, ct);
        File.Move(temp, path, overwrite: true);
        return "written " + name;
    }

    /// <summary>The file a message id is written to.</summary>
    public static string FileName(string messageId) =>
        new string(messageId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').ToArray()) + ".eml";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Sorts delivery failures: temporary ones are retried with backoff, permanent ones go to the dead letters.</summary>
public static class DeliveryFailures
{
    public static bool IsTemporary(Exception e) => e switch
    {
        SmtpCommandException s => (int)s.StatusCode is >= 400 and < 500,
        AuthenticationException => false,
        SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>What the provider said, for the row.</summary>
    public static string Describe(Exception e) => e switch
    {
        SmtpCommandException s => $"SMTP {(int)s.StatusCode}: {s.Message}",
        AuthenticationException => "SMTP authentication failed: " + e.Message,
        SocketException or IOException => "connection failed: " + e.Message,
        _ => e.Message,
    };
}

/// <summary>What a test email through the store's transport came to: delivered or not, through what, and the server's words.</summary>
public sealed record MailTestResult(bool Delivered, string Transport, string Answer);

/// <summary>A plain test email through the store's transport (the API's <c>/store/mail/test</c> and the settings page's button).</summary>
public static class MailTest
{
    public static async Task<MailTestResult> SendAsync(Data.CartwiseDb db, MailTransports transports, TimeProvider clock, string to, CancellationToken ct)
    {
        var store = await db.Stores.AsNoTracking().SingleAsync(s => s.Id == db.CurrentStoreId, ct);
        var sender = await db.Senders.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(ct);
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(sender?.Name ?? store.Name, sender?.FromAddress ?? $"no-reply@{store.Slug}.invalid"));
        mime.To.Add(MailboxAddress.Parse(to));
        mime.Subject = $"Cartwise test email from {store.Name}";
        mime.Date = clock.GetUtcNow();
        mime.Body = new TextPart("plain") { Text = $"This is a test email of the store {store.Name}: its delivery settings work." };
        try
        {
            await using var transport = transports.Create(store);
            var describe = transport.Describe();
            try
            {
                return new MailTestResult(true, describe, await transport.SendAsync(mime, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return new MailTestResult(false, describe, DeliveryFailures.Describe(e));
            }
        }
        catch (InvalidOperationException e)
        {
            return new MailTestResult(false, "—", e.Message);
        }
    }
}
