using McpGateway.Policies.Classifiers.Kubernetes;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>RBAC objects (and Secrets) that grant more than they seem to.</summary>
public sealed class RbacEscalationTests
{
    private static IReadOnlyList<string> RoleReasons(string rules, string kind = "Role") =>
        KubernetesCalls.Classify($"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: r}}\nrules:\n{rules}\n")
            .Single().List(KubectlApplyTool.ObjectRbacEscalation);

    [Theory]
    [InlineData("- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}", new[] { "wildcardVerbs", "wildcardResources", "wildcardApiGroups", "bind", "escalate", "impersonate", "secrets", "serviceAccountTokens", "nodeProxy", "csrApproval", "persistentVolumes", "admissionControl", "workloads" })]
    [InlineData("- {apiGroups: [''], resources: [pods], verbs: ['*']}", new[] { "wildcardVerbs", "workloads" })]
    [InlineData("- {apiGroups: [''], resources: ['*'], verbs: [get]}", new[] { "wildcardResources", "secrets", "nodeProxy" })]
    [InlineData("- {apiGroups: ['*'], resources: [configmaps], verbs: [get]}", new[] { "wildcardApiGroups" })]
    [InlineData("- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind]}", new[] { "bind" })]
    [InlineData("- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}", new[] { "escalate" })]
    [InlineData("- {apiGroups: [''], resources: [users, groups], verbs: [impersonate]}", new[] { "impersonate" })]
    [InlineData("- {apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}", new[] { "impersonate" })]
    [InlineData("- {apiGroups: [''], resources: [secrets], verbs: [get, list]}", new[] { "secrets" })]
    [InlineData("- {apiGroups: [''], resources: [secrets], verbs: [watch]}", new[] { "secrets" })]
    [InlineData("- {apiGroups: [''], resources: [secrets], resourceNames: [one], verbs: [get]}", new[] { "secrets" })]
    [InlineData("- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}", new[] { "serviceAccountTokens" })]
    [InlineData("- {apiGroups: [''], resources: ['*/token'], verbs: [create]}", new[] { "wildcardResources", "serviceAccountTokens" })]
    [InlineData("- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}", new[] { "nodeProxy" })]
    [InlineData("- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}", new[] { "csrApproval" })]
    [InlineData("- {apiGroups: [''], resources: [persistentvolumes], verbs: [create]}", new[] { "persistentVolumes" })]
    [InlineData("- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}", new[] { "admissionControl" })]
    [InlineData("- {apiGroups: [apps], resources: [deployments], verbs: [create]}", new[] { "workloads" })]
    [InlineData("- {nonResourceURLs: ['/*'], verbs: [get]}", new[] { "wildcardNonResourceURLs" })]
    public void Rules_that_escalate_are_named(string rules, string[] reasons)
    {
        RoleReasons(rules).Should().Equal(reasons);
        RoleReasons(rules, "ClusterRole").Should().Equal(reasons);
    }

    [Theory]
    [InlineData("- {apiGroups: [''], resources: [configmaps, services], verbs: [get, list, watch]}")]
    [InlineData("- {apiGroups: [apps], resources: [deployments], verbs: [get, list]}")]
    [InlineData("- {apiGroups: [''], resources: [pods], verbs: [bind, escalate, impersonate]}")]
    [InlineData("- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [get]}")]
    [InlineData("- {apiGroups: [''], resources: [pods/log], verbs: [get]}")]
    [InlineData("- {nonResourceURLs: [/healthz], verbs: [get]}")]
    public void Rules_that_do_not_escalate_have_no_reasons(string rules)
    {
        RoleReasons(rules).Should().BeEmpty();
    }

