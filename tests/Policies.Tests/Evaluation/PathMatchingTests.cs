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
    [InlineData("/api/admin%20")]
    [InlineData("/api/admin.")]
    [InlineData("/api/admin%20.%20")]
    [InlineData("/api/admin./users")]
    [InlineData("/api/internal%20/keys")]
    public void A_deny_on_a_path_catches_other_cases_and_trailing_slashes(string path)
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"{{path}}"}""", "http_call");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.MatchedRules.Should().NotBeEmpty();
    }

    [Fact]
    public void Both_readings_of_a_path_count_for_a_deny_and_neither_slips_past_an_allow()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: reads
                when: { tool: http_call, facts: { http.method: GET, http.path: { glob: "/static/**" } } }
                effect: allow
              - name: dotted-files
                when: { tool: http_call, facts: { http.path: { glob: "/static/*.*" } } }
                effect: deny
              - name: not-the-report
                when: { tool: http_call, facts: { http.method: POST, http.path: { none: ["/files/report."] } } }
                effect: allow
            """);

        Decide(engine, "GET", "/static/foo.").Should().Be(PolicyEffect.Deny, "the exact reading still matches the deny");
        Decide(engine, "POST", "/files/report.").Should().Be(PolicyEffect.Deny, "'none' must hold for every reading");
        Decide(engine, "POST", "/files/other").Should().Be(PolicyEffect.Allow);
    }

    private static PolicyEffect Decide(McpGateway.Policies.Evaluation.PolicyEngine engine, string method, string path) =>
        engine.Evaluate("agent-1", $$"""{"service":"billing","method":"{{method}}","path":"{{path}}"}""", "http_call").Effect;

    [Theory]
    [InlineData("/api/admin%0A")]
    [InlineData("/api/admin%0d")]
    [InlineData("/api/admin%09")]
    [InlineData("/api/admin%7F")]
    [InlineData("/api/admin%1b[0m")]
    public void An_encoded_control_character_makes_the_path_unparsed(string path)
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"{{path}}"}""", "http_call");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.Classification!.IsUnparsed.Should().BeTrue();
    }

    [Fact]
    public void A_path_longer_than_servers_accept_is_refused_before_it_is_matched()
    {
        var decision = TestPolicies.Engine(Rules).Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"/api/{{new string('a', 9000)}}"}""", "http_call");

        decision.Effect.Should().Be(PolicyEffect.Deny);
        decision.Reasons.Should().Contain(r => r.Contains("at most 8,192", StringComparison.Ordinal));
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

    [Theory]
    [InlineData("/odata/%24batch")]
    [InlineData("/odata/$batch")]
    [InlineData("/v1/items%3Apurge")]
    [InlineData("/api/users/%40admin")]
    [InlineData("/api/caf%C3%A9")]
    [InlineData("/api/CAF%C3%89")]
    [InlineData("/api/%7Euser/x")]
    public void Encoded_spellings_do_not_dodge_a_deny_written_plainly(string path)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: reads
                when: { tool: http_call, facts: { http.method: GET } }
                effect: allow
              - name: plain-denies
                when: { tool: http_call, facts: { http.path: ["/odata/$batch", "/api/users/@admin", "/api/café"] } }
                effect: deny
              - name: plain-glob-denies
                when: { tool: http_call, facts: { http.path: { glob: ["/v1/*:purge", "/api/~user/**"] } } }
                effect: deny
            """);

        var decision = engine.Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"{{path}}"}""", "http_call");

        decision.Effect.Should().Be(PolicyEffect.Deny, string.Join(" ", decision.Reasons));
        decision.MatchedRules.Should().NotBeEmpty();
    }

    [Fact]
    public void An_allow_written_with_non_ascii_matches_the_encoded_path_exactly()
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: cafe
                when: { tool: http_call, facts: { http.method: GET, http.path: /api/café } }
                effect: allow
            """);

        engine.Evaluate("agent-1", """{"service":"billing","method":"GET","path":"/api/caf%c3%a9"}""", "http_call").Effect.Should().Be(PolicyEffect.Allow);
        engine.Evaluate("agent-1", """{"service":"billing","method":"GET","path":"/api/CAF%C3%89"}""", "http_call").Effect.Should().Be(PolicyEffect.Deny);
    }

    [Theory]
    [InlineData("debug")]
    [InlineData("Debug")]
    [InlineData("DEBUG")]
    public void Query_keys_in_a_deny_match_whatever_their_case(string key)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: reads
                when: { tool: http_call, facts: { http.method: GET } }
                effect: allow
              - name: no-debug
                when: { tool: http_call, facts: { http.queryKeys: { any: [debug] } } }
                effect: deny
            """);

        engine.Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"/api/x?{{key}}=1"}""", "http_call").Effect.Should().Be(PolicyEffect.Deny);
    }

    [Theory]
    [InlineData("/api/files/%2A", true)]
    [InlineData("/api/files/*", true)]
    [InlineData("/api/files/payroll", false)]
    public void An_encoded_star_in_an_allow_glob_is_a_literal_star(string path, bool allowed)
    {
        var engine = TestPolicies.Engine("""
            rules:
              - name: the-star-file
                when: { tool: http_call, facts: { http.method: GET, http.path: { glob: "/api/files/%2A" } } }
                effect: allow
            """);

        engine.Evaluate("agent-1", $$"""{"service":"billing","method":"GET","path":"{{path}}"}""", "http_call").Effect.Should().Be(allowed ? PolicyEffect.Allow : PolicyEffect.Deny);
    }
}
