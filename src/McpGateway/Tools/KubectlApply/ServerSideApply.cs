using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// The requests <c>kubectl_apply</c> makes for one object, on its API path (built from checked
/// names): server-side apply as <c>PATCH</c> with <c>application/apply-patch+yaml</c> and the
/// classified JSON body (JSON is YAML), field manager <c>mcp-gateway</c>, with or without
/// <c>dryRun=All</c>; and a <c>GET</c> of the live object.
/// </summary>
internal static class ServerSideApply
{
    public const string FieldManager = "mcp-gateway";
    public const string ContentType = "application/apply-patch+yaml";

    public static Task<KubernetesResponse> ApplyAsync(KubernetesConnection connection, KubernetesObject obj, bool force, bool dryRun, CancellationToken cancellationToken) =>
        connection.SendAsync(
            HttpMethod.Patch,
            $"{obj.Path}?fieldManager={FieldManager}&force={(force ? "true" : "false")}{(dryRun ? "&dryRun=All" : string.Empty)}",
            obj.ToJsonString(),
            ContentType,
            cancellationToken);

    public static Task<KubernetesResponse> GetAsync(KubernetesConnection connection, KubernetesObject obj, CancellationToken cancellationToken) =>
        connection.SendAsync(HttpMethod.Get, obj.Path, null, null, cancellationToken);

    /// <summary>How messages name an object: <c>Deployment apps/web</c>, <c>ClusterRole view</c>.</summary>
    public static string Describe(KubernetesObject obj) =>
        obj.Namespace is null ? $"{obj.Kind} {obj.Name}" : $"{obj.Kind} {obj.Namespace}/{obj.Name}";
}
