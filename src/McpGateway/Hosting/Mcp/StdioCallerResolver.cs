using System.Security.Claims;
using McpGateway.Hosting.Authentication;
using McpGateway.Pipeline;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// On stdio the identity is the API key in <c>MCPGW_API_KEY</c>. It is checked at start and again
/// on every call, so a key revoked or expired while the process runs stops working at once.
/// One session id per process run.
/// </summary>
public sealed class StdioCallerResolver(ApiKeyService keys, StdioCredential credential) : ICallerResolver
{
    private readonly string _sessionId = SessionIds.New();

    public async ValueTask<CallerInfo?> ResolveAsync(McpServer server, JsonRpcRequest request, ClaimsPrincipal? user, CancellationToken cancellationToken)
    {
        var result = await keys.AuthenticateAsync(credential.ApiKey, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded || !result.Identity!.Roles.Contains(Policies.Roles.Agent))
        {
            return null;
        }

        var client = ClientInfoReader.Read(server, request);
        return new CallerInfo(result.Identity!, _sessionId, client?.Name, client?.Version, result.KeyId);
    }
}

/// <summary>The API key a stdio gateway runs as (from <c>MCPGW_API_KEY</c>).</summary>
public sealed record StdioCredential(string ApiKey)
{
    public const string EnvironmentVariable = "MCPGW_API_KEY";

    public override string ToString() => "StdioCredential { ApiKey = *** }";
}
