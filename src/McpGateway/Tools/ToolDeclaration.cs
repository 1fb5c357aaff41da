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
