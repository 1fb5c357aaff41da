using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;

namespace McpGateway.Pipeline;

/// <summary>
/// The canonical request an approval binds to and the audit log fingerprints: the RFC 8785 form
/// of <c>{identity, tool, target, arguments}</c>. It is fingerprinted with an HMAC-SHA-256 under
/// the request-hash key (<see cref="Audit.RequestHashing.RequestHasher"/>): an unkeyed hash of a
/// short request would let anyone who reads it brute-force a masked value. <see cref="Hash"/>
/// (unkeyed SHA-256) remains only to check what gateways before the key recorded.
/// </summary>
public static class CanonicalRequest
{
    /// <summary>The bytes fingerprinted: canonical JSON, or for arguments that are not I-JSON (lone surrogates, huge numbers) the raw text on its own line.</summary>
    public static byte[] Bytes(string identity, string tool, string? target, JsonElement arguments)
    {
        var node = new JsonObject
        {
            ["identity"] = identity,
            ["tool"] = tool,
            ["target"] = target,
            ["arguments"] = arguments.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(arguments.GetRawText()),
        };
        try
        {
            return CanonicalJson.Serialize(node);
        }
        catch (FormatException)
        {
            return System.Text.Encoding.UTF8.GetBytes($"{identity}\n{tool}\n{target}\n{arguments.GetRawText()}");
        }
    }

    /// <summary>The unkeyed SHA-256 (hex) earlier gateways bound approvals to and recorded as <c>requestSha256</c>.</summary>
    public static string Hash(string identity, string tool, string? target, JsonElement arguments) =>
        Convert.ToHexStringLower(SHA256.HashData(Bytes(identity, tool, target, arguments)));

    /// <summary>HMAC-SHA-256 (hex) of the canonical request under <paramref name="key"/>.</summary>
    public static string Hmac(ReadOnlySpan<byte> key, string identity, string tool, string? target, JsonElement arguments) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Bytes(identity, tool, target, arguments)));
}
