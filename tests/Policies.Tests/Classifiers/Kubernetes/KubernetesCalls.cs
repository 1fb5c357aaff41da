using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>
/// Builds <c>kubectl_apply</c> calls and engines over bundles written inline. The environment has
/// cluster <c>prod</c> (default namespace <c>apps</c>) whose discovery serves cert-manager's
/// Certificate (namespaced) and ClusterIssuer (cluster-scoped), and a custom cluster-scoped
/// <c>Deployment</c> kind of group <c>evil.example.com</c>; cluster <c>lab</c> is configured
/// without any Kubernetes details.
/// </summary>
internal static class KubernetesCalls
{
    public static KubernetesDiscovery Discovery { get; } = new(
    [
        new KubernetesApiResource("cert-manager.io", "v1", "Certificate", "certificates", Namespaced: true),
        new KubernetesApiResource("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", Namespaced: false),
        new KubernetesApiResource("evil.example.com", "v1", "Deployment", "deployments", Namespaced: false),
        new KubernetesApiResource("argoproj.io", "v1alpha1", "Rollout", "rollouts", Namespaced: true),
    ]);

    public static PolicyEnvironment Environment { get; } = new(
        [
            IdentityInfo.Create("deployer", ["deployers"], [Roles.Agent]),
            IdentityInfo.Create("lead", ["platform-leads"], [Roles.Operator]),
        ],
        ["deployers", "platform-leads"],
        [new KubernetesTargetInfo("prod", "apps", Discovery), new TargetInfo("lab", TargetKinds.Kubernetes)],
        ["default"]);

    /// <summary>The reference bundle of the issue: deployers apply workloads that pass restricted in 'apps'; Secrets need a lead; the rest is denied.</summary>
    public const string ReferenceBundle = """
        rules:
          - name: deployer-workloads
            when:
              groups: [deployers]
              tool: kubectl_apply
              connection: prod
              facts:
                k8s.objects.kind: [Deployment, StatefulSet, DaemonSet, Job, CronJob, Service, ConfigMap, Ingress]
                k8s.objects.namespace: apps
                k8s.objects.podSecurityLevel: restricted
            effect: allow
          - name: deployer-secrets
            when:
              groups: [deployers]
              tool: kubectl_apply
              connection: prod
              facts:
                k8s.objects.kind: Secret
                k8s.objects.namespace: apps
                k8s.objects.secretType: [Opaque, kubernetes.io/tls, kubernetes.io/dockerconfigjson]
            effect: approval
            approvers: { groups: [platform-leads] }
          - name: no-system-namespaces
            when: { tool: kubectl_apply, facts: { k8s.namespaces: { any: [kube-system, kube-public, kube-node-lease] } } }
            effect: deny
            reason: system namespaces are managed by the platform team
          - name: no-cluster-scoped
            when: { tool: kubectl_apply, facts: { k8s.clusterScoped: true } }
            effect: deny
            reason: cluster-scoped objects are managed by the platform team
          - name: no-rbac-escalation
            when: { tool: kubectl_apply, facts: { k8s.rbacEscalation: { glob: "*" } } }
            effect: deny
            reason: RBAC that escalates rights is never applied through the gateway
          - name: no-pod-security-violations
            when: { tool: kubectl_apply, facts: { k8s.podSecurityLevel: [privileged, baseline] } }
            effect: deny
            reason: every pod must pass the restricted Pod Security Standard
        """;

    /// <summary>A Deployment whose pod passes the restricted profile.</summary>
    public const string RestrictedDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
            spec:
              securityContext:
                runAsNonRoot: true
                seccompProfile: { type: RuntimeDefault }
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
                  ports: [{ containerPort: 8080 }]
                  securityContext:
                    allowPrivilegeEscalation: false
                    capabilities: { drop: [ALL] }
        """;

    private static readonly Lazy<PolicyEngine> Reference = new(() => Engine(ReferenceBundle));

    public static PolicyEngine ReferenceEngine => Reference.Value;

    public static Classification Classify(string manifest, string cluster = "prod") =>
        ClassifyJson(new JsonObject { ["cluster"] = cluster, ["manifest"] = manifest }.ToJsonString());

    public static Classification ClassifyJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new KubectlApplyClassifier().Classify(document.RootElement, Environment);
    }

    public static PolicyEngine Engine(string yaml)
    {
        var catalog = new ToolCatalog([KubectlApplyTool.Create()]);
        var bundle = new PolicyBundleLoader(catalog, Environment).Load([new PolicySource("rules.yaml", Encoding.UTF8.GetBytes(yaml))]);
        return new PolicyEngine(new PolicySnapshot(bundle, Environment, catalog));
    }

    public static PolicyDecision Decide(this PolicyEngine engine, string manifest, string identity = "deployer", string cluster = "prod")
    {
        using var document = JsonDocument.Parse(new JsonObject { ["cluster"] = cluster, ["manifest"] = manifest }.ToJsonString());
        return engine.Evaluate(identity, KubectlApplyTool.Name, document.RootElement);
    }

    public static KubectlApplyRequest? Request(this Classification classification) => classification.Request as KubectlApplyRequest;

    public static IReadOnlyList<FactElement> Objects(this Classification classification) => classification.Facts.ElementsOf(KubectlApplyTool.Objects);

    /// <summary>The only object of a call that must be understood.</summary>
    public static FactElement Single(this Classification classification)
    {
        classification.UnparsedReasons.Should().BeEmpty();
        classification.Refusals.Should().BeEmpty();
        return classification.Objects().Should().ContainSingle().Subject;
    }

    public static string? Text(this FactElement element, string name) => element.Get(name)?.Text;

    public static IReadOnlyList<string> List(this FactElement element, string name) => element.Get(name)?.Items ?? [];

    public static bool Flag(this FactElement element, string name) => element.Get(name)?.Flag == true;

    public static IReadOnlyList<string> List(this Classification classification, string name) => classification.Facts.Get(name)?.Items ?? [];

    public static bool IsUnparsed(this Classification classification) => classification.Facts.Get(CommonFacts.Unparsed)?.Flag == true && classification.IsUnparsed;

    /// <summary>The violated Pod Security controls of a one-object manifest.</summary>
    public static IReadOnlyList<string> Violations(string manifest) => Classify(manifest).Single().List(KubectlApplyTool.ObjectPodSecurity);

    /// <summary>The body of the only object applied.</summary>
    public static JsonObject Body(string manifest) => Classify(manifest).Request()!.Objects.Should().ContainSingle().Subject.ToJsonObject();

    /// <summary>Indents every line of <paramref name="text"/> by <paramref name="spaces"/>.</summary>
    public static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));
}
