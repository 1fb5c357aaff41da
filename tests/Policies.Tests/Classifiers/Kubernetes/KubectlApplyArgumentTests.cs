using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>The arguments of <c>kubectl_apply</c>: what is refused, and how the refusal says what to change.</summary>
public sealed class KubectlApplyArgumentTests
{
    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{}", "Argument 'cluster' is required")]
    [InlineData("{\"cluster\":\"prod\"}", "Argument 'manifest' is required")]
    [InlineData("{\"cluster\":\"prod\",\"manifest\":\"\"}", "may not be empty")]
    [InlineData("{\"cluster\":\"prod\",\"manifest\":{\"kind\":\"ConfigMap\"}}", "must be a string, not an object")]
    [InlineData("{\"cluster\":7,\"manifest\":\"a: b\"}", "must be a string, not a number")]
    [InlineData("{\"cluster\":\"prod\",\"manifest\":\"a: b\",\"justification\":\"why\"}", "'justification' is not accepted")]
    [InlineData("{\"cluster\":\"prod\",\"manifest\":\"a: b\",\"namespace\":\"kube-system\"}", "'namespace' is not accepted")]
    [InlineData("{\"cluster\":\"prod\",\"manifest\":\"a: b\",\"cluster\":\"lab\"}", "given more than once")]
    [InlineData("{\"cluster\":\"prod\",\"manifest\":\"\\ud800\"}", "unpaired surrogate")]
    public void Bad_arguments_are_refused(string json, string message)
    {
        var classification = KubernetesCalls.ClassifyJson(json);

        classification.Request().Should().BeNull();
        classification.Refusals.Should().Contain(r => r.Code == ToolArguments.RefusalCode && r.Reason.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_cluster_is_refused_with_the_configured_ones()
    {
        var classification = KubernetesCalls.Classify("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", cluster: "staging");

        classification.Refusals.Should().ContainSingle().Which.Should().Be(new Refusal("unknown-target", "Cluster 'staging' is not configured: use one of the configured Kubernetes clusters: lab, prod."));
        classification.Target.Should().Be("staging");
    }

    [Fact]
    public void A_cluster_of_another_tool_is_not_a_cluster()
    {
        var environment = new PolicyEnvironment([], [], [new TargetInfo("web-1", TargetKinds.Ssh)], []);
        using var document = System.Text.Json.JsonDocument.Parse("""{"cluster":"web-1","manifest":"a: b"}""");

        var classification = new KubectlApplyClassifier().Classify(document.RootElement, environment);

        classification.Refusals.Should().ContainSingle().Which.Reason.Should().Contain("no Kubernetes clusters configured");
    }

    [Fact]
    public void The_descriptor_declares_its_facts_list_and_obligation()
    {
        var descriptor = KubectlApplyTool.Create();

        descriptor.Name.Should().Be("kubectl_apply");
        descriptor.TargetKind.Should().Be(TargetKinds.Kubernetes);
        descriptor.Arguments.Should().BeEquivalentTo(["cluster", "manifest"]);
        descriptor.ElementLists.Should().ContainKey(KubectlApplyTool.Objects).WhoseValue.KeyFact.Should().Be(KubectlApplyTool.ObjectKind);
        descriptor.Obligations.Should().ContainKey(KubectlApplyTool.ForceConflicts).WhoseValue.Kind.Should().Be(ObligationKind.Grant);
        descriptor.Facts.Keys.Where(k => k.StartsWith("k8s.", StringComparison.Ordinal)).Should().HaveCount(KubectlApplyTool.Facts.Count);
    }

    [Fact]
    public void Every_fact_is_set_on_every_element()
    {
        var classification = KubernetesCalls.Classify(KubernetesCalls.RestrictedDeployment);

        var element = classification.Single();
        var elementFacts = KubectlApplyTool.Facts.Where(f => f.ElementList == KubectlApplyTool.Objects).Select(f => f.Name);
        element.Values.Keys.Should().BeEquivalentTo(elementFacts);
        foreach (var fact in KubectlApplyTool.Facts.Where(f => f.ElementList is null))
        {
            classification.Facts.Get(fact.Name).Should().NotBeNull(fact.Name);
            classification.Facts.Get(fact.Name)!.Type.Should().Be(fact.Type, fact.Name);
        }

        foreach (var fact in KubectlApplyTool.Facts.Where(f => f.ElementList is not null))
        {
            element.Get(fact.Name)!.Type.Should().Be(fact.Type, fact.Name);
        }
    }

    [Fact]
    public void An_unparsed_call_keeps_its_cluster_fact()
    {
        var classification = KubernetesCalls.Classify("a: [");

        classification.Facts.Get(KubectlApplyTool.Cluster)!.Text.Should().Be("prod");
        classification.Target.Should().Be("prod");
    }
}
