using System.Text.Json.Nodes;

namespace McpGateway.Pipeline;

/// <summary>The result of a backend call, before masking.</summary>
/// <param name="Structured">The structured result (the tool's output schema).</param>
/// <param name="Summary">A short text form for clients that show text only.</param>
public sealed record ToolResult(JsonObject Structured, string Summary);

/// <summary>Executes the classified form of one tool's calls with gateway-held credentials.</summary>
public interface IToolBackend
{
    string Tool { get; }

    /// <summary>
    /// Runs the call. Throws <see cref="ToolCallException"/> with an actionable message for
    /// failures the agent should see; anything else becomes a generic error.
    /// </summary>
    Task<ToolResult> ExecuteAsync(ToolCallContext context, CancellationToken cancellationToken);
}
