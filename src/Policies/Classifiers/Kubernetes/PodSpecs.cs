using System.Text.Json.Nodes;
using static McpGateway.Policies.Classifiers.Kubernetes.ManifestJson;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>A pod spec inside an object, with the metadata of the pod or pod template that holds it.</summary>
internal sealed record PodSpecAt(JsonObject Spec, JsonObject? Metadata);

/// <summary>
/// Finds every pod spec an object holds: where the built-in workload kinds keep it (a Pod's
/// <c>spec</c>, a PodTemplate's <c>template.spec</c>, <c>spec.template.spec</c> of
/// ReplicationController, ReplicaSet, Deployment, StatefulSet, DaemonSet and Job, and a
/// CronJob's <c>spec.jobTemplate.spec.template.spec</c>), and, in any object of any kind, every
/// mapping that holds a list of <c>containers</c>, <c>initContainers</c> or
/// <c>ephemeralContainers</c> — so a pod template nested in a custom resource is checked too.
/// </summary>
internal static class PodSpecs
{
    private static readonly string[] ContainerKeys = ["containers", "initContainers", "ephemeralContainers"];

    public static List<PodSpecAt> Find(JsonObject obj, string group, string kind)
    {
        var found = new List<PodSpecAt>();
        if (Known(obj, group, kind) is { } known)
        {
            found.Add(known);
        }

        Scan(obj, null, found);
        return found;
    }

    private static PodSpecAt? Known(JsonObject obj, string group, string kind)
    {
        JsonObject? holder = (group, kind) switch
        {
            (KubernetesKinds.Core, "Pod") => obj,
            (KubernetesKinds.Core, "PodTemplate") => Object(obj, "template"),
            (KubernetesKinds.Core, "ReplicationController") => Object(Object(obj, "spec"), "template"),
            (KubernetesKinds.Apps, "ReplicaSet" or "Deployment" or "StatefulSet" or "DaemonSet") => Object(Object(obj, "spec"), "template"),
            (KubernetesKinds.Batch, "Job") => Object(Object(obj, "spec"), "template"),
            (KubernetesKinds.Batch, "CronJob") => Object(Object(Object(Object(obj, "spec"), "jobTemplate"), "spec"), "template"),
            _ => null,
        };

        return Object(holder, "spec") is { } spec ? new PodSpecAt(spec, Object(holder, "metadata")) : null;
    }

    /// <summary>Depth is bounded by the manifest reader's limit, so recursion is safe.</summary>
    private static void Scan(JsonNode? node, JsonObject? parent, List<PodSpecAt> found)
    {
        switch (node)
        {
            case JsonObject obj:
                if (ContainerKeys.Any(key => Get(obj, key) is JsonArray) && !found.Any(f => ReferenceEquals(f.Spec, obj)))
                {
                    var metadata = parent is not null && ReferenceEquals(Get(parent, "spec"), obj) ? Object(parent, "metadata") : null;
                    found.Add(new PodSpecAt(obj, metadata));
                }

                foreach (var (_, child) in obj)
                {
                    Scan(child, obj, found);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Scan(item, null, found);
                }

                break;
        }
    }
}
