using System.Collections.Frozen;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>A kind of the built-in API groups: its plural resource name and scope.</summary>
internal sealed record BuiltInKind(string Group, string Kind, string Resource, bool Namespaced);

/// <summary>
/// The kinds the Kubernetes API server itself serves (not custom resources), by group and kind,
/// with their scope. Their scope is taken from here, never from a cluster's discovery, so a
/// cluster cannot be made to report a built-in cluster-scoped kind as namespaced.
/// </summary>
internal static class KubernetesKinds
{
    public const string Core = "";
    public const string Apps = "apps";
    public const string Batch = "batch";
    public const string Rbac = "rbac.authorization.k8s.io";
    public const string Admission = "admissionregistration.k8s.io";
    public const string ApiExtensions = "apiextensions.k8s.io";

    private static readonly BuiltInKind[] Table =
    [
        new(Core, "Binding", "bindings", true),
        new(Core, "ComponentStatus", "componentstatuses", false),
        new(Core, "ConfigMap", "configmaps", true),
        new(Core, "Endpoints", "endpoints", true),
        new(Core, "Event", "events", true),
        new(Core, "LimitRange", "limitranges", true),
        new(Core, "Namespace", "namespaces", false),
        new(Core, "Node", "nodes", false),
        new(Core, "PersistentVolume", "persistentvolumes", false),
        new(Core, "PersistentVolumeClaim", "persistentvolumeclaims", true),
        new(Core, "Pod", "pods", true),
        new(Core, "PodTemplate", "podtemplates", true),
        new(Core, "ReplicationController", "replicationcontrollers", true),
        new(Core, "ResourceQuota", "resourcequotas", true),
        new(Core, "Secret", "secrets", true),
        new(Core, "Service", "services", true),
        new(Core, "ServiceAccount", "serviceaccounts", true),

        new(Admission, "MutatingAdmissionPolicy", "mutatingadmissionpolicies", false),
        new(Admission, "MutatingAdmissionPolicyBinding", "mutatingadmissionpolicybindings", false),
        new(Admission, "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
        new(Admission, "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false),
        new(Admission, "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false),
        new(Admission, "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
        new(ApiExtensions, "CustomResourceDefinition", "customresourcedefinitions", false),
        new("apiregistration.k8s.io", "APIService", "apiservices", false),

        new(Apps, "ControllerRevision", "controllerrevisions", true),
        new(Apps, "DaemonSet", "daemonsets", true),
        new(Apps, "Deployment", "deployments", true),
        new(Apps, "ReplicaSet", "replicasets", true),
        new(Apps, "StatefulSet", "statefulsets", true),

        new("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", false),
        new("authentication.k8s.io", "TokenReview", "tokenreviews", false),
        new("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true),
        new("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false),
        new("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false),
        new("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false),
        new("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true),
        new(Batch, "CronJob", "cronjobs", true),
        new(Batch, "Job", "jobs", true),
        new("certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", false),
        new("certificates.k8s.io", "ClusterTrustBundle", "clustertrustbundles", false),
        new("coordination.k8s.io", "Lease", "leases", true),
        new("coordination.k8s.io", "LeaseCandidate", "leasecandidates", true),
        new("discovery.k8s.io", "EndpointSlice", "endpointslices", true),
        new("events.k8s.io", "Event", "events", true),
        new("flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas", false),
        new("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", "prioritylevelconfigurations", false),
        new("internal.apiserver.k8s.io", "StorageVersion", "storageversions", false),
        new("networking.k8s.io", "IPAddress", "ipaddresses", false),
        new("networking.k8s.io", "Ingress", "ingresses", true),
        new("networking.k8s.io", "IngressClass", "ingressclasses", false),
        new("networking.k8s.io", "NetworkPolicy", "networkpolicies", true),
        new("networking.k8s.io", "ServiceCIDR", "servicecidrs", false),
        new("node.k8s.io", "RuntimeClass", "runtimeclasses", false),
        new("policy", "PodDisruptionBudget", "poddisruptionbudgets", true),
        new(Rbac, "ClusterRole", "clusterroles", false),
        new(Rbac, "ClusterRoleBinding", "clusterrolebindings", false),
        new(Rbac, "Role", "roles", true),
        new(Rbac, "RoleBinding", "rolebindings", true),
        new("resource.k8s.io", "DeviceClass", "deviceclasses", false),
        new("resource.k8s.io", "ResourceClaim", "resourceclaims", true),
        new("resource.k8s.io", "ResourceClaimTemplate", "resourceclaimtemplates", true),
        new("resource.k8s.io", "ResourceSlice", "resourceslices", false),
        new("scheduling.k8s.io", "PriorityClass", "priorityclasses", false),
        new("storage.k8s.io", "CSIDriver", "csidrivers", false),
        new("storage.k8s.io", "CSINode", "csinodes", false),
        new("storage.k8s.io", "CSIStorageCapacity", "csistoragecapacities", true),
        new("storage.k8s.io", "StorageClass", "storageclasses", false),
        new("storage.k8s.io", "VolumeAttachment", "volumeattachments", false),
        new("storage.k8s.io", "VolumeAttributesClass", "volumeattributesclasses", false),
        new("storagemigration.k8s.io", "StorageVersionMigration", "storageversionmigrations", false),
    ];

    private static readonly FrozenDictionary<(string Group, string Kind), BuiltInKind> ByGroupAndKind =
        Table.ToFrozenDictionary(k => (k.Group, k.Kind));

    private static readonly FrozenSet<string> Groups = Table.Select(k => k.Group).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The built-in kind, or null when <paramref name="kind"/> is not one of <paramref name="group"/>'s.</summary>
    public static BuiltInKind? Find(string group, string kind) => ByGroupAndKind.GetValueOrDefault((group, kind));

    /// <summary>The group is one the API server itself serves (kinds of it are named without their group).</summary>
    public static bool IsBuiltInGroup(string group) => Groups.Contains(group);
}
