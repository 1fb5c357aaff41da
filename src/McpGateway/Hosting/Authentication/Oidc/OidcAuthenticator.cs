using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Hosting.Authentication.Oidc;

/// <summary>How checking a bearer token went: the caller, or why not (said to the caller; never the token).</summary>
public sealed record OidcAuthentication(ClaimsPrincipal? Principal, string? Failure, bool Unavailable = false);

/// <summary>
/// Checks a JWT bearer token against the configured issuers and says who its caller is. The
/// token's <c>iss</c> picks the issuer (exactly as configured); only that issuer's keys may have
/// signed it, with an allowed asymmetric algorithm; its <c>aud</c> must be the gateway's audience
/// and its lifetime current (within the issuer's clock skew). A subject mapped by
/// <c>Identities:&lt;name&gt;:Oidc</c> is that configured identity — roles, groups and owner from
/// the configuration. Any other subject is the pseudonym <c>oidc:&lt;issuer&gt;:&lt;hash&gt;</c>, a
/// member of the gateway groups whose provider group IDs it carries, and an agent only when the
/// issuer's <c>AgentGroups</c> or <c>AgentRoles</c> say so; a pseudonym is never an operator or an
/// auditor — those are configured people, so one person has one identity and never approves their
/// own agent's calls under another. A delegated token (<c>act</c>) is the actor's call, owned by
/// the delegating subject.
/// </summary>
public sealed partial class OidcAuthenticator(HttpClient http, TimeProvider time, ILogger<OidcAuthenticator> logger)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    // Per issuer name, URL and refresh interval: a reload that leaves them alone keeps the keys.
    private readonly ConcurrentDictionary<(string Name, string Issuer, TimeSpan Refresh), OidcIssuerKeys> _keys = new();

    /// <summary>Whether <paramref name="token"/> has the shape of a JWT (three base64url parts), as opposed to an API key.</summary>
    public static bool LooksLikeJwt(string token) =>
        token.Count(c => c == '.') == 2 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The key source of an issuer (a reload that changes the issuer starts afresh).</summary>
    public OidcIssuerKeys KeysOf(OidcIssuerOptions issuer) => _keys.GetOrAdd((issuer.Name, issuer.IssuerText, issuer.KeyRefresh), _ => new OidcIssuerKeys(issuer, http, time, logger));

    public async Task<OidcAuthentication> AuthenticateAsync(string token, GatewayConfiguration configuration, CancellationToken cancellationToken)
    {
        if (configuration.Oidc is not { } oidc)
        {
            return Fail("This gateway accepts API keys only (no identity provider is configured).");
        }

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Fail("The bearer token is not a valid JWT.");
        }

        var issuerText = jwt.TryGetPayloadValue<string>("iss", out var iss) ? iss : null;
        var issuer = oidc.Issuers.Values.FirstOrDefault(i => i.IssuerText == issuerText);
        if (issuer is null)
        {
            return Fail("The token's issuer is not one this gateway trusts.");
        }

        if (!issuer.Algorithms.Contains(jwt.Alg))
        {
            return Fail($"The token is signed with '{jwt.Alg}', which issuer '{issuer.Name}' may not use here ({string.Join(", ", issuer.Algorithms)}).");
        }

        IReadOnlyList<SecurityKey> keys;
        try
        {
            keys = await KeysOf(issuer).FindAsync(string.IsNullOrEmpty(jwt.Kid) ? null : jwt.Kid, cancellationToken).ConfigureAwait(false);
        }
        catch (OidcUnavailableException ex)
        {
            KeysUnavailable(logger, issuer.Name, ex.Message);
            return new OidcAuthentication(null, $"The signing keys of issuer '{issuer.Name}' cannot be fetched right now; retry shortly.", Unavailable: true);
        }

        if (keys.Count == 0)
        {
            return Fail($"The token is signed with a key issuer '{issuer.Name}' does not publish.");
        }

        var result = await _handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = issuer.IssuerText,
            ValidAudience = issuer.Audience,
            IssuerSigningKeys = keys,
            ValidAlgorithms = issuer.Algorithms,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,

            // Checked below, on the gateway's clock.
            ValidateLifetime = false,
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Fail(Reason(result.Exception, issuer));
        }

        if (Lifetime(jwt, issuer.ClockSkew) is { } stale)
        {
            return Fail(stale);
        }

        if (jwt.Subject is not { Length: > 0 } subject)
        {
            return Fail("The token has no subject (sub).");
        }

        // Claims are read from the validated payload's JSON as the provider wrote it.
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return new OidcAuthentication(Principal(payload.RootElement, subject, issuer, oidc, configuration), null);
    }

    /// <summary>Why the token's lifetime is not current within <paramref name="skew"/>, or null when it is: <c>exp</c> is required, <c>nbf</c> optional.</summary>
    private string? Lifetime(JsonWebToken jwt, TimeSpan skew)
    {
        var now = time.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>("exp", out var exp))
        {
            return "The token has no expiry (exp); tokens without one are not accepted.";
        }

        if (now > DateTimeOffset.FromUnixTimeSeconds(exp) + skew)
        {
            return "The token has expired; get a new one.";
        }

        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && now < DateTimeOffset.FromUnixTimeSeconds(nbf) - skew)
        {
            return "The token is not valid yet (nbf is in the future).";
        }

        return null;
    }

    private static string Reason(Exception? exception, OidcIssuerOptions issuer) => exception switch
    {
        SecurityTokenInvalidAudienceException => $"The token is not issued for this gateway: its audience is not '{issuer.Audience}'. Ask the provider for a token for this resource.",
        SecurityTokenExpiredException => "The token has expired; get a new one.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenInvalidLifetimeException => "The token's lifetime is not current (or it has no expiry).",
        SecurityTokenNoExpirationException => "The token has no expiry (exp).",
        SecurityTokenInvalidIssuerException => "The token's issuer is not one this gateway trusts.",
        SecurityTokenInvalidAlgorithmException => "The token's algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature does not verify.",
        _ => "The token could not be validated.",
    };

    private static ClaimsPrincipal Principal(JsonElement jwt, string subject, OidcIssuerOptions issuer, OidcOptions oidc, GatewayConfiguration configuration)
    {
        // A delegated token is the actor's call on behalf of the subject, who owns it.
        var actor = Actor(jwt);
        var callerSubject = actor ?? subject;
        var owner = actor is null ? null : oidc.IdentityOf(issuer.Name, subject) ?? Pseudonym(issuer, subject);
        var client = Text(jwt, "azp") ?? Text(jwt, "client_id") ?? Text(jwt, "appid");
        var scopes = Scopes(jwt);

        IdentityInfo identity;
        var pseudonym = false;
        if (oidc.IdentityOf(issuer.Name, callerSubject) is { } name && configuration.Identities.TryGetValue(name, out var configured))
        {
            identity = configured with { Client = client };
        }
        else
        {
            pseudonym = true;
            var providerGroups = Values(jwt, issuer.GroupsClaim);
            var groups = configuration.Groups.Values.Where(g => g.ProviderGroupId is { } id && providerGroups.Contains(id)).Select(g => g.Name);
            var agent = providerGroups.Any(issuer.AgentGroups.Contains) || Values(jwt, issuer.RolesClaim).Any(issuer.AgentRoles.Contains);
            identity = IdentityInfo.Create(Pseudonym(issuer, callerSubject), groups, agent ? [Roles.Agent] : [], owner) with { Client = client };
        }

        return GatewayClaims.OidcPrincipal(identity, pseudonym, new OidcCaller(issuer.Name, callerSubject, client, scopes, actor is null ? null : subject));
    }

    /// <summary><c>oidc:&lt;issuer&gt;:</c> and the first 16 bytes of SHA-256 over the issuer URL and subject, hex: stable, and no subject in the chain's headers.</summary>
    public static string Pseudonym(OidcIssuerOptions issuer, string subject) =>
        $"oidc:{issuer.Name}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issuer.IssuerText + "\n" + subject)).AsSpan(0, 16))}";

    private static string? Actor(JsonElement jwt) =>
        jwt.TryGetProperty("act", out var act) && act.ValueKind == JsonValueKind.Object && act.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String
            ? sub.GetString()
            : null;

    private static string? Text(JsonElement jwt, string claim) =>
        jwt.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary><c>scp</c> or <c>scope</c>: a space-separated string or an array.</summary>
    private static List<string> Scopes(JsonElement jwt) =>
        [.. Values(jwt, "scp").Concat(Values(jwt, "scope")).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)];

    private static HashSet<string> Values(JsonElement jwt, string claim)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        if (!jwt.TryGetProperty(claim, out var element))
        {
            return values;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            values.Add(element.GetString()!);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            values.UnionWith(element.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
        }

        return values;
    }

    private static OidcAuthentication Fail(string reason) => new(null, reason);

    [LoggerMessage(Diagnostics.GatewayEventIds.OidcKeysUnavailable, LogLevel.Warning, "Tokens of issuer {Issuer} cannot be checked: {Reason}")]
    private static partial void KeysUnavailable(ILogger logger, string issuer, string reason);
}

/// <summary>What the token said of its caller, kept with every call (issuer and subject in the purgeable payload, never in headers).</summary>
/// <param name="Issuer">The issuer's configured name.</param>
/// <param name="Subject">The caller's subject (the actor's, for a delegated token).</param>
/// <param name="Client">The agent application (<c>azp</c>, <c>client_id</c> or <c>appid</c>).</param>
/// <param name="Scopes">The token's scopes.</param>
/// <param name="OnBehalfOf">The delegating subject of a delegated token.</param>
public sealed record OidcCaller(string Issuer, string Subject, string? Client, IReadOnlyList<string> Scopes, string? OnBehalfOf);
