using System.Text.Json;
using Json.Schema;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.IntegrationTests.Support;

/// <summary>Checks a structured result against the output schema the tool declares, with a real JSON Schema validator (as clients that validate do).</summary>
internal static class OutputSchemas
{
    public static async Task ShouldMatchDeclaredSchemaAsync(this CallToolResult result, McpClient client, string tool)
    {
        var declared = (await client.ListToolsAsync()).Single(t => t.Name == tool).ProtocolTool.OutputSchema;
        declared.Should().NotBeNull($"{tool} declares an output schema");
        result.StructuredContent.Should().NotBeNull(result.Text());
        var schema = JsonSchema.FromText(declared!.Value.GetRawText(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        var evaluation = schema.Evaluate(result.StructuredContent!.Value, new EvaluationOptions { OutputFormat = OutputFormat.List });
        evaluation.IsValid.Should().BeTrue($"the structured content {result.StructuredContent!.Value.GetRawText()} matches {tool}'s output schema: {JsonSerializer.Serialize(evaluation.Details?.Where(d => d.Errors is { Count: > 0 }).Select(d => new { Location = d.InstanceLocation.ToString(), d.Errors }))}");
    }
}
