using System.Collections.Frozen;
using System.Text.Json.Nodes;
using McpGateway.Policies;

namespace Policies.Tests.Classifiers.Http;

/// <summary>
/// A body goes only where every server reads it, so that no agent-chosen bytes can be taken by a
/// backend as a second request on a kept-alive connection.
/// </summary>
public sealed class HttpBodyRulesTests
{
    private const string Smuggled = "DELETE /api/items/7 HTTP/1.1\r\nHost: billing\r\n\r\n";

    [Theory]
    [InlineData("GET")]
    [InlineData("get")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("PROPFIND")]
    [InlineData("X-CUSTOM")]
    public void A_body_on_a_method_servers_need_not_read_is_refused(string method)
    {
        var result = Call(method, Smuggled);

        result.Codes().Should().Contain("forbidden-body");
        result.Refusals.Single(r => r.Code == "forbidden-body").Reason.Should().Contain("Remove 'body'");
        result.Spec().Should().BeNull("nothing is sent");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Even_an_empty_body_on_GET_is_refused_so_the_rule_has_no_edge(string body)
    {
        Call("GET", body).Codes().Should().Contain("forbidden-body");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("patch")]
    public void Methods_whose_body_every_server_reads_may_carry_one(string method)
    {
        var result = Call(method, """{"amount": 5}""");

        result.Refusals.Should().BeEmpty();
        result.Spec()!.Body.Should().Be("""{"amount": 5}""");
    }

    [Fact]
    public void A_DELETE_body_is_refused_unless_the_service_reads_one()
    {
        var plain = Call("DELETE", "{}");
        var allowing = Call("DELETE", "{}", new HttpTargetInfo("billing", FrozenSet<string>.Empty, AllowDeleteBody: true));

        plain.Codes().Should().Contain("forbidden-body");
        plain.Refusals.Single(r => r.Code == "forbidden-body").Reason.Should().Contain("AllowDeleteBody");
        allowing.Refusals.Should().BeEmpty();
        allowing.Spec()!.Body.Should().Be("{}");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public void Without_a_body_those_methods_are_fine(string method)
    {
        var result = HttpCalls.Classify(new JsonObject { ["service"] = "billing", ["method"] = method, ["path"] = "/api/items", ["body"] = null }.ToJsonString());

        result.Refusals.Should().BeEmpty();
        result.Spec()!.Body.Should().BeNull();
    }

    private static McpGateway.Policies.Tools.Classification Call(string method, string body, HttpTargetInfo? service = null)
    {
        var environment = service is null ? null : new PolicyEnvironment([], [], [service], ["default"]);
        return HttpCalls.Classify(new JsonObject { ["service"] = "billing", ["method"] = method, ["path"] = "/api/items", ["body"] = body }.ToJsonString(), environment);
    }
}
