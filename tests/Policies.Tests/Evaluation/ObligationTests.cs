using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

public sealed class ObligationTests
{
    [Fact]
    public void Obligations_merge_to_the_strictest_over_every_contributing_rule()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: loose
                when: { tool: facts_tool }
                effect: allow
                obligations: { mask: default, timeout: 1m, maxRows: 1000, maxBytes: 1MiB, rate: 100/m, readOnly: false }
              - name: strict
                when: { tool: facts_tool, connection: db-1 }
                effect: allow
                obligations: { mask: [pii], timeout: 5s, maxRows: 10, maxBytes: 64KiB, rate: 1/s, readOnly: true }
            """);

        var decision = engine.Evaluate("agent-1", """{"target":"db-1"}""");

        decision.Effect.Should().Be(PolicyEffect.Allow);
        var json = decision.ToJson()["obligations"]!.ToJsonString();
        json.Should().Be("""{"mask":["default","pii"],"maxBytes":65536,"maxRows":10,"rate":"1/s","readOnly":true,"timeout":"5s"}""");
    }

    [Fact]
    public void The_lowest_rate_wins_whatever_its_window()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: a
                effect: allow
                obligations: { rate: 10/s }
              - name: b
                effect: allow
                obligations: { rate: 300/m }
            """);

        engine.Evaluate("agent-1", """{"target":"db-1"}""").Obligations["rate"].Rate.Should().Be(new RateLimit(300, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void An_approval_carries_the_obligations_of_the_allows_that_matched_too()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow
                when: { tool: facts_tool }
                effect: allow
                obligations: { maxRows: 5 }
              - name: approve
                when: { tool: facts_tool }
                effect: approval
                approvers: { groups: [leads] }
                obligations: { maxRows: 50, timeout: 10s }
            """);

        var decision = engine.Evaluate("agent-1", """{"target":"db-1"}""");

        decision.Effect.Should().Be(PolicyEffect.Approval);
        decision.Obligations["maxRows"].Number.Should().Be(5);
        decision.Obligations["timeout"].Duration.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1h30m", 5_400_000)]
    public void Durations_parse(string text, long milliseconds)
    {
        DurationText.TryParse(text, out var value).Should().BeTrue();
        value.TotalMilliseconds.Should().Be(milliseconds);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("30 s")]
    [InlineData("-5s")]
    [InlineData("1.5s")]
    [InlineData("5y")]
    [InlineData("")]
    public void Bad_durations_do_not_parse(string text)
    {
        DurationText.TryParse(text, out _).Should().BeFalse();
    }
}
