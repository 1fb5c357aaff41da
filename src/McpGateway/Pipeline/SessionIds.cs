using System.Security.Cryptography;
using System.Text;

namespace McpGateway.Pipeline;

/// <summary>
/// Session ids. The gateway assigns one per HTTP session and per stdio process run. Protocol
/// versions without sessions (2026-07-28) get one derived from the caller: the first 16 bytes of
/// SHA-256 over "identity\nclient name\nclient version", hex, prefixed <c>d-</c> — stable for the
/// same agent and client, different across identities.
/// </summary>
public static class SessionIds
{
    public static string New() => "s-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Derived(string identity, string? clientName, string? clientVersion) =>
        "d-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{identity}\n{clientName}\n{clientVersion}")).AsSpan(0, 16));

    public static string NewCallId() => "call-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
