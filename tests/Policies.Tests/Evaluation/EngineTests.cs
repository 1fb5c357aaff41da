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
    public void A_swapped_snapshot_decides_from_then_on_and_records_its_revision()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow
                effect: allow
            """);
        var before = engine.Evaluate("agent-1", """{"target":"db-1"}""");

        var previous = engine.Swap(TestPolicies.Snapshot("""
            rules:
              - name: deny
                effect: deny
            """));
        var after = engine.Evaluate("agent-1", """{"target":"db-1"}""");

        before.Effect.Should().Be(PolicyEffect.Allow);
        after.Effect.Should().Be(PolicyEffect.Deny);
        after.Revision.Should().NotBe(before.Revision);
        previous.Bundle.Revision.Should().Be(before.Revision);
    }

    [Fact]
    public async Task Evaluation_is_safe_while_snapshots_are_swapped()
    {
        var allow = TestPolicies.Snapshot("rules: [{ name: allow, effect: allow }]");
        var deny = TestPolicies.Snapshot("rules: [{ name: deny, effect: deny }]");
        var engine = new PolicyEngine(allow);
        using var arguments = System.Text.Json.JsonDocument.Parse("""{"target":"db-1"}""");

        var swapper = Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                engine.Swap(i % 2 == 0 ? deny : allow);
            }
        });
        var decisions = Enumerable.Range(0, 2000).AsParallel().Select(_ => engine.Evaluate("agent-1", FactsTool.Name, arguments.RootElement)).ToList();
        await swapper;

        // Each decision is wholly one snapshot's: its effect always agrees with its revision.
        decisions.Should().OnlyContain(d =>
            (d.Effect == PolicyEffect.Allow && d.Revision == allow.Bundle.Revision) ||
            (d.Effect == PolicyEffect.Deny && d.Revision == deny.Bundle.Revision));
    }
}
