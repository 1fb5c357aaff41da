using System.Text.Json;
using McpGateway.Policies;
using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

/// <summary>
/// Callers the host hands over whole: a configured identity is decided as the configuration has
/// it (whatever groups the caller claims), a pseudonymous one by the groups it was given; and
/// <c>client</c> rules match only the agent application they name.
/// </summary>
public sealed class CallerTests
{
    private const string Bundle = """
        rules:
          - name: analysts-read
            when: { groups: [analysts], connection: db-1 }
            effect: allow
          - name: reports-app-only
            when: { identity: agent-1, client: [reports-app, "billing app"], connection: db-2 }
            effect: allow
        """;

    [Fact]
    public void A_configured_identity_is_decided_as_configured_even_if_the_caller_claims_more_groups()
    {
        var engine = TestPolicies.Engine(Bundle);
        var claimed = IdentityInfo.Create("agent-1", ["agents", "analysts"], [Roles.Agent]);

        engine.Evaluate(claimed, FactsTool.Name, Arguments("db-1")).Effect.Should().Be(PolicyEffect.Deny, "agent-1 is not an analyst in the configuration");
    }

    [Fact]
    public void A_pseudonymous_caller_is_decided_by_the_groups_it_was_given()
    {
        var engine = TestPolicies.Engine(Bundle);

        engine.Evaluate(IdentityInfo.Create("oidc:corp:0a1b", ["analysts"], [Roles.Agent]), FactsTool.Name, Arguments("db-1")).Effect.Should().Be(PolicyEffect.Allow);
        engine.Evaluate(IdentityInfo.Create("oidc:corp:0a1c", [], [Roles.Agent]), FactsTool.Name, Arguments("db-1")).Effect.Should().Be(PolicyEffect.Deny);
        engine.UsableTargets(IdentityInfo.Create("oidc:corp:0a1b", ["analysts"], [Roles.Agent]), FactsTool.Name).Should().Equal("db-1");
    }

    [Theory]
    [InlineData("reports-app", PolicyEffect.Allow)]
    [InlineData("billing app", PolicyEffect.Allow)]
    [InlineData("reports-app-2", PolicyEffect.Deny)]
    [InlineData("REPORTS-APP", PolicyEffect.Deny)]
    [InlineData(null, PolicyEffect.Deny)]
    public void A_client_rule_matches_only_the_applications_it_names(string? client, PolicyEffect expected)
    {
        var engine = TestPolicies.Engine(Bundle);
        var caller = TestPolicies.Environment.Identities["agent-1"] with { Client = client };

        engine.Evaluate(caller, FactsTool.Name, Arguments("db-2")).Effect.Should().Be(expected);
        engine.MayEverUse("agent-1", FactsTool.Name, "db-2").Should().BeFalse("without an application, agent-1 may never use db-2");
    }

    private static JsonElement Arguments(string target) => JsonDocument.Parse($$"""{"target":"{{target}}"}""").RootElement.Clone();
}
