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

    /// <summary>
    /// A call id: <c>call-</c> and 24 hex digits — the Unix time in milliseconds (48 bits, big-endian)
    /// and 48 random bits. Ids made in order sort in order, so the store's indexes on call ids grow
    /// at their end instead of touching a random page per entry (which multiplied what every
    /// commit of the audit chain wrote).
    /// </summary>
    public static string NewCallId(DateTimeOffset now)
    {
        Span<byte> id = stackalloc byte[12];
        var milliseconds = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            id[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }

        RandomNumberGenerator.Fill(id[6..]);
        return "call-" + Convert.ToHexStringLower(id);
    }
}
