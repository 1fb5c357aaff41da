using System.Net;

namespace McpGateway.Hosting.Http;

/// <summary>Where the HTTP transport listens, and the host names it answers to.</summary>
public sealed class HttpBinding
{
    public HttpBinding(Uri url, IEnumerable<string> allowedHosts)
    {
        Url = url;
        IsLoopback = IsLoopbackHost(url.Host);
        var hosts = new HashSet<string>(allowedHosts, StringComparer.OrdinalIgnoreCase);
        if (IsLoopback)
        {
            hosts.UnionWith(["localhost", "127.0.0.1", "[::1]", "::1"]);
        }
        else
        {
            hosts.Add(url.Host);
        }

        AllowedHosts = hosts;
    }

    public Uri Url { get; }

    public bool IsLoopback { get; }

    public IReadOnlySet<string> AllowedHosts { get; }

    public static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
