using System.Text.Json.Nodes;
using static McpGateway.Policies.Classifiers.Kubernetes.ManifestJson;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// Why an RBAC object (or a Secret) grants more than it seems to: wildcards, the verbs that let a
/// holder raise its own rights (<c>bind</c>, <c>escalate</c>, <c>impersonate</c>), access to
/// Secrets and service-account tokens, bindings to <c>cluster-admin</c> or any ClusterRole,
/// bindings of everyone, and ClusterRole aggregation. <c>resourceNames</c> restrictions are not
/// taken into account: a rule is judged by what it could grant.
/// </summary>
internal static class RbacEscalation
{
    public const string WildcardVerbs = "wildcardVerbs";
    public const string WildcardResources = "wildcardResources";
    public const string WildcardApiGroups = "wildcardApiGroups";
    public const string WildcardNonResourceUrls = "wildcardNonResourceURLs";
    public const string Bind = "bind";
    public const string Escalate = "escalate";
    public const string Impersonate = "impersonate";
    public const string Secrets = "secrets";
    public const string ServiceAccountTokens = "serviceAccountTokens";
    public const string NodeProxy = "nodeProxy";
    public const string CsrApproval = "csrApproval";
    public const string PersistentVolumes = "persistentVolumes";
    public const string AdmissionControl = "admissionControl";
    public const string Workloads = "workloads";
    public const string ClusterAdmin = "clusterAdmin";
    public const string ClusterRole = "clusterRole";
    public const string ClusterWide = "clusterWide";
    public const string BroadSubjects = "broadSubjects";
    public const string AggregationRule = "aggregationRule";
    public const string AggregatesToBuiltIn = "aggregatesToBuiltIn";
    public const string ServiceAccountTokenSecret = "serviceAccountTokenSecret";

    /// <summary>Every reason, in the order facts list them.</summary>
    public static IReadOnlyList<string> Reasons { get; } =
    [
        WildcardVerbs, WildcardResources, WildcardApiGroups, WildcardNonResourceUrls, Bind, Escalate, Impersonate,
        Secrets, ServiceAccountTokens, NodeProxy, CsrApproval, PersistentVolumes, AdmissionControl, Workloads,
        ClusterAdmin, ClusterRole, ClusterWide, BroadSubjects, AggregationRule, AggregatesToBuiltIn, ServiceAccountTokenSecret,
    ];

    private const string AggregateLabelPrefix = "rbac.authorization.k8s.io/aggregate-to-";

