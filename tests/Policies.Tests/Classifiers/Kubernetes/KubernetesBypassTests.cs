using System.Text.Json.Nodes;
using McpGateway.Policies.Model;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>
/// Manifests that try to apply something the reference bundle does not allow — a privileged pod
/// where nobody looks, RBAC that escalates, a cluster-scoped object, another namespace — decided
/// by the real loader and engine. Each case names the rule that must deny it (or <c>unparsed</c>,
/// or <c>default</c> when no rule may allow it), so a case fails if the classifier misses what it
/// hides.
/// </summary>
public sealed class KubernetesBypassTests
{
    private const string Unparsed = "unparsed";
    private const string Default = "default";
    private const string PodSecurity = "no-pod-security-violations";
    private const string Rbac = "no-rbac-escalation";
    private const string ClusterScoped = "no-cluster-scoped";
    private const string SystemNamespaces = "no-system-namespaces";

    private const string Restricted = KubernetesCalls.RestrictedDeployment;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata: { name: web }
        spec: { selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }
        """;

    private const string ConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: { name: web-settings }
        data: { LOG_LEVEL: info, FEATURE_X: "on" }
        """;

    private const string Ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: { name: web }
        spec:
          rules:
            - host: web.example.com
              http:
                paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }]
        """;

    /// <summary>The restricted Deployment with <paramref name="container"/> lines added to its container's securityContext.</summary>
    private static string Deployment(string podExtra = "", string containerExtra = "", string kind = "Deployment", string apiVersion = "apps/v1", string metadataExtra = "") => $$"""
        apiVersion: {{apiVersion}}
        kind: {{kind}}
        metadata:
          name: web
        {{metadataExtra}}
        spec:
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
        {{KubernetesCalls.Indent(podExtra, 6)}}
              containers:
                - name: web
                  image: registry.example.com/web:1
                  securityContext:
                    allowPrivilegeEscalation: false
                    capabilities: { drop: [ALL] }
        {{KubernetesCalls.Indent(containerExtra, 12)}}
        """;

    private static string CronJob(string initContainers) => $$"""
        apiVersion: batch/v1
        kind: CronJob
        metadata: { name: nightly }
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
        {{KubernetesCalls.Indent(initContainers, 10)}}
                  containers:
                    - name: job
                      image: registry.example.com/job:1
                      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
        """;

    public static TheoryData<string, string, string> Attacks { get; } = new()
    {
        { "a privileged container in a CronJob's job template", CronJob("initContainers:\n  - name: setup\n    image: busybox\n    securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }"), PodSecurity },
        { "an init container with a hostPath volume", Deployment(podExtra: "volumes: [{ name: host, hostPath: { path: / } }]\ninitContainers:\n  - name: init\n    image: busybox\n    volumeMounts: [{ name: host, mountPath: /host }]\n    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }"), PodSecurity },
        { "an ephemeral container running as root", Deployment(podExtra: "ephemeralContainers:\n  - name: debug\n    image: busybox\n    securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }"), PodSecurity },
        { "a privileged Deployment in a List in the second document", Restricted + "\n---\napiVersion: v1\nkind: List\nitems:\n" + KubernetesCalls.Indent("- " + KubernetesCalls.Indent(Deployment(containerExtra: "privileged: true"), 2).TrimStart(), 0), PodSecurity },
        { "a privileged Deployment in a typed DeploymentList", "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n  - " + KubernetesCalls.Indent(Deployment(containerExtra: "privileged: true"), 4).TrimStart(), PodSecurity },
        { "a privileged pod after an empty document", "---\n---\n" + Deployment(containerExtra: "privileged: true"), PodSecurity },
        { "hostNetwork on the pod", Deployment(podExtra: "hostNetwork: true"), PodSecurity },
        { "hostPID on the pod", Deployment(podExtra: "hostPID: true"), PodSecurity },
        { "hostNetwork written as yes (a string in YAML 1.2)", Deployment(podExtra: "hostNetwork: yes"), PodSecurity },
        { "allowPrivilegeEscalation written as no", Deployment().Replace("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: no", StringComparison.Ordinal), PodSecurity },
        { "allowPrivilegeEscalation quoted", Deployment().Replace("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: 'false'", StringComparison.Ordinal), PodSecurity },
        { "SYS_ADMIN added", Deployment().Replace("capabilities: { drop: [ALL] }", "capabilities: { drop: [ALL], add: [SYS_ADMIN] }", StringComparison.Ordinal), PodSecurity },
        { "a hostPort", Deployment().Replace("image: registry.example.com/web:1", "image: registry.example.com/web:1\n          ports: [{ containerPort: 80, hostPort: 80 }]", StringComparison.Ordinal), PodSecurity },
        { "an unconfined seccomp profile on the container", Deployment(containerExtra: "seccompProfile: { type: Unconfined }"), PodSecurity },
        { "procMount Unmasked", Deployment(containerExtra: "procMount: Unmasked"), PodSecurity },
        { "an unsafe sysctl", Deployment(podExtra: "").Replace("seccompProfile: { type: RuntimeDefault } }", "seccompProfile: { type: RuntimeDefault }, sysctls: [{ name: kernel.core_pattern, value: x }] }", StringComparison.Ordinal), PodSecurity },
        { "runAsUser 0 on the pod", Deployment().Replace("runAsNonRoot: true,", "runAsNonRoot: true, runAsUser: 0,", StringComparison.Ordinal), PodSecurity },
        { "runAsNonRoot missing", Deployment().Replace("runAsNonRoot: true, ", string.Empty, StringComparison.Ordinal), PodSecurity },
        { "an NFS volume (restricted only)", Deployment(podExtra: "volumes: [{ name: n, nfs: { server: 10.0.0.1, path: / } }]"), PodSecurity },
        { "an AppArmor annotation on the pod template", Deployment().Replace("metadata: { labels: { app: web } }", "metadata: { labels: { app: web }, annotations: { container.apparmor.security.beta.kubernetes.io/web: unconfined } }", StringComparison.Ordinal), PodSecurity },
        { "a privileged StatefulSet", Deployment(containerExtra: "privileged: true", kind: "StatefulSet"), PodSecurity },
        { "a privileged DaemonSet as JSON", DaemonSetJson(), PodSecurity },
        { "a privileged pod in a custom resource", Deployment(containerExtra: "privileged: true", kind: "Rollout", apiVersion: "argoproj.io/v1alpha1"), PodSecurity },
        { "a RoleBinding to cluster-admin", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: admin }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }\nsubjects: [{ kind: ServiceAccount, name: default }]\n", Rbac },
        { "a Role granting secrets beside a workload", Restricted + "\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: reader }\nrules: [{ apiGroups: [''], resources: [secrets], verbs: [get] }]\n", Rbac },
        { "a Role with wildcards", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: all }\nrules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]\n", Rbac },
        { "a ClusterRole with a wildcard", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: all }\nrules: [{ apiGroups: [''], resources: [pods], verbs: ['*'] }]\n", Rbac },
        { "a service-account token Secret", "apiVersion: v1\nkind: Secret\nmetadata: { name: t, annotations: { kubernetes.io/service-account.name: deployer } }\ntype: kubernetes.io/service-account-token\n", Rbac },
        { "a ValidatingWebhookConfiguration", "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: { name: allow-all }\nwebhooks: []\n", ClusterScoped },
        { "a MutatingWebhookConfiguration in a List", "apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: admissionregistration.k8s.io/v1, kind: MutatingWebhookConfiguration, metadata: { name: inject } }\n", ClusterScoped },
        { "a CRD", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: widgets.example.com }\n", ClusterScoped },
        { "a Namespace", "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps2 }\n", ClusterScoped },
        { "a custom cluster-scoped kind named Deployment", Deployment(apiVersion: "evil.example.com/v1"), ClusterScoped },
        { "a cluster-scoped kind with a namespace as disguise", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: { name: b, namespace: apps }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }\nsubjects: []\n", Unparsed },
        { "a namespace override to kube-system", Deployment(metadataExtra: "  namespace: kube-system"), SystemNamespaces },
        { "a Secret in kube-system", "apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: kube-system }\nstringData: { a: b }\n", SystemNamespaces },
        { "a workload in another namespace", Deployment(metadataExtra: "  namespace: payments"), Default },
        { "a Secret in another namespace", "apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: payments }\nstringData: { a: b }\n", Default },
        { "a bare Pod", "apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }\n  containers: [{ name: a, image: a, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } } }]\n", Default },
        { "a ServiceAccount beside a workload", Restricted + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: { name: robot }\n", Default },
        { "a duplicate hostNetwork key", Deployment(podExtra: "hostNetwork: false\nhostNetwork: true"), Unparsed },
        { "a merge key that brings in hostNetwork", Deployment(podExtra: "<<: { hostNetwork: true }"), Unparsed },
        { "an alias that copies a privileged context", "x: &p { privileged: true }\n" + Deployment(containerExtra: "y: *p"), Unparsed },
        { "a kind in the wrong case", Deployment(kind: "deployment"), Unparsed },
        { "an apiVersion in the wrong case", Deployment(apiVersion: "Apps/v1"), Unparsed },
        { "a removed apiVersion group", Deployment(apiVersion: "extensions/v1beta1"), Unparsed },
        { "a name that walks the API path", Deployment().Replace("name: web\n", "name: ../../../api/v1/namespaces/kube-system/secrets/x\n", StringComparison.Ordinal), Unparsed },
        { "a namespace with a trailing space", Deployment(metadataExtra: "  namespace: 'apps '"), Unparsed },
        { "an ambiguous octal number", Deployment(containerExtra: "runAsUser: 0000"), Unparsed },
        { "a generateName instead of a name", "apiVersion: v1\nkind: ConfigMap\nmetadata: { generateName: cfg- }\n", Unparsed },
        { "a document that is not an object", Restricted + "\n---\n- just\n- a list\n", Unparsed },
        { "malformed YAML after a good document", Restricted + "\n---\nkind: [\n", Unparsed },
    };

    public static TheoryData<string, string> Benign { get; } = new()
    {
        { "a restricted Deployment", Restricted },
        { "a Deployment, Service, ConfigMap and Ingress", string.Join("\n---\n", Restricted, Service, ConfigMap, Ingress) },
        { "the same as a List", "apiVersion: v1\nkind: List\nitems:\n" + string.Concat(new[] { Restricted, Service, ConfigMap }.Select(d => "  - " + KubernetesCalls.Indent(d, 4).TrimStart() + "\n")) },
        { "the same as JSON", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(KubernetesCalls.Body(Restricted), KubernetesCalls.Body(Service)) }.ToJsonString() },
        { "a restricted StatefulSet", Deployment(kind: "StatefulSet") },
        { "a restricted DaemonSet", Deployment(kind: "DaemonSet") },
        { "a restricted CronJob with an init container", CronJob("initContainers:\n  - name: setup\n    image: busybox\n    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }") },
        { "a Deployment naming its namespace", Deployment(metadataExtra: "  namespace: apps") },
        { "a Deployment with NET_BIND_SERVICE and a pod-level user", Deployment(containerExtra: "runAsUser: 10001").Replace("capabilities: { drop: [ALL] }", "capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] }", StringComparison.Ordinal) },
        { "a ConfigMap with values that look typed", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { enabled: 'true', mode: 'on', port: '8080' }\n" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public void An_attack_is_denied_by_the_rule_that_covers_it(string attack, string manifest, string expected)
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(manifest);

        decision.Effect.Should().Be(PolicyEffect.Deny, "{0} must not be applied ({1})", attack, string.Join(" ", decision.Reasons));
        switch (expected)
        {
            case Unparsed:
                decision.Classification!.IsUnparsed.Should().BeTrue(attack);
                decision.Reasons.Should().Contain(r => r.Contains("could not be fully understood", StringComparison.Ordinal), attack);
                break;
            case Default:
                decision.MatchedRules.Should().BeEmpty(attack);
                decision.Classification!.IsUnparsed.Should().BeFalse(attack);
                break;
            default:
                decision.MatchedRules.Should().Contain(expected, attack);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Benign))]
    public void A_benign_manifest_is_allowed(string name, string manifest)
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(manifest);

        decision.Effect.Should().Be(PolicyEffect.Allow, "{0}: {1}", name, string.Join(" ", decision.Reasons));
        decision.MatchedRules.Should().Equal("deployer-workloads");
    }

    [Fact]
    public void The_attack_table_is_large()
    {
        Attacks.Count.Should().BeGreaterThanOrEqualTo(50);
    }

    [Fact]
    public void A_secret_needs_approval_by_a_platform_lead()
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(Restricted + "\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: db }\nstringData: { password: x }\n");

        decision.Effect.Should().Be(PolicyEffect.Approval);
        decision.Approvals.Should().ContainSingle().Which.Groups.Should().Equal("platform-leads");
        decision.MatchedRules.Should().BeEquivalentTo(["deployer-secrets", "deployer-workloads"]);
    }

    [Fact]
    public void A_secret_hidden_in_a_list_still_needs_approval()
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide("apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: Secret, metadata: { name: db }, type: Opaque, data: { k: dg== } }\n");

        decision.Effect.Should().Be(PolicyEffect.Approval);
    }

    [Fact]
    public void A_secret_with_a_denied_object_is_denied()
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(Deployment(podExtra: "hostIPC: true") + "\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: db }\n");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Equal(PodSecurity);
    }

    [Fact]
    public void The_uncovered_object_is_named()
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(Restricted + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: { name: robot }\n");

        decision.Reasons.Should().Contain(r => r.Contains("k8s.objects[1] (ServiceAccount)", StringComparison.Ordinal));
    }

    [Fact]
    public void Another_identity_or_cluster_is_not_covered()
    {
        KubernetesCalls.ReferenceEngine.Decide(Restricted, identity: "lead").Effect.Should().Be(PolicyEffect.Deny);
        KubernetesCalls.ReferenceEngine.Decide(Restricted, cluster: "lab").Effect.Should().Be(PolicyEffect.Deny);
    }

    [Fact]
    public void A_rule_that_names_unparsed_is_the_only_way_to_allow_an_unparsed_manifest()
    {
        var engine = KubernetesCalls.Engine("""
            rules:
              - name: anything
                when: { tool: kubectl_apply }
                effect: allow
              - name: even-unparsed
                when: { tool: kubectl_apply, identity: lead, facts: { unparsed: true } }
                effect: allow
            """);

        engine.Decide("a: [").Effect.Should().Be(PolicyEffect.Deny);
        engine.Decide(Restricted).Effect.Should().Be(PolicyEffect.Allow);
    }

    [Fact]
    public void Deny_rules_still_match_the_understood_objects_of_an_unparsed_manifest()
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(Deployment(podExtra: "hostPID: true") + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Contain(PodSecurity);
    }

    [Fact]
    public void Force_conflicts_is_an_obligation_a_rule_can_set()
    {
        var engine = KubernetesCalls.Engine("""
            rules:
              - name: take-over
                when: { tool: kubectl_apply, connection: prod, facts: { k8s.objects.kind: ConfigMap } }
                effect: allow
                obligations: { forceConflicts: true }
            """);

        var decision = engine.Decide("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n");

        decision.Effect.Should().Be(PolicyEffect.Allow);
        decision.Obligations["forceConflicts"].Flag.Should().BeTrue();
    }

    [Theory]
    [InlineData("{ forceConflicts: false }")]
    [InlineData("{ timeout: 30s }")]
    public void Force_conflicts_holds_only_when_every_rule_that_allows_the_call_grants_it(string otherObligations)
    {
        // Obligations merge to the strictest; for a grant that loosens what runs, withholding it is the strict side.
        var engine = KubernetesCalls.Engine($$"""
            rules:
              - name: take-over
                when: { tool: kubectl_apply, connection: prod, facts: { k8s.objects.kind: ConfigMap } }
                effect: allow
                obligations: { forceConflicts: true }
              - name: config-maps
                when: { tool: kubectl_apply, connection: prod, facts: { k8s.objects.kind: ConfigMap } }
                effect: allow
                obligations: {{otherObligations}}
            """);

        var decision = engine.Decide("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n");

        decision.Effect.Should().Be(PolicyEffect.Allow);
        decision.Obligations["forceConflicts"].Flag.Should().BeFalse();
    }

    [Fact]
    public void What_is_allowed_is_what_is_sent()
    {
        var decision = KubernetesCalls.ReferenceEngine.Decide(string.Join("\n---\n", Restricted, ConfigMap));

        var request = decision.Classification!.Request().Should().NotBeNull().And.Subject.As<McpGateway.Policies.Classifiers.Kubernetes.KubectlApplyRequest>();
        request.Cluster.Should().Be("prod");
        request.Objects.Select(o => (o.Kind, o.Namespace, o.Name)).Should().Equal(("Deployment", "apps", "web"), ("ConfigMap", "apps", "web-settings"));
        request.Objects[1].ToJsonObject()["data"]!["FEATURE_X"]!.GetValue<string>().Should().Be("on");
    }

    private static string DaemonSetJson()
    {
        var spec = PodSecurityTests.RestrictedSpec();
        spec["containers"]![0]!["securityContext"]!["privileged"] = true;
        return PodSecurityTests.Wrap("DaemonSet", spec);
    }
}
