using System.Security.Claims;
using McpGateway.Hosting.Authentication.Oidc;
using McpGateway.Policies;

namespace McpGateway.Hosting.Authentication;

/// <summary>How a caller's identity is carried in a <see cref="ClaimsPrincipal"/>.</summary>
public static class GatewayClaims
{
    public const string Scheme = "McpGatewayKey";
    public const string KeyId = "mcpgw:key";
    public const string Anonymous = "mcpgw:anonymous";

    /// <summary>The issuer (its configured name) of a caller authenticated by an identity provider's token.</summary>
    public const string OidcIssuer = "mcpgw:oidc-issuer";
    public const string OidcSubject = "mcpgw:oidc-subject";
    public const string OidcOnBehalfOf = "mcpgw:oidc-on-behalf-of";
    public const string Client = "mcpgw:client";
    public const string Scope = "mcpgw:scope";

    /// <summary>The caller is a pseudonymous identity (not configured): its groups and owner travel as claims.</summary>
    public const string Pseudonym = "mcpgw:pseudonym";
    public const string Group = "mcpgw:group";
    public const string Owner = "mcpgw:owner";

    public static ClaimsPrincipal Principal(IdentityInfo identity, string? keyId, bool anonymous) =>
        new(new ClaimsIdentity(Claims(identity, keyId, anonymous), Scheme, ClaimTypes.Name, ClaimTypes.Role));

    public static ClaimsPrincipal OidcPrincipal(IdentityInfo identity, bool pseudonym, OidcCaller caller)
    {
        var claims = Claims(identity, null, anonymous: false);
        claims.Add(new Claim(OidcIssuer, caller.Issuer));
        claims.Add(new Claim(OidcSubject, caller.Subject));
        claims.AddRange(caller.Scopes.Select(s => new Claim(Scope, s)));
        if (caller.Client is { } client)
        {
            claims.Add(new Claim(Client, client));
        }

        if (caller.OnBehalfOf is { } onBehalfOf)
        {
            claims.Add(new Claim(OidcOnBehalfOf, onBehalfOf));
        }

        if (pseudonym)
        {
            claims.Add(new Claim(Pseudonym, "true"));
            claims.AddRange(identity.Groups.Select(g => new Claim(Group, g)));
            if (identity.Owner is { } owner)
            {
                claims.Add(new Claim(Owner, owner));
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The identity of a pseudonymous caller, as its token made it; null for a configured one.</summary>
    public static IdentityInfo? PseudonymOf(ClaimsPrincipal user) =>
        user.HasClaim(Pseudonym, "true") && user.Identity?.Name is { } name
            ? IdentityInfo.Create(name, user.FindAll(Group).Select(c => c.Value), user.FindAll(ClaimTypes.Role).Select(c => c.Value), user.FindFirst(Owner)?.Value) with { Client = user.FindFirst(Client)?.Value }
            : null;

    /// <summary>What the token said of its caller; null for an API key.</summary>
    public static OidcCaller? OidcOf(ClaimsPrincipal user) =>
        user.FindFirst(OidcIssuer)?.Value is { } issuer
            ? new OidcCaller(issuer, user.FindFirst(OidcSubject)?.Value ?? string.Empty, user.FindFirst(Client)?.Value, [.. user.FindAll(Scope).Select(c => c.Value)], user.FindFirst(OidcOnBehalfOf)?.Value)
            : null;

    /// <summary>
    /// Whether <paramref name="user"/> may act as <paramref name="role"/> on <c>/api</c>: it holds the
    /// role, and — when a token authenticated it — the token carries the scope that grants it.
    /// </summary>
    public static bool HasRight(ClaimsPrincipal user, string role, Configuration.OidcOptions? oidc) =>
        user.IsInRole(role) && !user.HasClaim(Anonymous, "true") && (OidcOf(user) is not { } caller || caller.Scopes.Contains(ScopeFor(role, oidc)));

    /// <summary>The scope a token needs for <paramref name="role"/>'s rights.</summary>
    public static string ScopeFor(string role, Configuration.OidcOptions? oidc) =>
        role == Roles.Operator ? oidc?.OperatorScope ?? Configuration.OidcOptions.DefaultOperatorScope : oidc?.AuditorScope ?? Configuration.OidcOptions.DefaultAuditorScope;

    private static List<Claim> Claims(IdentityInfo identity, string? keyId, bool anonymous)
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

        return claims;
    }
}
