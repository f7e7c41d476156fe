using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cartwise.Messages;

/// <summary>
/// Signs the links of a sent message with the store's secret (HMAC-SHA256): open pixel, click redirect and
/// unsubscribe. A link names the outbox row; the signature covers the row, the purpose and, for clicks, the target,
/// so a link can neither be forged for another row nor turned into an open redirect.
/// </summary>
public static class LinkSigner
{
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Token(string secret, string purpose, long outboxId, string? target = null) =>
        outboxId.ToString(CultureInfo.InvariantCulture) + "." + Signature(secret, purpose, outboxId, target);

    /// <summary>The outbox id of a token, or null when the token is malformed (the signature is checked by <see cref="Verify"/>).</summary>
    public static long? OutboxId(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    public static bool Verify(string secret, string purpose, string token, string? target = null)
    {
        if (OutboxId(token) is not { } id) return false;
        var given = Encoding.ASCII.GetBytes(token[(token.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        var expected = Encoding.ASCII.GetBytes(Signature(secret, purpose, id, target));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private static string Signature(string secret, string purpose, long outboxId, string? target)
    {
        var data = Encoding.UTF8.GetBytes($"{purpose}|{outboxId.ToString(CultureInfo.InvariantCulture)}|{target}");
        var mac = HMACSHA256.HashData(Convert.FromBase64String(secret), data);
        // 128 bits are plenty for a link; base64url keeps it short and safe in a URL.
        return Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

/// <summary>
/// The address links in messages point to: <c>serve --public-url</c> (or <c>CARTWISE_PUBLIC_URL</c>), else the first
/// address the server listens on.
/// </summary>
public sealed partial class PublicUrls(Hosting.ServeSettings settings, IServer server)
{
    /// <summary>
    /// A sent message's HTML made safe to look at in the admin app: the open pixel becomes a blank image and tracked
    /// links point straight at their targets, so looking at a message never counts as an open or a click.
    /// </summary>
    public static string Defuse(string html)
    {
        html = OpenPixel().Replace(html, "data:image/gif;base64,R0lGODlhAQABAAAAACw=");
        return TrackedLink().Replace(html, m => Uri.UnescapeDataString(System.Net.WebUtility.HtmlDecode(m.Groups["target"].Value)));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"https?://[^""'\s]*/t/o/[A-Za-z0-9_.~-]+")]
    private static partial System.Text.RegularExpressions.Regex OpenPixel();

    [System.Text.RegularExpressions.GeneratedRegex(@"https?://[^""'\s]*/t/c/[A-Za-z0-9_.~-]+\?u=(?<target>[^""'\s&]+)")]
    private static partial System.Text.RegularExpressions.Regex TrackedLink();

    public string Base
    {
        get
        {
            var url = settings.PublicUrl ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? Hosting.ServeSettings.DefaultUrls;
            return url.TrimEnd('/');
        }
    }

    public Core.Messages.MessageLinks For(string secret, long outboxId) => new(
        $"{Base}/u/{LinkSigner.Token(secret, "u", outboxId)}",
        $"{Base}/t/o/{LinkSigner.Token(secret, "o", outboxId)}",
        target => $"{Base}/t/c/{LinkSigner.Token(secret, "c", outboxId, target)}?u={Uri.EscapeDataString(target)}")
    {
        ConfirmUrl = $"{Base}/confirm/{LinkSigner.Token(secret, "k", outboxId)}",
    };
}
