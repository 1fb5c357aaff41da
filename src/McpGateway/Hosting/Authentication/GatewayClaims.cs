using System.Security.Claims;
using McpGateway.Policies;

namespace McpGateway.Hosting.Authentication;

/// <summary>How a caller's identity is carried in a <see cref="ClaimsPrincipal"/>.</summary>
public static class GatewayClaims
{
    public const string Scheme = "McpGatewayKey";
    public const string KeyId = "mcpgw:key";
    public const string Anonymous = "mcpgw:anonymous";

    public static ClaimsPrincipal Principal(IdentityInfo identity, string? keyId, bool anonymous)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name), new(ClaimTypes.NameIdentifier, identity.Name) };
        claims.AddRange(identity.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (keyId is not null)
        {
            claims.Add(new Claim(KeyId, keyId));
        }

        if (anonymous)
        {
            claims.Add(new Claim(Anonymous, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}
