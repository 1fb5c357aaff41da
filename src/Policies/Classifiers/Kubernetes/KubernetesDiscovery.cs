using System.Collections.Frozen;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// One kind a cluster serves, as its discovery lists it (an <c>APIResource</c> of a group
/// version's resource list, without subresources).
/// </summary>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Version">The version, for example <c>v1</c> or <c>v1beta1</c>.</param>
/// <param name="Kind">The kind, for example <c>Certificate</c>.</param>
/// <param name="Resource">The plural resource name used in paths, for example <c>certificates</c>.</param>
/// <param name="Namespaced">Objects of the kind live in a namespace; false for cluster-scoped kinds.</param>
public sealed record KubernetesApiResource(string Group, string Version, string Kind, string Resource, bool Namespaced)
{
    /// <summary>The <c>apiVersion</c> that names this kind's version: <c>version</c> for the core group, else <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;
}

/// <summary>
/// The kinds a cluster serves beyond the built-in table, keyed by <c>apiVersion</c> and kind.
/// The host fills it from the cluster's discovery and keeps it in the runtime snapshot; the
/// classifier only reads it. A kind it does not list, in the version written, is unknown, and a
/// manifest holding one is <c>unparsed</c>.
/// </summary>
public sealed class KubernetesDiscovery
{
    private readonly FrozenDictionary<(string ApiVersion, string Kind), KubernetesApiResource> _byVersion;
    private readonly FrozenDictionary<(string Group, string Kind), string[]> _versions;

    public KubernetesDiscovery(IEnumerable<KubernetesApiResource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var byVersion = new Dictionary<(string, string), KubernetesApiResource>();
        foreach (var resource in resources)
        {
            // The first entry wins: discovery may list a kind twice (a resource and its alias).
            byVersion.TryAdd((resource.ApiVersion, resource.Kind), resource);
        }

        _byVersion = byVersion.ToFrozenDictionary();
        _versions = byVersion.Values
            .GroupBy(r => (r.Group, r.Kind))
            .ToFrozenDictionary(g => g.Key, g => g.Select(r => r.Version).Order(StringComparer.Ordinal).ToArray());
        Resources = [.. byVersion.Values];
    }

    /// <summary>A cluster whose discovery is not known: only built-in kinds can be classified.</summary>
    public static KubernetesDiscovery Empty { get; } = new([]);

    /// <summary>Every kind listed, once per version.</summary>
    public IReadOnlyList<KubernetesApiResource> Resources { get; }

    /// <summary>The kind as served in <paramref name="apiVersion"/>, or null when the cluster does not serve it there.</summary>
    public KubernetesApiResource? Find(string apiVersion, string kind) =>
        _byVersion.GetValueOrDefault((apiVersion, kind));

    /// <summary>The versions in which the cluster serves <paramref name="kind"/> of <paramref name="group"/>; empty when none.</summary>
    public IReadOnlyList<string> VersionsOf(string group, string kind) =>
        _versions.TryGetValue((group, kind), out var versions) ? versions : [];
}
