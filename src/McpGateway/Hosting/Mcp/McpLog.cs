using McpGateway.Diagnostics;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting.Mcp;

/// <summary>MCP surface log events (ids 1100–1199).</summary>
internal static partial class McpLog
{
    [LoggerMessage(GatewayEventIds.McpRequestFailed, LogLevel.Error, "An MCP request failed outside the pipeline; answered with an error result")]
    public static partial void RequestFailed(ILogger logger, Exception exception);
}
