using System.Security.Claims;
using McpGateway.Hosting.Authentication;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// HTTP callers were authenticated by <see cref="ApiKeyAuthenticationHandler"/>; a configured
/// identity is looked up in the current configuration on every call, so a removed identity stops
/// at once; a pseudonymous one (an identity provider's caller that is not configured) is what its
/// token says.
/// </summary>
public sealed class HttpCallerResolver(GatewayRuntime runtime) : ICallerResolver
{
    public ValueTask<CallerInfo?> ResolveAsync(McpServer server, JsonRpcRequest request, ClaimsPrincipal? user, CancellationToken cancellationToken)
    {
        if (user?.Identity is not { IsAuthenticated: true, Name: { } name })
        {
            return ValueTask.FromResult<CallerInfo?>(null);
        }

        // A pseudonym is what its token made it, on every request; a configured identity is what
        // the configuration says now.
        var identity = GatewayClaims.PseudonymOf(user);
        if (identity is null && !runtime.Configuration.Identities.TryGetValue(name, out identity))
        {
            return ValueTask.FromResult<CallerInfo?>(null);
        }

        if (!identity.Roles.Contains(Policies.Roles.Agent))
        {
            return ValueTask.FromResult<CallerInfo?>(null);
        }

        identity = identity with { Client = user.FindFirst(GatewayClaims.Client)?.Value };

        var client = ClientInfoReader.Read(server, request);
        var session = server.SessionId ?? SessionIds.Derived(identity.Name, client?.Name, client?.Version);
        return ValueTask.FromResult<CallerInfo?>(new CallerInfo(identity, session, client?.Name, client?.Version, user.FindFirst(GatewayClaims.KeyId)?.Value) { Oidc = GatewayClaims.OidcOf(user) });
    }
}
