using System.Text.Json;

namespace McpGateway.Tools;

/// <summary>How a tool presents itself to MCP clients: what a model reads to decide how to call it.</summary>
public sealed record ToolDeclaration(
    string Name,
    string Title,
    string Description,
    JsonElement InputSchema,
    JsonElement OutputSchema,
    bool ReadOnly,
    bool Destructive,
    bool Idempotent,
    bool OpenWorld);

/// <summary>A tool's declaration for one caller: descriptions may name the targets that caller can use.</summary>
public interface IToolDeclarationSource
{
    string Tool { get; }

    ToolDeclaration Describe(IReadOnlyList<string> usableTargets);
}
