using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Approvals;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;
using McpGateway.Storage;

namespace McpGateway.Tests.Approvals;

/// <summary>Who may decide, when votes are enough, and what is taken out of a call before it is classified.</summary>
public sealed class ApprovalRulesTests
{
    private static readonly ApprovalRecord Request = new()
    {
        Id = "apr_0123456789abcdef01234567",
        Status = ApprovalStatus.Pending,
        Requester = "bot",
        Owner = "alice",
        CallId = "c-1",
        Tool = "http_call",
        Target = "billing",
        RequestHash = "h",
        TargetHash = "t",
        Revision = "r",
        CreatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = DateTimeOffset.UnixEpoch.AddMinutes(15),
        Detail = new JsonObject { ["requirements"] = ApprovalRequirements.ToJson([new ApprovalRequirement("writes", ["leads"], 2), new ApprovalRequirement("money", ["finance"], 1)]) },
    };

    private static GatewayConfiguration Configuration(string? botOwner = "alice") => new()
    {
        SourceFile = "x",
        DataDirectory = "d",
        PoliciesPath = "p",
        Groups = new[] { "leads", "finance", "agents" }.ToFrozenDictionary(g => g, g => new GroupOptions(g, null)),
        Identities = new[]
        {
            IdentityInfo.Create("bot", ["agents"], [Roles.Agent], botOwner),
            IdentityInfo.Create("alice", ["leads", "finance"], [Roles.Operator]),
            IdentityInfo.Create("bob", ["leads"], [Roles.Operator]),
            IdentityInfo.Create("carol", ["leads", "finance"], [Roles.Operator]),
            IdentityInfo.Create("dave", ["finance"], [Roles.Operator]),
            IdentityInfo.Create("erin", ["leads"], [Roles.Auditor]),
            IdentityInfo.Create("mallory", [], [Roles.Operator]),
            IdentityInfo.Create("newowner", ["leads", "finance"], [Roles.Operator]),
        }.ToFrozenDictionary(i => i.Name),
        Targets = System.Collections.Frozen.FrozenDictionary<string, System.Collections.Frozen.FrozenDictionary<string, ConfiguredTarget>>.Empty,
        Anonymous = new AnonymousOptions(false, null),
    };

    [Theory]
    [InlineData("bot", "requester")]
    [InlineData("alice", "owner")]
    [InlineData("erin", "operator role")]
    [InlineData("mallory", "none of the approver groups")]
    [InlineData("nobody", "not a configured identity")]
    public void The_requester_its_owner_and_unqualified_identities_may_not_decide(string approver, string why)
    {
        ApprovalRequirements.WhyNot(Request, approver, Configuration()).Should().Contain(why);
    }

    [Fact]
    public void An_owner_configured_after_the_request_may_not_decide_either()
    {
        ApprovalRequirements.WhyNot(Request, "newowner", Configuration(botOwner: "newowner")).Should().Contain("owner");
        ApprovalRequirements.WhyNot(Request, "newowner", Configuration()).Should().BeNull();
    }

    [Theory]
    [InlineData(new[] { "bob" }, false)]
    [InlineData(new[] { "bob", "carol" }, true)]
    [InlineData(new[] { "bob", "bob", "dave" }, false)]
    [InlineData(new[] { "bob", "dave" }, false)]
    [InlineData(new[] { "bob", "newowner" }, true)]
    [InlineData(new[] { "alice", "bob", "dave" }, false)]
    [InlineData(new[] { "erin", "bob", "carol" }, true)]
    public void Every_rule_needs_its_count_of_distinct_qualified_approvers(string[] approvers, bool satisfied)
    {
        ApprovalRequirements.Satisfied(ApprovalRequirements.Read(Request), approvers, Request, Configuration()).Should().Be(satisfied);
    }

    [Fact]
    public void An_approver_who_lost_the_role_no_longer_counts()
    {
        var configuration = Configuration();
        var demoted = configuration.Identities.Values.Select(i => i.Name == "carol" ? IdentityInfo.Create("carol", ["leads", "finance"], [Roles.Auditor]) : i);
        var after = new GatewayConfiguration
        {
            SourceFile = configuration.SourceFile,
            DataDirectory = configuration.DataDirectory,
            PoliciesPath = configuration.PoliciesPath,
            Groups = configuration.Groups,
            Identities = demoted.ToFrozenDictionary(i => i.Name),
            Targets = configuration.Targets,
            Anonymous = configuration.Anonymous,
        };

        ApprovalRequirements.Satisfied(ApprovalRequirements.Read(Request), ["bob", "carol"], Request, configuration).Should().BeTrue();
        ApprovalRequirements.Satisfied(ApprovalRequirements.Read(Request), ["bob", "carol"], Request, after).Should().BeFalse();
    }

    [Fact]
    public void The_justification_is_taken_out_and_every_other_argument_kept_byte_for_byte()
    {
        var request = Call("""{"service":"a","service":"b","justification":"why","path":"/\ud800x"}""");

        var applied = CallJustification.Apply(request);

        applied.Justification.Should().Be("why");
        applied.Malformed.Should().BeNull();
        applied.Arguments.GetRawText().Should().Be("""{"service":"a","service":"b","path":"/\ud800x"}""", "a duplicate name or a lone surrogate still reaches the classifier, which refuses it");
    }

    [Theory]
    [InlineData("""{"justification":42}""", "must be a string")]
    [InlineData("""{"justification":"a","justification":"b"}""", "given 2 times")]
    [InlineData("""{"justification":"\u0041","\u006austification":"b"}""", "given 2 times")]
    public void A_justification_that_is_not_one_string_is_refused_clearly(string json, string message)
    {
        CallJustification.Apply(Call(json)).Malformed.Should().Contain(message);
    }

    [Fact]
    public void A_call_without_a_justification_is_left_as_it_is()
    {
        var request = Call("""{"service":"a"}""");

        CallJustification.Apply(request).Should().BeSameAs(request);
        CallJustification.Apply(Call($$"""{"justification":"{{new string('x', CallJustification.MaxLength + 1)}}"}""")).Malformed.Should().Contain("at most 2000");
    }

    [Fact]
    public void Webhook_signatures_follow_the_documented_scheme_and_backoff_doubles_to_a_cap()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var signature = McpGateway.Delivery.SignedDelivery.Sign("key", at, "{}");

        signature.Should().Be("t=1700000000,v1=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("key"u8, "1700000000.{}"u8)));
        McpGateway.Delivery.SignedDelivery.Backoff(0).Should().Be(TimeSpan.FromSeconds(2));
        McpGateway.Delivery.SignedDelivery.Backoff(3).Should().Be(TimeSpan.FromSeconds(16));
        McpGateway.Delivery.SignedDelivery.Backoff(30).Should().Be(McpGateway.Delivery.SignedDelivery.MaxBackoff);
    }

    private static ToolCallRequest Call(string json) =>
        new(new CallerInfo(IdentityInfo.Create("bot", [], [Roles.Agent]), "s", null, null, null), "http_call", JsonDocument.Parse(json).RootElement.Clone());
}
