using System.Collections.Immutable;
using System.Text.Json.Nodes;
using McpGateway.Policies.Facts;
using static McpGateway.Policies.Classifiers.Kubernetes.ManifestJson;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>What the classifier learned about one object; becomes one element of <c>k8s.objects</c>.</summary>
internal sealed record ObjectAnalysis(
    ManifestObject Source,
    int PodSpecs,
    ImmutableArray<string> PodSecurity,
    string PodSecurityLevel,
    ImmutableArray<string> Images,
    ImmutableArray<string> ServiceAccounts,
    ImmutableArray<string> RbacEscalation,
    bool Secret,
    string SecretType,
    ImmutableArray<string> SecretKeys,
    bool Admission,
    bool Crd)
{
    private static readonly string[] AdmissionKinds =
    [
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    ];

    public static List<ObjectAnalysis> Analyze(List<ManifestObject> objects)
    {
        var reasons = objects.Select(o => Escalations(o)).ToList();

        // A binding to a role the same manifest defines carries that role's reasons.
        for (var i = 0; i < objects.Count; i++)
        {
            var source = objects[i].Object;
            if (source.Group != KubernetesKinds.Rbac || source.Kind is not ("RoleBinding" or "ClusterRoleBinding") || Kubernetes.RbacEscalation.RoleRef(objects[i].Json) is not { } roleRef)
            {
                continue;
            }

            for (var j = 0; j < objects.Count; j++)
            {
                var role = objects[j].Object;
                if (role.Group == KubernetesKinds.Rbac && role.Kind == roleRef.Kind && role.Name == roleRef.Name && (role.Kind == "ClusterRole" || role.Namespace == source.Namespace))
                {
                    reasons[i].UnionWith(reasons[j]);
                }
            }
        }

        return [.. objects.Select((o, i) => Analyze(o, reasons[i]))];
    }

    public static void SetFacts(List<ObjectAnalysis> analyses, FactSetBuilder facts)
    {
        foreach (var analysis in analyses)
        {
            facts.AddElement(KubectlApplyTool.Objects, analysis.Facts());
        }

        facts.Set(KubectlApplyTool.ObjectCount, analyses.Count)
            .Set(KubectlApplyTool.Kinds, analyses.Select(a => a.Source.KindName).Distinct(StringComparer.Ordinal))
            .Set(KubectlApplyTool.Namespaces, analyses.Select(a => a.Source.Object.Namespace).OfType<string>().Distinct(StringComparer.Ordinal))
            .Set(KubectlApplyTool.ClusterScoped, analyses.Any(a => a.Source.Object.ClusterScoped))
            .Set(KubectlApplyTool.PodSecurity, Ordered(analyses.SelectMany(a => a.PodSecurity).ToHashSet(StringComparer.Ordinal), Kubernetes.PodSecurity.Controls))
            .Set(KubectlApplyTool.PodSecurityLevel, analyses.Aggregate(Kubernetes.PodSecurity.Restricted, (level, a) => Kubernetes.PodSecurity.Weaker(level, a.PodSecurityLevel)))
            .Set(KubectlApplyTool.RbacEscalation, Ordered(analyses.SelectMany(a => a.RbacEscalation).ToHashSet(StringComparer.Ordinal), Kubernetes.RbacEscalation.Reasons))
            .Set(KubectlApplyTool.Secrets, analyses.Any(a => a.Secret))
            .Set(KubectlApplyTool.Admission, analyses.Any(a => a.Admission))
            .Set(KubectlApplyTool.Crds, analyses.Any(a => a.Crd));
    }

    private IEnumerable<KeyValuePair<string, FactValue>> Facts()
    {
        var obj = Source.Object;
        return
        [
            new(KubectlApplyTool.ObjectKind, FactValue.Of(Source.KindName)),
            new(KubectlApplyTool.ObjectApiVersion, FactValue.Of(obj.ApiVersion)),
            new(KubectlApplyTool.ObjectGroup, FactValue.Of(obj.Group)),
            new(KubectlApplyTool.ObjectNamespace, FactValue.Of(obj.Namespace ?? string.Empty)),
            new(KubectlApplyTool.ObjectName, FactValue.Of(obj.Name)),
            new(KubectlApplyTool.ObjectClusterScoped, FactValue.Of(obj.ClusterScoped)),
            new(KubectlApplyTool.ObjectPodSpecs, FactValue.Of(PodSpecs)),
            new(KubectlApplyTool.ObjectPodSecurity, FactValue.Of(PodSecurity)),
            new(KubectlApplyTool.ObjectPodSecurityLevel, FactValue.Of(PodSecurityLevel)),
            new(KubectlApplyTool.ObjectImages, FactValue.Of(Images)),
            new(KubectlApplyTool.ObjectServiceAccounts, FactValue.Of(ServiceAccounts)),
            new(KubectlApplyTool.ObjectRbacEscalation, FactValue.Of(RbacEscalation)),
            new(KubectlApplyTool.ObjectSecret, FactValue.Of(Secret)),
            new(KubectlApplyTool.ObjectSecretType, FactValue.Of(SecretType)),
            new(KubectlApplyTool.ObjectSecretKeys, FactValue.Of(SecretKeys)),
            new(KubectlApplyTool.ObjectAdmission, FactValue.Of(Admission)),
            new(KubectlApplyTool.ObjectCrd, FactValue.Of(Crd)),
        ];
    }

    private static HashSet<string> Escalations(ManifestObject source)
    {
        var reasons = new HashSet<string>(StringComparer.Ordinal);
        Kubernetes.RbacEscalation.Check(source.Json, source.Object.Group, source.Object.Kind, reasons);
        return reasons;
    }

    private static ObjectAnalysis Analyze(ManifestObject source, HashSet<string> rbac)
    {
        var obj = source.Object;
        var json = source.Json;
        var specs = Kubernetes.PodSpecs.Find(json, obj.Group, obj.Kind);
        var violations = new HashSet<string>(StringComparer.Ordinal);
        var images = new List<string>();
        var accounts = new List<string>();
        foreach (var (spec, metadata) in specs)
        {
            Kubernetes.PodSecurity.Check(spec, metadata, violations);
            images.AddRange(Kubernetes.PodSecurity.Containers(spec).Select(c => AsString(Get(c, "image")) ?? string.Empty));
            accounts.Add(String(spec, "serviceAccountName") ?? String(spec, "serviceAccount") ?? "default");
        }

        var secret = obj.Group == KubernetesKinds.Core && obj.Kind == "Secret";
        var secretKeys = secret
            ? Keys(Object(json, "data")).Concat(Keys(Object(json, "stringData"))).Distinct(StringComparer.Ordinal)
            : [];
        return new ObjectAnalysis(
            source,
            specs.Count,
            Ordered(violations, Kubernetes.PodSecurity.Controls),
            Kubernetes.PodSecurity.Level(violations),
            [.. images.Distinct(StringComparer.Ordinal)],
            [.. accounts.Distinct(StringComparer.Ordinal)],
            Ordered(rbac, Kubernetes.RbacEscalation.Reasons),
            secret,
            secret ? String(json, "type") ?? "Opaque" : string.Empty,
            [.. secretKeys],
            obj.Group == KubernetesKinds.Admission && AdmissionKinds.Contains(obj.Kind),
            obj.Group == KubernetesKinds.ApiExtensions && obj.Kind == "CustomResourceDefinition");
    }

    private static IEnumerable<string> Keys(JsonObject? map) => map is null ? [] : map.Select(p => p.Key);

    private static ImmutableArray<string> Ordered(IEnumerable<string> values, IReadOnlyList<string> order)
    {
        var set = values as ISet<string> ?? values.ToHashSet(StringComparer.Ordinal);
        return [.. order.Where(set.Contains)];
    }
}