    [Theory]
    [InlineData("RoleBinding", "ClusterRole", "cluster-admin", new[] { "clusterAdmin", "clusterRole" })]
    [InlineData("ClusterRoleBinding", "ClusterRole", "cluster-admin", new[] { "clusterAdmin", "clusterRole", "clusterWide" })]
    [InlineData("RoleBinding", "ClusterRole", "view", new[] { "clusterRole" })]
    [InlineData("ClusterRoleBinding", "ClusterRole", "view", new[] { "clusterRole", "clusterWide" })]
    [InlineData("RoleBinding", "Role", "reader", new string[0])]
    public void Bindings_are_judged_by_what_they_bind(string kind, string roleKind, string roleName, string[] reasons)
    {
        var manifest = $"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: {kind}
            metadata: {"{"}name: b{"}"}
            roleRef: {"{"}apiGroup: rbac.authorization.k8s.io, kind: {roleKind}, name: {roleName}{"}"}
            subjects: [{"{"}kind: ServiceAccount, name: app, namespace: apps{"}"}]
            """;

        KubernetesCalls.Classify(manifest).Single().List(KubectlApplyTool.ObjectRbacEscalation).Should().Equal(reasons);
    }

    [Theory]
    [InlineData("Group", "system:authenticated")]
    [InlineData("Group", "system:unauthenticated")]
    [InlineData("Group", "system:serviceaccounts")]
    [InlineData("Group", "system:serviceaccounts:kube-system")]
    [InlineData("User", "system:anonymous")]
    public void Binding_everyone_is_named(string subjectKind, string subject)
    {
        var manifest = $"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: b}}\nroleRef: {{kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}}\nsubjects: [{{kind: {subjectKind}, name: '{subject}'}}]\n";

        KubernetesCalls.Classify(manifest).Single().List(KubectlApplyTool.ObjectRbacEscalation).Should().Equal("broadSubjects");
    }

    [Fact]
    public void A_binding_to_a_role_defined_in_the_same_manifest_carries_its_reasons()
    {
        var classification = KubernetesCalls.Classify("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: { name: innocent }
            rules: [{ apiGroups: [""], resources: [secrets], verbs: [get] }]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: { name: b }
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: innocent }
            subjects: [{ kind: ServiceAccount, name: app }]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: { name: elsewhere, namespace: other }
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: innocent }
            subjects: [{ kind: ServiceAccount, name: app }]
            """);

        var objects = classification.Objects();
        objects[1].List(KubectlApplyTool.ObjectRbacEscalation).Should().Equal("secrets");
        objects[2].List(KubectlApplyTool.ObjectRbacEscalation).Should().BeEmpty("a Role binds only in its own namespace");
        classification.List(KubectlApplyTool.RbacEscalation).Should().Equal("secrets");
    }

    [Fact]
    public void Cluster_role_aggregation_is_named()
    {
        var element = KubernetesCalls.Classify("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: sneaky
              labels: { rbac.authorization.k8s.io/aggregate-to-edit: "true" }
            aggregationRule:
              clusterRoleSelectors: [{ matchLabels: { team: x } }]
            rules: []
            """).Single();

        element.List(KubectlApplyTool.ObjectRbacEscalation).Should().Equal("aggregationRule", "aggregatesToBuiltIn");
    }

    [Fact]
    public void A_secret_that_mints_a_service_account_token_escalates()
    {
        var element = KubernetesCalls.Classify("""
            apiVersion: v1
            kind: Secret
            metadata:
              name: token
              annotations: { kubernetes.io/service-account.name: default }
            type: kubernetes.io/service-account-token
            """).Single();

        element.List(KubectlApplyTool.ObjectRbacEscalation).Should().Equal("serviceAccountTokenSecret");
        element.Text(KubectlApplyTool.ObjectSecretType).Should().Be("kubernetes.io/service-account-token");
    }

    [Fact]
    public void Non_rbac_objects_have_no_reasons()
    {
        KubernetesCalls.Classify(KubernetesCalls.RestrictedDeployment).Single().List(KubectlApplyTool.ObjectRbacEscalation).Should().BeEmpty();
    }
}