    private static readonly string[] WriteVerbs = ["create", "update", "patch"];
    private static readonly string[] AnyVerb = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    private static readonly string[] Identities = ["users", "groups", "serviceaccounts", "uids", "userextras"];
    private static readonly string[] IdentityGroups = [KubernetesKinds.Core, "authentication.k8s.io"];
    private static readonly string[] WorkloadResources = ["pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "replicationcontrollers", "podtemplates"];
    private static readonly string[] WorkloadGroups = [KubernetesKinds.Core, KubernetesKinds.Apps, KubernetesKinds.Batch];
    private static readonly string[] AdmissionResources =
        ["validatingwebhookconfigurations", "mutatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"];

    private static readonly string[] EveryoneGroups = ["system:authenticated", "system:unauthenticated", "system:serviceaccounts"];

    /// <summary>Adds the reasons <paramref name="obj"/> escalates to <paramref name="reasons"/>.</summary>
    public static void Check(JsonObject obj, string group, string kind, ISet<string> reasons)
    {
        if (group == KubernetesKinds.Core && kind == "Secret")
        {
            if (String(obj, "type") == "kubernetes.io/service-account-token")
            {
                reasons.Add(ServiceAccountTokenSecret);
            }

            return;
        }

        if (group != KubernetesKinds.Rbac)
        {
            return;
        }

        switch (kind)
        {
            case "Role" or "ClusterRole":
                foreach (var rule in Get(obj, "rules") is JsonArray rules ? rules : [])
                {
                    CheckRule(rule, reasons);
                }

                if (kind == "ClusterRole")
                {
                    if (!IsUnset(Get(obj, "aggregationRule")))
                    {
                        reasons.Add(AggregationRule);
                    }

                    if (Object(Object(obj, "metadata"), "labels") is { } labels && labels.Any(l => l.Key.StartsWith(AggregateLabelPrefix, StringComparison.Ordinal)))
                    {
                        reasons.Add(AggregatesToBuiltIn);
                    }
                }

                break;
            case "RoleBinding" or "ClusterRoleBinding":
                var roleRef = Object(obj, "roleRef");
                if (String(roleRef, "kind") != "Role")
                {
                    // A ClusterRole, or a roleRef the API server will refuse.
                    reasons.Add(ClusterRole);
                    if (String(roleRef, "name") is "cluster-admin" or null)
                    {
                        reasons.Add(ClusterAdmin);
                    }
                }

                if (kind == "ClusterRoleBinding")
                {
                    reasons.Add(ClusterWide);
                }

                foreach (var subject in Get(obj, "subjects") is JsonArray subjects ? subjects : [])
                {
                    var name = String(subject, "name");
                    if ((String(subject, "kind") == "Group" && (EveryoneGroups.Contains(name) || name?.StartsWith("system:serviceaccounts:", StringComparison.Ordinal) == true))
                        || (String(subject, "kind") == "User" && name == "system:anonymous"))
                    {
                        reasons.Add(BroadSubjects);
                    }
                }

                break;
        }
    }

    /// <summary>The role a binding refers to: (kind, name), or null when it names none.</summary>
    public static (string Kind, string Name)? RoleRef(JsonObject binding) =>
        Object(binding, "roleRef") is { } roleRef && String(roleRef, "kind") is { } kind && String(roleRef, "name") is { } name ? (kind, name) : null;

    private static void CheckRule(JsonNode? node, ISet<string> reasons)
    {
        if (node is not JsonObject rule)
        {
            return;
        }

        var verbs = Strings(Array(rule, "verbs")).ToList();
        var groups = Strings(Array(rule, "apiGroups")).ToList();
        var resources = Strings(Array(rule, "resources")).ToList();
        AddIf(reasons, WildcardVerbs, verbs.Contains("*"));
        AddIf(reasons, WildcardResources, resources.Any(r => r == "*" || r.StartsWith("*/", StringComparison.Ordinal)));
        AddIf(reasons, WildcardApiGroups, groups.Contains("*"));
        AddIf(reasons, WildcardNonResourceUrls, Strings(Array(rule, "nonResourceURLs")).Any(u => u.EndsWith('*')));

        bool Grants(string[] anyVerb, string[] anyGroup, params string[] anyResource) =>
            (verbs.Contains("*") || verbs.Intersect(anyVerb).Any())
            && (groups.Contains("*") || groups.Intersect(anyGroup).Any())
            && (resources.Contains("*") || resources.Intersect(anyResource).Any()
                || resources.Any(r => r.StartsWith("*/", StringComparison.Ordinal) && anyResource.Any(a => a.EndsWith(r[1..], StringComparison.Ordinal))));

        AddIf(reasons, Bind, Grants(["bind"], [KubernetesKinds.Rbac], "roles", "clusterroles"));
        AddIf(reasons, Escalate, Grants(["escalate"], [KubernetesKinds.Rbac], "roles", "clusterroles"));
        AddIf(reasons, Impersonate, Grants(["impersonate"], IdentityGroups, Identities));
        AddIf(reasons, Secrets, Grants(AnyVerb, [KubernetesKinds.Core], "secrets"));
        AddIf(reasons, ServiceAccountTokens, Grants(["create"], [KubernetesKinds.Core], "serviceaccounts/token"));
        AddIf(reasons, NodeProxy, Grants(["get", "create"], [KubernetesKinds.Core], "nodes/proxy"));
        AddIf(reasons, CsrApproval, Grants(["update", "patch"], ["certificates.k8s.io"], "certificatesigningrequests/approval"));
        AddIf(reasons, PersistentVolumes, Grants(["create"], [KubernetesKinds.Core], "persistentvolumes"));
        AddIf(reasons, AdmissionControl, Grants([.. WriteVerbs, "delete"], [KubernetesKinds.Admission], AdmissionResources));
        AddIf(reasons, Workloads, Grants(WriteVerbs, WorkloadGroups, WorkloadResources));
    }

    private static void AddIf(ISet<string> reasons, string reason, bool condition)
    {
        if (condition)
        {
            reasons.Add(reason);
        }
    }
}
