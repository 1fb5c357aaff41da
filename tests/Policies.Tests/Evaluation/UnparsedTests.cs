using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

public sealed class UnparsedTests
{
    [Fact]
    public void A_general_allow_never_covers_an_unparsed_call()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-everything
                effect: allow
            """);

        var decision = engine.Evaluate("agent-1", """{"target":"db-1","unparsed":"The input has a construct the parser does not know."}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.Reasons[0].Should().Contain("could not be fully understood").And.Contain("construct the parser does not know");
    }

    [Fact]
    public void An_approval_rule_that_does_not_name_unparsed_cannot_approve_an_unparsed_call()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: approve-everything
                effect: approval
                approvers: { groups: [leads] }
            """);

        engine.Evaluate("agent-1", """{"target":"db-1","unparsed":"x"}""").Effect.Should().Be(PolicyEffect.Deny);
    }

    [Fact]
    public void A_rule_that_names_unparsed_can_allow_it()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-unparsed-on-db-1
                when: { connection: db-1, facts: { unparsed: true } }
                effect: allow
            """);

        engine.Evaluate("agent-1", """{"target":"db-1","unparsed":"x"}""").Effect.Should().Be(PolicyEffect.Allow);
        engine.Evaluate("agent-1", """{"target":"db-1"}""").Effect.Should().Be(PolicyEffect.Deny, "the rule only matches unparsed calls");
    }

    [Fact]
    public void Deny_rules_still_apply_to_unparsed_calls()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-unparsed
                when: { facts: { unparsed: true } }
                effect: allow
              - name: deny-db-2
                when: { connection: db-2 }
                effect: deny
            """);

        engine.Evaluate("agent-1", """{"target":"db-2","unparsed":"x"}""").MatchedRules.Should().Equal("deny-db-2");
    }

    [Fact]
    public void A_complex_call_needs_a_rule_that_names_complex()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-everything
                effect: allow
              - name: allow-complex-on-db-2
                when: { connection: db-2, facts: { complex: true } }
                effect: allow
            """);

        engine.Evaluate("agent-1", """{"target":"db-1","complex":true}""").Effect.Should().Be(PolicyEffect.Deny);
        engine.Evaluate("agent-1", """{"target":"db-2","complex":true}""").Effect.Should().Be(PolicyEffect.Allow);
    }
}
