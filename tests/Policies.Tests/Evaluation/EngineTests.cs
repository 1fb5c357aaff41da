using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

public sealed class EngineTests
{
    [Fact]
    public void May_ever_use_is_true_when_an_allow_or_approval_could_apply()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: reads-on-db-1
                when: { identity: agent-1, connection: db-1, facts: { f.readOnly: true } }
                effect: allow
              - name: approvals-on-db-2
                when: { groups: [analysts], connection: db-2 }
                effect: approval
                approvers: { groups: [leads] }
            """);

        engine.MayEverUse("agent-1", FactsTool.Name, "db-1").Should().BeTrue();
        engine.MayEverUse("agent-1", FactsTool.Name, "db-2").Should().BeFalse();
        engine.MayEverUse("agent-2", FactsTool.Name, "db-2").Should().BeTrue();
        engine.MayEverUse("agent-2", FactsTool.Name).Should().BeTrue();
        engine.MayEverUse("agent-1", "http_call").Should().BeFalse();
    }

    [Fact]
    public void May_ever_use_is_false_under_an_unconditional_deny()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: everything
                effect: allow
              - name: never-db-2
                when: { connection: db-2 }
                effect: deny
              - name: sometimes-db-1
                when: { connection: db-1, facts: { f.kind: drop } }
                effect: deny
            """);

        engine.MayEverUse("agent-1", FactsTool.Name, "db-2").Should().BeFalse();
        engine.MayEverUse("agent-1", FactsTool.Name, "db-1").Should().BeTrue();
    }

    [Fact]
    public void May_ever_use_is_false_for_unknown_identities_tools_and_targets()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: everything
                effect: allow
            """);

        engine.MayEverUse("intruder", FactsTool.Name, "db-1").Should().BeFalse();
        engine.MayEverUse("agent-1", "nope", "db-1").Should().BeFalse();
        engine.MayEverUse("agent-1", FactsTool.Name, "db-9").Should().BeFalse();
    }

    [Fact]
    public void An_engine_decides_with_its_own_snapshot_and_records_its_revision()
    {
        var allow = TestPolicies.Engine("rules: [{ name: allow, effect: allow }]");
        var deny = TestPolicies.Engine("rules: [{ name: deny, effect: deny }]");

        var before = allow.Evaluate("agent-1", """{"target":"db-1"}""");
        var after = deny.Evaluate("agent-1", """{"target":"db-1"}""");

        before.Effect.Should().Be(PolicyEffect.Allow);
        after.Effect.Should().Be(PolicyEffect.Deny);
        before.Revision.Should().Be(allow.Revision).And.NotBe(after.Revision);
    }
}
