using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

public sealed class ElementCoverageTests
{
    private const string Rules = """
        rules:
          - name: allow-selects
            when: { facts: { items.kind: select } }
            effect: allow
          - name: approve-updates
            when: { facts: { items.kind: update } }
            effect: approval
            approvers: { groups: [leads] }
          - name: deny-secret-table
            when: { facts: { items.name: secrets } }
            effect: deny
        """;

    [Fact]
    public void A_call_is_allowed_when_every_element_is_allowed()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","items":[{"kind":"select","name":"a"},{"kind":"select","name":"b"}]}""");

        decision.Effect.Should().Be(PolicyEffect.Allow);
    }

    [Fact]
    public void One_element_no_rule_allows_denies_the_whole_call_and_is_named()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","items":[{"kind":"select","name":"a"},{"kind":"drop","name":"b"}]}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.Reasons.Should().Contain(r => r.Contains("items[1] (drop)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_deny_on_one_element_applies_to_the_call()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","items":[{"kind":"select","name":"a"},{"kind":"select","name":"secrets"}]}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Equal("deny-secret-table");
    }

    [Fact]
    public void An_approval_on_one_element_applies_to_the_call()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","items":[{"kind":"select","name":"a"},{"kind":"update","name":"b"}]}""");

        decision.Effect.Should().Be(PolicyEffect.Approval);
        decision.MatchedRules.Should().BeEquivalentTo(["approve-updates", "allow-selects"]);
    }

    [Fact]
    public void A_rule_without_element_conditions_covers_every_element()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: read-only-calls
                when: { facts: { f.readOnly: true } }
                effect: allow
            """);

        engine.Evaluate("agent-1", """{"target":"db-1","f.readOnly":true,"items":[{"kind":"select"},{"kind":"show"}]}""").Effect.Should().Be(PolicyEffect.Allow);
    }

    [Fact]
    public void Element_rules_of_one_list_do_not_cover_another_list()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","items":[{"kind":"select"}],"other":[{"kind":"select"}]}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.Reasons.Should().Contain(r => r.Contains("other[0]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""[{"kind":"select"},{"kind":"drop"}]""", true)]
    [InlineData("""[{"kind":"select"},{"kind":"update"}]""", false)]
    public void A_list_name_reads_as_the_list_of_its_elements_keys(string items, bool denied)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-all
                effect: allow
              - name: never-drop
                when: { facts: { items: { any: [drop, truncate] } } }
                effect: deny
            """);

        var decision = engine.Evaluate("agent-1", $$"""{"target":"db-1","items":{{items}}}""");

        decision.Effect.Should().Be(denied ? PolicyEffect.Deny : PolicyEffect.Allow);
    }
}
