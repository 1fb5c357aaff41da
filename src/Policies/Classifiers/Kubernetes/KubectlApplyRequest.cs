using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// One object of a <c>kubectl_apply</c> call, as classified: exactly what is sent with
/// server-side apply. Immutable: <see cref="Body"/> is a read-only JSON value.
/// </summary>
/// <param name="ApiVersion">The object's <c>apiVersion</c> as written: <c>v1</c>, <c>apps/v1</c>.</param>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Version">The version part of <paramref name="ApiVersion"/>.</param>
/// <param name="Kind">The object's <c>kind</c> as written.</param>
/// <param name="Resource">The plural resource name the object is applied through (<c>deployments</c>).</param>
/// <param name="Namespace">The namespace the object is applied in (defaulted from the cluster); null for a cluster-scoped object.</param>
/// <param name="Name">The object's <c>metadata.name</c>.</param>
/// <param name="Body">
/// The object as JSON: the manifest's document (or <c>List</c> item) with YAML typed by the 1.2
/// core schema and, for a namespaced object, <c>metadata.namespace</c> set.
/// </param>
public sealed record KubernetesObject(string ApiVersion, string Group, string Version, string Kind, string Resource, string? Namespace, string Name, JsonElement Body)
{
    public bool ClusterScoped => Namespace is null;

    /// <summary>A new, mutable copy of <see cref="Body"/>; changing it changes nothing here.</summary>
    public JsonObject ToJsonObject() => JsonObject.Create(Body)!;

    /// <summary>The body as compact JSON text: the server-side apply patch.</summary>
    public string ToJsonString() => Body.GetRawText();

    /// <summary>The API path of the object: <c>/api/v1/namespaces/apps/configmaps/web</c>, <c>/apis/rbac.authorization.k8s.io/v1/clusterroles/view</c>.</summary>
    /// <remarks>Every segment was checked to be a valid name (no '/', '%', '.' or '..' segment), so no escaping is needed.</remarks>
    public string Path =>
        (Group.Length == 0 ? "/api/" + Version : "/apis/" + Group + "/" + Version)
        + (Namespace is null ? string.Empty : "/namespaces/" + Namespace)
        + "/" + Resource + "/" + Name;
}

/// <summary>
/// The normalised <c>kubectl_apply</c> call: exactly what is applied if the call is allowed —
/// every object the manifest holds, <c>List</c> kinds expanded, in the manifest's order.
/// </summary>
/// <param name="Cluster">The configured cluster.</param>
/// <param name="Objects">The objects, in order.</param>
public sealed record KubectlApplyRequest(string Cluster, ImmutableArray<KubernetesObject> Objects);
