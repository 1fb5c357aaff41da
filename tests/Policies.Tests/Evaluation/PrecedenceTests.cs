using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

public sealed class PrecedenceTests
{
    private const string Rules = """
        rules:
          - name: allow-reads
            when: { tool: facts_tool, connection: db-1, facts: { f.readOnly: true } }
            effect: allow
          - name: approve-big
            when: { tool: facts_tool, facts: { f.size: { greaterThan: 100 } } }
            effect: approval
            approvers: { groups: [leads] }
          - name: deny-drop
            when: { tool: facts_tool, facts: { f.kind: drop } }
            effect: deny
            reason: dropping is never allowed
        """;

    [Fact]
    public void No_matching_rule_is_a_default_deny_with_a_reason()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-2","f.readOnly":true}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().BeEmpty();
        decision.Reasons[0].Should().Contain("default deny");
        decision.Reasons.Should().Contain(r => r.Contains("approve-big", StringComparison.Ordinal), "the closest rules are named");
    }

    [Fact]
    public void A_matching_allow_allows_and_names_its_rule()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","f.readOnly":true,"f.size":5}""");

        decision.Effect.Should().Be(PolicyEffect.Allow);
        decision.MatchedRules.Should().Equal("allow-reads");
    }

    [Fact]
    public void Deny_wins_over_allow_and_approval()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","f.readOnly":true,"f.size":500,"f.kind":"drop"}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Equal("deny-drop");
        decision.Reasons.Should().ContainSingle().Which.Should().Contain("dropping is never allowed");
    }

    [Fact]
    public void Approval_wins_over_allow_and_lists_its_approvers()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-1","f.readOnly":true,"f.size":500}""");

        decision.Effect.Should().Be(PolicyEffect.Approval);
        decision.MatchedRules.Should().BeEquivalentTo(["approve-big", "allow-reads"]);
        decision.Approvals.Should().ContainSingle().Which.Groups.Should().Equal("leads");
    }

    [Fact]
    public void An_approval_alone_is_enough_to_ask_for_approval()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", """{"target":"db-2","f.size":500}""");

        decision.Effect.Should().Be(PolicyEffect.Approval);
        decision.MatchedRules.Should().Equal("approve-big");
    }

    [Fact]
    public void A_refusal_by_the_classifier_denies_whatever_the_rules_say()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-everything
                effect: allow
            """);

        var decision = engine.Evaluate("agent-1", """{"target":"nowhere"}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Equal("builtin:unknown-target");
    }

    [Fact]
    public void An_unknown_identity_is_denied_even_by_an_allow_everything_bundle()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-everything
                effect: allow
            """);

        var decision = engine.Evaluate("intruder", """{"target":"db-1"}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Equal("builtin:unknown-identity");
    }

    [Fact]
    public void An_unknown_tool_is_denied_with_the_list_of_tools()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", "{}", tool: "rm_rf");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.Reasons.Should().ContainSingle().Which.Should().Contain("facts_tool").And.Contain("http_call");
    }

    [Fact]
    public void A_classifier_that_throws_fails_closed()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-everything
                effect: allow
            """, new ThrowingClassifier());

        var decision = engine.Evaluate("agent-1", """{"target":"db-1"}""");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().Equal("builtin:classifier-failed");
    }

    [Theory]
    [InlineData("agent-1", true)]
    [InlineData("agent-2", false)]
    public void Rules_match_identities_by_name(string identity, bool allowed)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: only-agent-1
                when: { identity: agent-1 }
                effect: allow
            """);

        engine.Evaluate(identity, """{"target":"db-1"}""").Effect.Should().Be(allowed ? PolicyEffect.Allow : PolicyEffect.Deny);
    }

    [Theory]
    [InlineData("agent-1", false)]
    [InlineData("agent-2", true)]
    public void Rules_match_any_of_their_groups(string identity, bool allowed)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: analysts-or-leads
                when: { groups: [analysts, leads] }
                effect: allow
            """);

        engine.Evaluate(identity, """{"target":"db-1"}""").Effect.Should().Be(allowed ? PolicyEffect.Allow : PolicyEffect.Deny);
    }

    [Fact]
    public void Every_decision_records_the_bundle_revision()
    {
        var engine = TestPolicies.Engine(Rules);

        engine.Evaluate("agent-1", """{"target":"db-1"}""").Revision.Should().Be(engine.Revision).And.MatchRegex("^[0-9a-f]{64}$");
    }

    private sealed class ThrowingClassifier : McpGateway.Policies.Tools.IToolClassifier
    {
        public McpGateway.Policies.Tools.Classification Classify(System.Text.Json.JsonElement arguments, McpGateway.Policies.PolicyEnvironment environment) =>
            throw new InvalidOperationException("classifier bug");
    }
}
