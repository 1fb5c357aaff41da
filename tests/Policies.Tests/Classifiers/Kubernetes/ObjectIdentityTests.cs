using McpGateway.Policies.Classifiers.Kubernetes;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>Each object's identity, scope and namespace, and what is sent for it.</summary>
public sealed class ObjectIdentityTests
{
    [Fact]
    public void A_namespaced_object_without_a_namespace_gets_the_clusters_default_in_facts_and_body()
    {
        var classification = KubernetesCalls.Classify("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");

        classification.Single().Text(KubectlApplyTool.ObjectNamespace).Should().Be("apps");
        var applied = classification.Request()!.Objects.Single();
        applied.Namespace.Should().Be("apps");
        applied.ToJsonObject()["metadata"]!["namespace"]!.GetValue<string>().Should().Be("apps");
        applied.Path.Should().Be("/api/v1/namespaces/apps/configmaps/a");
        classification.List(KubectlApplyTool.Namespaces).Should().Equal("apps");
    }

    [Fact]
    public void An_empty_namespace_is_defaulted_too()
    {
        KubernetesCalls.Classify("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ''}\n")
            .Single().Text(KubectlApplyTool.ObjectNamespace).Should().Be("apps");
    }

    [Fact]
    public void A_cluster_configured_without_details_defaults_to_the_default_namespace()
    {
        var classification = KubernetesCalls.Classify("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", cluster: "lab");

        classification.Single().Text(KubectlApplyTool.ObjectNamespace).Should().Be("default");
        classification.Request()!.Cluster.Should().Be("lab");
    }

    [Fact]
    public void A_written_namespace_is_kept()
    {
        var classification = KubernetesCalls.Classify("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: dns, namespace: kube-system}\n");

        classification.Single().Text(KubectlApplyTool.ObjectNamespace).Should().Be("kube-system");
        classification.Request()!.Objects.Single().Path.Should().Be("/apis/apps/v1/namespaces/kube-system/deployments/dns");
    }

