using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// A manifest as the audit log and the approval's masked view record it: its documents read into
/// JSON, so the masker sees each object's structure — a Secret's <c>data</c> and
/// <c>stringData</c> are then masked as such, which no text detector can promise for YAML. A
/// manifest that cannot be read is not recorded at all (it may hold a Secret whose values could
/// not be found), only its length and a short hash.
/// </summary>
public static class ManifestRecording
{
    public static JsonNode Recordable(string manifest)
    {
        try
        {
            return new JsonArray([.. ManifestReader.Read(manifest, ManifestLimits.Default).Select(d => d.Root?.DeepClone())]);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest)))[..16];
            return JsonValue.Create($"[manifest not recorded: it could not be read as YAML or JSON; {manifest.Length} characters, sha256:{hash}…]");
        }
    }
}
