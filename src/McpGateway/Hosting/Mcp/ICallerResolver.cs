using McpGateway.Pipeline;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>Establishes who is calling, per request: the identity end of the pipeline.</summary>
public interface ICallerResolver
{
    /// <summary>The caller, or null when the request carries no valid identity (the call is then refused).</summary>
    ValueTask<CallerInfo?> ResolveAsync(McpServer server, JsonRpcRequest request, System.Security.Claims.ClaimsPrincipal? user, CancellationToken cancellationToken);
}

internal static class ClientInfoReader
{
    /// <summary>The client's implementation info: from the session, or per request for session-less protocol versions.</summary>
    public static Implementation? Read(McpServer server, JsonRpcRequest request) =>
        server.ClientInfo ?? request.Context?.ClientInfo;
}