    [Theory]
    [InlineData("v1", "Namespace", "namespaces")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings")]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions")]
    [InlineData("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations")]
    [InlineData("v1", "PersistentVolume", "persistentvolumes")]
    [InlineData("storage.k8s.io/v1", "StorageClass", "storageclasses")]
    [InlineData("v1", "Node", "nodes")]
    [InlineData("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses")]
    public void Built_in_cluster_scoped_kinds_are_cluster_scoped(string apiVersion, string kind, string resource)
    {
        var classification = KubernetesCalls.Classify($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: thing}}\n");

        var element = classification.Single();
        element.Flag(KubectlApplyTool.ObjectClusterScoped).Should().BeTrue();
        element.Text(KubectlApplyTool.ObjectNamespace).Should().BeEmpty();
        classification.Facts.Get(KubectlApplyTool.ClusterScoped)!.Flag.Should().BeTrue();
        classification.List(KubectlApplyTool.Namespaces).Should().BeEmpty();
        var applied = classification.Request()!.Objects.Single();
        applied.ClusterScoped.Should().BeTrue();
        applied.Resource.Should().Be(resource);
        applied.ToJsonObject()["metadata"]!.AsObject().ContainsKey("namespace").Should().BeFalse();
    }

    [Fact]
    public void A_cluster_scoped_object_with_a_namespace_is_unparsed()
    {
        var classification = KubernetesCalls.Classify("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: apps}\nrules: []\n");

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Single().Should().Contain("cluster-scoped").And.Contain("remove metadata.namespace");
    }

    [Fact]
    public void A_custom_kind_takes_its_scope_from_discovery()
    {
        var classification = KubernetesCalls.Classify("""
            apiVersion: cert-manager.io/v1
            kind: Certificate
            metadata: { name: web-tls }
            ---
            apiVersion: cert-manager.io/v1
            kind: ClusterIssuer
            metadata: { name: letsencrypt }
            """);

        classification.UnparsedReasons.Should().BeEmpty();
        var objects = classification.Objects();
        objects[0].Text(KubectlApplyTool.ObjectKind).Should().Be("Certificate.cert-manager.io");
        objects[0].Text(KubectlApplyTool.ObjectNamespace).Should().Be("apps");
        objects[0].Text(KubectlApplyTool.ObjectGroup).Should().Be("cert-manager.io");
        objects[1].Text(KubectlApplyTool.ObjectKind).Should().Be("ClusterIssuer.cert-manager.io");
        objects[1].Flag(KubectlApplyTool.ObjectClusterScoped).Should().BeTrue();
        classification.Request()!.Objects[0].Path.Should().Be("/apis/cert-manager.io/v1/namespaces/apps/certificates/web-tls");
    }

    [Fact]
    public void A_custom_kind_named_like_a_built_in_one_is_named_with_its_group()
    {
        var element = KubernetesCalls.Classify("apiVersion: evil.example.com/v1\nkind: Deployment\nmetadata: {name: web}\n").Single();

        element.Text(KubectlApplyTool.ObjectKind).Should().Be("Deployment.evil.example.com");
        element.Flag(KubectlApplyTool.ObjectClusterScoped).Should().BeTrue();
    }

    [Theory]
    [InlineData("example.com/v1", "Widget", "neither a built-in kind nor one that cluster 'prod' serves")]
    [InlineData("v1", "Deployment", "neither a built-in kind")]
    [InlineData("v1", "configmap", "neither a built-in kind")]
    [InlineData("cert-manager.io/v1alpha2", "Certificate", "only in version v1")]
    [InlineData("apps/v1", "Widget", "neither a built-in kind")]
    public void A_kind_of_unknown_scope_is_unparsed(string apiVersion, string kind, string message)
    {
        var classification = KubernetesCalls.Classify($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: a}}\n");

        classification.IsUnparsed().Should().BeTrue();
        classification.UnparsedReasons.Single().Should().Contain(message);
    }

    [Fact]
    public void A_cluster_without_discovery_knows_only_built_in_kinds()
    {
        KubernetesCalls.Classify("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a}\n", cluster: "lab")
            .IsUnparsed().Should().BeTrue();
    }

    [Fact]
    public void Kinds_of_unknown_scope_are_named_in_a_fact_so_the_host_can_read_discovery_again()
    {
        var unknown = KubernetesCalls.Classify("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a}\n---\napiVersion: example.com/v2\nkind: Widget\nmetadata: {name: b}\n", cluster: "lab");
        var known = KubernetesCalls.Classify("apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a}\n");

        unknown.IsUnparsed().Should().BeTrue();
        unknown.Facts.Get(KubectlApplyTool.UnknownKinds)!.Items.Should().Equal("cert-manager.io/v1/Certificate", "example.com/v2/Widget");
        known.Facts.Get(KubectlApplyTool.UnknownKinds)!.Items.Should().BeEmpty();
    }

    [Fact]
    public void Discovery_cannot_change_the_scope_of_a_built_in_kind()
    {
        var discovery = new KubernetesDiscovery([new KubernetesApiResource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", Namespaced: true)]);
        var environment = new McpGateway.Policies.PolicyEnvironment([], [], [new McpGateway.Policies.KubernetesTargetInfo("x", "apps", discovery)], []);
        using var document = System.Text.Json.JsonDocument.Parse("""{"cluster":"x","manifest":"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"}""");

        var classification = new KubectlApplyClassifier().Classify(document.RootElement, environment);

        classification.Objects().Single().Flag(KubectlApplyTool.ObjectClusterScoped).Should().BeTrue();
    }

    [Theory]
    [InlineData("apiVersion: 1\nkind: ConfigMap\nmetadata: {name: a}\n", "'apiVersion' must be a non-empty string")]
    [InlineData("apiVersion: v1\nkind: [ConfigMap]\nmetadata: {name: a}\n", "'kind' must be a non-empty string")]
    [InlineData("apiVersion: v1\nmetadata: {name: a}\n", "'kind' is missing")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n", "'metadata' must be a mapping")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: a\n", "'metadata' must be a mapping")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n", "generateName is not enough")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ''}\n", "metadata.name is not a non-empty string")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 42}\n", "metadata.name is not a non-empty string")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ../secrets/x}\n", "not a valid object name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ..}\n", "not a valid object name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a%2Fb}\n", "not a valid object name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'a b'}\n", "not a valid object name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ../kube-system}\n", "not a valid namespace name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: Kube-System}\n", "not a valid namespace name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: 7}\n", "metadata.namespace must be a string")]
    [InlineData("apiVersion: apps/v1/x\nkind: Deployment\nmetadata: {name: a}\n", "is not of the form")]
    [InlineData("apiVersion: /v1\nkind: Deployment\nmetadata: {name: a}\n", "is not of the form")]
    [InlineData("apiVersion: Apps/v1\nkind: Deployment\nmetadata: {name: a}\n", "is not of the form")]
    [InlineData("apiVersion: apps/V1\nkind: Deployment\nmetadata: {name: a}\n", "is not of the form")]
    [InlineData("apiVersion: v1\nkind: Config-Map\nmetadata: {name: a}\n", "not a Kubernetes kind name")]
    public void An_object_that_cannot_be_applied_as_written_is_unparsed(string manifest, string message)
    {
        var classification = KubernetesCalls.Classify(manifest);

        classification.IsUnparsed().Should().BeTrue();
        classification.Request().Should().BeNull();
        classification.UnparsedReasons.Should().ContainSingle().Which.Should().Contain(message);
    }

    [Fact]
    public void A_secret_reports_its_keys_and_type_but_never_its_values()
    {
        var classification = KubernetesCalls.Classify("""
            apiVersion: v1
            kind: Secret
            metadata: { name: db }
            type: kubernetes.io/basic-auth
            data: { username: YWRtaW4= }
            stringData: { password: hunter2-very-secret }
            """);

        var element = classification.Single();
        element.Flag(KubectlApplyTool.ObjectSecret).Should().BeTrue();
        element.Text(KubectlApplyTool.ObjectSecretType).Should().Be("kubernetes.io/basic-auth");
        element.List(KubectlApplyTool.ObjectSecretKeys).Should().Equal("username", "password");
        classification.Facts.Get(KubectlApplyTool.Secrets)!.Flag.Should().BeTrue();
        var facts = classification.Facts.ToJson().ToJsonString();
        facts.Should().NotContain("hunter2").And.NotContain("YWRtaW4=");
    }

    [Fact]
    public void A_secret_without_a_type_is_opaque()
    {
        KubernetesCalls.Classify("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n").Single()
            .Text(KubectlApplyTool.ObjectSecretType).Should().Be("Opaque");
    }

    [Fact]
    public void Other_objects_are_not_secrets()
    {
        var element = KubernetesCalls.Classify("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata: {password: x}\n").Single();

        element.Flag(KubectlApplyTool.ObjectSecret).Should().BeFalse();
        element.Text(KubectlApplyTool.ObjectSecretType).Should().BeEmpty();
        element.List(KubectlApplyTool.ObjectSecretKeys).Should().BeEmpty();
    }

    [Theory]
    [InlineData("ValidatingWebhookConfiguration")]
    [InlineData("MutatingWebhookConfiguration")]
    [InlineData("ValidatingAdmissionPolicy")]
    [InlineData("ValidatingAdmissionPolicyBinding")]
    public void Admission_configuration_is_flagged(string kind)
    {
        var classification = KubernetesCalls.Classify($"apiVersion: admissionregistration.k8s.io/v1\nkind: {kind}\nmetadata: {{name: hook}}\n");

        classification.Single().Flag(KubectlApplyTool.ObjectAdmission).Should().BeTrue();
        classification.Facts.Get(KubectlApplyTool.Admission)!.Flag.Should().BeTrue();
    }

    [Fact]
    public void A_crd_is_flagged()
    {
        var classification = KubernetesCalls.Classify("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n");

        classification.Single().Flag(KubectlApplyTool.ObjectCrd).Should().BeTrue();
        classification.Facts.Get(KubectlApplyTool.Crds)!.Flag.Should().BeTrue();
        classification.Facts.Get(KubectlApplyTool.Admission)!.Flag.Should().BeFalse();
    }

    [Fact]
    public void The_request_cannot_be_changed_through_a_copy()
    {
        var applied = KubernetesCalls.Classify("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").Request()!.Objects.Single();

        var copy = applied.ToJsonObject();
        copy["metadata"]!["namespace"] = "kube-system";

        applied.ToJsonObject()["metadata"]!["namespace"]!.GetValue<string>().Should().Be("apps");
        applied.ToJsonString().Should().NotContain("kube-system");
    }
}
