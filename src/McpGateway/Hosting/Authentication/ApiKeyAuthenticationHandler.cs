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
/// Bearer API keys on HTTP. A request without a credential may use the anonymous identity, but
/// only when it is enabled and the gateway is bound to loopback; a bad, expired or revoked key is
/// always a 401, never anonymous.
/// </summary>
public sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private const string StoreUnavailable = "mcpgw:store-unavailable";

    private readonly ApiKeyService _keys;
    private readonly GatewayRuntime _runtime;
    private readonly HttpBinding _binding;
    private readonly SecurityLog _security;

    public ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys, GatewayRuntime runtime, HttpBinding binding, SecurityLog security)
        : base(options, logger, encoder)
    {
        _keys = keys;
        _runtime = runtime;
        _binding = binding;
        _security = security;
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

        ApiKeyAuthentication result;
        try
        {
            result = await _keys.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted).ConfigureAwait(false);
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
        if (Context.Items.ContainsKey(StoreUnavailable))
        {
            Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            await Response.WriteAsJsonAsync(new { error = "unavailable", message = "The gateway's key store is unavailable right now, so the key could not be checked; retry in a few seconds." }).ConfigureAwait(false);
            return;
        }

        var failure = (await Context.AuthenticateAsync(GatewayClaims.Scheme).ConfigureAwait(false)).Failure;
        if (failure is null)
        {
            _security.Refused(Context, "no credential");
        }

        Response.StatusCode = (int)HttpStatusCode.Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"mcp-gateway\"";
        await Response.WriteAsJsonAsync(new
        {
            error = "unauthorized",
            message = failure?.Message ?? "Send 'Authorization: Bearer <API key>'; keys are issued with 'mcp-gateway keys create'.",
        }).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var name = Context.User.Identity?.Name ?? "unknown";
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
