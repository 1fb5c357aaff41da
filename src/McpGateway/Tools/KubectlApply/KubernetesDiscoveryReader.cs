using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// Reads a cluster's discovery: the core group's versions (<c>/api</c>), every other group and its
/// versions (<c>/apis</c>), and each group version's resource list (<c>/api/v1</c>,
/// <c>/apis/&lt;group&gt;/&lt;version&gt;</c>) with each kind's scope. Subresources are left out.
/// A group version whose list cannot be read (an aggregated API that is down) is skipped: its
/// kinds stay unknown, so manifests holding them stay unparsed.
/// </summary>
internal static class KubernetesDiscoveryReader
{
    /// <summary>Every kind the cluster serves; throws <see cref="ToolCallException"/> when the cluster cannot be read at all.</summary>
    public static async Task<List<KubernetesApiResource>> ReadAsync(KubernetesConnection connection, CancellationToken cancellationToken)
    {
        var groupVersions = new List<(string Group, string Version, string Path)>();
        var core = await GetAsync(connection, "/api", cancellationToken).ConfigureAwait(false);
        foreach (var version in Strings(core["versions"]))
        {
            if (KubernetesNames.IsVersion(version))
            {
                groupVersions.Add((string.Empty, version, "/api/" + version));
            }
        }

        var groups = await GetAsync(connection, "/apis", cancellationToken).ConfigureAwait(false);
        foreach (var group in (groups["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var version in (group["versions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (version["groupVersion"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
                    && KubernetesNames.TryParseApiVersion(version["groupVersion"]!.GetValue<string>(), out var name, out var v) && name.Length > 0)
                {
                    groupVersions.Add((name, v, $"/apis/{name}/{v}"));
                }
            }
        }

        var resources = new List<KubernetesApiResource>();
        foreach (var (group, version, path) in groupVersions.Distinct())
        {
            JsonObject list;
            try
            {
                list = await GetAsync(connection, path, cancellationToken).ConfigureAwait(false);
            }
            catch (ToolCallException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }

            foreach (var resource in (list["resources"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Text(resource["name"]) is { } plural && !plural.Contains('/', StringComparison.Ordinal)
                    && Text(resource["kind"]) is { } kind && KubernetesNames.IsKind(kind)
                    && resource["namespaced"]?.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
                {
                    resources.Add(new KubernetesApiResource(group, version, kind, plural, resource["namespaced"]!.GetValue<bool>()));
                }
            }
        }

        return resources;
    }

    private static async Task<JsonObject> GetAsync(KubernetesConnection connection, string path, CancellationToken cancellationToken)
    {
        var response = await connection.SendAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
        return response.IsSuccess && response.Body is JsonObject body
            ? body
            : throw new ToolCallException($"Cluster '{connection.Cluster.Name}' answered {(int)response.Status} to GET {path}: {KubernetesStatus.Message(response)}");
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        (node as JsonArray ?? []).Select(Text).OfType<string>();

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;
}
