using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;

namespace McpGateway.Pipeline;

/// <summary>
/// The canonical request an approval binds to and the audit log fingerprints: SHA-256 over the
/// RFC 8785 form of <c>{identity, tool, target, arguments}</c>.
/// </summary>
public static class CanonicalRequest
{
    public static string Hash(string identity, string tool, string? target, JsonElement arguments)
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
            return CanonicalJson.HashHex(node);
        }
        catch (FormatException)
        {
            // Arguments that are not I-JSON (lone surrogates, huge numbers) still get a fingerprint.
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{identity}\n{tool}\n{target}\n{arguments.GetRawText()}")));
        }
    }
}
