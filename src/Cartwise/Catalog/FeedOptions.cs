using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace Cartwise.Catalog;

/// <summary>Feed settings (section <c>Feeds</c>, e.g. <c>Feeds__AllowedHosts__0=feeds.internal</c>).</summary>
public sealed class FeedOptions
{
    /// <summary>
    /// Hosts a feed schedule may fetch even when they resolve to a loopback, private, link-local or multicast
    /// address (an operator's own feed server inside the network). Anything else must be a public address.
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>The most a feed may be once decompressed; a larger one fails its run (a 300 KB gzip can hold gigabytes).</summary>
    [Range(1, long.MaxValue)] public long MaxUncompressedBytes { get; set; } = 1L << 30;
}

/// <summary>
/// Where feed fetches may connect. The check is made on the address actually connected to, after DNS resolution and
/// on every redirect, so neither a redirect nor a DNS answer that changes between check and use can reach an
/// internal service (SSRF). Thread-safe.
/// </summary>
public static class FeedNetwork
{
    /// <summary>True for addresses a fetch must not reach unless its host is allowed.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal;
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,           // carrier-grade NAT
            169 => b[1] == 254,                        // link-local (cloud metadata services)
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168 || (b[1] == 0 && b[2] is 0 or 2),
            198 => b[1] is 18 or 19,
            >= 224 => true,                            // multicast and reserved
            _ => false,
        };
    }

    /// <summary>True when the operator allows <paramref name="host"/> whatever it resolves to.</summary>
    public static bool IsAllowed(FeedOptions options, string host) => options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase);

    /// <summary>Why a fetch from <paramref name="host"/> is refused.</summary>
    public static string Refusal(string host) =>
        $"{host} is a loopback, private, link-local or multicast address; feeds are fetched from public addresses only (the operator can allow hosts with Feeds:AllowedHosts).";

    /// <summary>The handler of the <c>feeds</c> HTTP client: connects only to public addresses, or to allowed hosts.</summary>
    public static SocketsHttpHandler Handler(FeedOptions options) => new()
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectCallback = async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
            if (!IsAllowed(options, host))
            {
                addresses = addresses.Where(a => !IsInternal(a)).ToArray();
                if (addresses.Length == 0) throw new HttpRequestException(Refusal(host));
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>Reads at most a given number of bytes of a stream, then fails as an unreadable feed would.</summary>
public sealed class LimitedStream(Stream inner, long limit) : Data.CheckingStream(inner)
{
    private long _read;

    protected override int Check(ReadOnlySpan<byte> bytes)
    {
        _read += bytes.Length;
        if (_read > limit) throw new InvalidDataException($"The feed is larger than {limit:N0} bytes once decompressed (Feeds:MaxUncompressedBytes); nothing was changed.");
        return bytes.Length;
    }
}
