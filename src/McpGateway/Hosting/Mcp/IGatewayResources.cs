using McpGateway.Pipeline;
using ModelContextProtocol.Protocol;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// A family of MCP resources the gateway serves (<c>mcpgw://…</c>), each listed and read per
/// caller: only what the caller's policies let it use is listed, and a read is a governed,
/// recorded call.
/// </summary>
internal interface IGatewayResources
{
    /// <summary>The URI templates this family offers <paramref name="caller"/> (none when it may use none).</summary>
    IEnumerable<ResourceTemplate> Templates(CallerInfo caller);

    /// <summary>The concrete resources <paramref name="caller"/> may read.</summary>
    IEnumerable<Resource> List(CallerInfo caller);

    /// <summary>Whether <paramref name="uri"/> belongs to this family (whether or not it names something that exists).</summary>
    bool Handles(string uri);

    /// <summary>Reads <paramref name="uri"/> for <paramref name="caller"/>; throws <see cref="ModelContextProtocol.McpException"/> with an actionable message when it cannot.</summary>
    Task<ReadResourceResult> ReadAsync(CallerInfo caller, string uri, CancellationToken cancellationToken);
}
