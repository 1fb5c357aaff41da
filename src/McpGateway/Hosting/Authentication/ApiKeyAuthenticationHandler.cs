using System.Net;
using System.Text.Encodings.Web;
using McpGateway.Hosting.Http;
using McpGateway.Runtime;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpGateway.Hosting.Authentication;

/// <summary>
/// Bearer credentials on HTTP: API keys, and JWTs of the configured identity providers (see
/// <see cref="Oidc.OidcAuthenticator"/>). A request without a credential may use the anonymous
/// identity, but only when it is enabled and the gateway is bound to loopback; a bad, expired or
/// revoked credential is always a 401, never anonymous. With an identity provider configured, a
/// 401 names the RFC 9728 metadata (<c>resource_metadata</c>) so an OAuth client can find where to
/// get a token, and a token that lacks the scope an endpoint needs is a 403
/// <c>insufficient_scope</c> naming it.
/// </summary>
public sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private const string StoreUnavailable = "mcpgw:store-unavailable";

    private readonly ApiKeyService _keys;
    private readonly GatewayRuntime _runtime;
    private readonly HttpBinding _binding;
    private readonly SecurityLog _security;
    private readonly Oidc.OidcAuthenticator _oidc;

    public ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys, GatewayRuntime runtime, HttpBinding binding, SecurityLog security, Oidc.OidcAuthenticator oidc)
        : base(options, logger, encoder)
    {
        _keys = keys;
        _runtime = runtime;
        _binding = binding;
        _security = security;
        _oidc = oidc;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            var anonymous = _runtime.Configuration.Anonymous;
            if (anonymous is { Enabled: true, Identity: { } name } && _binding.IsLoopback
                && _runtime.Configuration.Identities.TryGetValue(name, out var identity))
            {
                return Success(GatewayClaims.Principal(identity, null, anonymous: true));
            }

            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            _security.Refused(Context, "credential is not a bearer API key");
            return AuthenticateResult.Fail("Use 'Authorization: Bearer <API key>'.");
        }

        var credential = header["Bearer ".Length..].Trim();
        var configuration = _runtime.Configuration;
        if (configuration.Oidc is not null && !credential.StartsWith(ApiKeyFormat.Prefix, StringComparison.Ordinal) && Oidc.OidcAuthenticator.LooksLikeJwt(credential))
        {
            var token = await _oidc.AuthenticateAsync(credential, configuration, Context.RequestAborted).ConfigureAwait(false);
            if (token.Principal is { } principal)
            {
                return Success(principal);
            }

            if (token.Unavailable)
            {
                Context.Items[StoreUnavailable] = token.Failure;
            }
            else
            {
                _security.Refused(Context, token.Failure ?? "invalid token");
            }

            return AuthenticateResult.Fail(token.Failure ?? "Invalid token.");
        }

        ApiKeyAuthentication result;
        try
        {
            result = await _keys.AuthenticateAsync(credential, Context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Storage.StoreUnavailableException or System.Data.Common.DbException)
        {
            Context.Items[StoreUnavailable] = true;
            return AuthenticateResult.Fail("The gateway's key store is unavailable right now; retry shortly.");
        }

        if (!result.Succeeded)
        {
            _security.Refused(Context, result.Failure ?? "invalid API key", result.KeyId);
            return AuthenticateResult.Fail(result.Failure ?? "Invalid API key.");
        }

        return Success(GatewayClaims.Principal(result.Identity!, result.KeyId, anonymous: false));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.TryGetValue(StoreUnavailable, out var unavailable))
        {
            Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            await Response.WriteAsJsonAsync(new { error = "unavailable", message = unavailable as string ?? "The gateway's key store is unavailable right now, so the key could not be checked; retry in a few seconds." }).ConfigureAwait(false);
            return;
        }

        var failure = (await Context.AuthenticateAsync(GatewayClaims.Scheme).ConfigureAwait(false)).Failure;
        if (failure is null)
        {
            _security.Refused(Context, "no credential");
        }

        Response.StatusCode = (int)HttpStatusCode.Unauthorized;
        var oidc = _runtime.Configuration.Oidc;
        Response.Headers.WWWAuthenticate = oidc is null
            ? "Bearer realm=\"mcp-gateway\""
            : $"Bearer realm=\"mcp-gateway\", resource_metadata=\"{ProtectedResourceMetadata.MetadataUrl(oidc)}\"";
        await Response.WriteAsJsonAsync(new
        {
            error = "unauthorized",
            message = failure?.Message ?? (oidc is null
                ? "Send 'Authorization: Bearer <API key>'; keys are issued with 'mcp-gateway keys create'."
                : $"Send 'Authorization: Bearer <API key or token>': an API key from 'mcp-gateway keys create', or a token for {oidc.Resource} from one of the identity providers listed at {ProtectedResourceMetadata.MetadataUrl(oidc)}."),
        }).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var name = Context.User.Identity?.Name ?? "unknown";
        var oidc = _runtime.Configuration.Oidc;
        if (GatewayClaims.OidcOf(Context.User) is { } caller
            && Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
            && new[] { Policies.Roles.Operator, Policies.Roles.Auditor }.FirstOrDefault(r => Context.User.IsInRole(r) && !caller.Scopes.Contains(GatewayClaims.ScopeFor(r, oidc))) is { } role)
        {
            var scope = GatewayClaims.ScopeFor(role, oidc);
            _security.Refused(Context, $"identity '{name}' holds the {role} role but its token lacks the scope '{scope}'");
            Response.StatusCode = (int)HttpStatusCode.Forbidden;
            Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{scope}\"" + (oidc is null ? string.Empty : $", resource_metadata=\"{ProtectedResourceMetadata.MetadataUrl(oidc)}\"");
            await Response.WriteAsJsonAsync(
                new { type = "https://tools.ietf.org/html/rfc6750#section-3.1", title = "Forbidden", status = 403, detail = $"Identity '{name}' holds the {role} role, but its token was not issued with the scope '{scope}' that {role} rights need here; ask the identity provider for a token with that scope." },
                options: null,
                contentType: "application/problem+json").ConfigureAwait(false);
            return;
        }

        _security.Refused(Context, $"identity '{name}' lacks the role this endpoint needs");
        Response.StatusCode = (int)HttpStatusCode.Forbidden;
        if (Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            Response.ContentType = "application/problem+json";
            await Response.WriteAsJsonAsync(
                new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.4", title = "Forbidden", status = 403, detail = $"Identity '{name}' does not hold the 'operator' role, and /api/approvals serves only operators. Use MCPGW_OPERATOR_KEY with a key of an operator identity; agents use /mcp." },
                options: null,
                contentType: "application/problem+json").ConfigureAwait(false);
            return;
        }

        await Response.WriteAsJsonAsync(new
        {
            error = "forbidden",
            message = $"Identity '{name}' does not hold the 'agent' role, and /mcp serves only agents. Use a key of an identity with the agent role; operators and auditors use /api.",
        }).ConfigureAwait(false);
    }

    private static AuthenticateResult Success(System.Security.Claims.ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, GatewayClaims.Scheme));
}
