using System.Security.Claims;
using McpGateway.Hosting.Authentication;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// HTTP callers were authenticated by <see cref="ApiKeyAuthenticationHandler"/>; their identity is
/// looked up in the current configuration on every call, so a removed identity stops at once.
/// </summary>
public sealed class HttpCallerResolver(GatewayRuntime runtime) : ICallerResolver
{
    public ValueTask<CallerInfo?> ResolveAsync(McpServer server, JsonRpcRequest request, ClaimsPrincipal? user, CancellationToken cancellationToken)
    {
        if (user?.Identity is not { IsAuthenticated: true, Name: { } name }
            || !runtime.Configuration.Identities.TryGetValue(name, out var identity)
            || !identity.Roles.Contains(Policies.Roles.Agent))
        {
            return ValueTask.FromResult<CallerInfo?>(null);
        }

        var client = ClientInfoReader.Read(server, request);
        var session = server.SessionId ?? SessionIds.Derived(identity.Name, client?.Name, client?.Version);
        return ValueTask.FromResult<CallerInfo?>(new CallerInfo(identity, session, client?.Name, client?.Version, user.FindFirst(GatewayClaims.KeyId)?.Value));
    }
}
