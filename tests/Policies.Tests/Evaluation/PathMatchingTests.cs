using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

/// <summary>Path facts fail closed: a path cannot be re-spelled past a restricting rule, nor into an allow.</summary>
public sealed class PathMatchingTests
{
    private const string Rules = """
        rules:
          - name: reads
            when: { tool: http_call, facts: { http.method: GET, http.path: { glob: "/api/**" } } }
            effect: allow
          - name: public-exactly
            when: { tool: http_call, facts: { http.method: POST, http.path: /public/form } }
            effect: allow
          - name: no-admin
            when: { tool: http_call, facts: { http.path: [/api/admin, /api/admin/users] } }
            effect: deny
          - name: no-internal
            when: { tool: http_call, facts: { http.path: { glob: "/api/internal/**" } } }
            effect: deny
        """;

    [Theory]
    [InlineData("/api/admin")]
    [InlineData("/api/admin/")]
    [InlineData("/API/Admin")]
    [InlineData("/Api/ADMIN/USERS/")]
    [InlineData("/api/INTERNAL/keys")]
    [InlineData("/api/Internal/")]
    public void A_deny_on_a_path_catches_other_cases_and_trailing_slashes(string path)
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"{{path}}"}""", "http_call");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("/PUBLIC/FORM")]
    [InlineData("/public/form/")]
    public void An_allow_on_a_path_matches_exactly(string path)
    {
        var engine = TestPolicies.Engine(Rules);

        engine.Evaluate("agent-1", """{"service":"billing","method":"POST","path":"/public/form"}""", "http_call").Effect.Should().Be(PolicyEffect.Allow);
        engine.Evaluate("agent-1", $$"""{"service":"billing","method":"POST","path":"{{path}}"}""", "http_call").Effect.Should().Be(PolicyEffect.Deny);
    }

    [Theory]
    [InlineData("/public", true)]
    [InlineData("/PUBLIC", true)]
    [InlineData("/public/", true)]
    [InlineData("/other", false)]
    public void A_restricting_none_compares_exactly_so_it_still_fires(string path, bool denied)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: allow-all-gets
                when: { tool: http_call, facts: { http.method: GET } }
                effect: allow
              - name: only-public-needs-no-approval
                when: { tool: http_call, facts: { http.path: { none: [/public] } } }
                effect: deny
            """);

        var decision = engine.Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"{{path}}"}""", "http_call");

        // The deny fires for everything that is not exactly /public, so re-spelling /public cannot dodge it.
        decision.Effect.Should().Be(path == "/public" ? PolicyEffect.Allow : PolicyEffect.Deny, $"denied={denied} is about the spelling");
    }
}
