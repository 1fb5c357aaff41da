using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Http;

/// <summary>Builds <c>http_call</c> arguments and classifies them against a small environment.</summary>
internal static class HttpCalls
{
    public static PolicyEnvironment Environment { get; } = new(
        [],
        [],
        [
            new HttpTargetInfo("billing", new[] { "x-api-key" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase)),
            new HttpTargetInfo("crm", FrozenSet<string>.Empty),
        ],
        ["default"]);

    public static Classification Classify(string json, PolicyEnvironment? environment = null)
    {
        using var document = JsonDocument.Parse(json);
        return new HttpCallClassifier().Classify(document.RootElement, environment ?? Environment);
    }

    public static Classification Path(string path, string method = "GET") =>
        Classify(new JsonObject { ["service"] = "billing", ["method"] = method, ["path"] = path }.ToJsonString());

    public static Classification Headers(string headersJson, string service = "billing") =>
        Classify($$"""{"service": "{{service}}", "method": "GET", "path": "/api/items", "headers": {{headersJson}}}""");

    public static string? Fact(this Classification classification, string name) =>
        classification.Facts.Get(name)?.ToString();

    public static IEnumerable<string> Codes(this Classification classification) =>
        classification.Refusals.Select(r => r.Code);

    /// <summary>Asserts the call was understood as unparsed, for exactly one reason containing <paramref name="reason"/>, and would send nothing.</summary>
    public static void ShouldBeUnparsedBecause(this Classification result, string reason)
    {
        result.Refusals.Should().BeEmpty();
        result.UnparsedReasons.Should().ContainSingle(r => r.Contains(reason, StringComparison.Ordinal));
        result.Facts.Get(McpGateway.Policies.Facts.CommonFacts.Unparsed).Should().Be(McpGateway.Policies.Facts.FactValue.True);
        result.Request.Should().BeNull();
    }

    public static HttpRequestSpec? Spec(this Classification classification) =>
        classification.Request as HttpRequestSpec;
}
