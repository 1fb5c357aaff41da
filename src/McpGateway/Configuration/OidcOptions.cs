using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// One identity provider (<c>McpGateway:Oidc:Issuers:&lt;name&gt;</c>): whose tokens are accepted,
/// for which audience, signed how, and how a caller it vouches for that is not a configured
/// identity becomes a pseudonymous agent.
/// </summary>
/// <param name="Name">The issuer's name in this configuration (in pseudonyms: <c>oidc:&lt;name&gt;:…</c>).</param>
/// <param name="Issuer">The provider's issuer URL.</param>
/// <param name="IssuerText">The issuer exactly as configured: tokens' <c>iss</c> and the discovery document's <c>issuer</c> must be this string.</param>
/// <param name="Audience">The <c>aud</c> a token must carry: the gateway's resource URI unless the provider names the gateway otherwise.</param>
/// <param name="Algorithms">The signature algorithms accepted (asymmetric only).</param>
/// <param name="GroupsClaim">The claim that lists the caller's groups, matched against the provider group IDs of <c>McpGateway:Groups</c>.</param>
/// <param name="RolesClaim">The claim that lists the caller's application roles.</param>
/// <param name="AgentGroups">Provider group IDs whose members, when not configured identities, act as pseudonymous agents.</param>
/// <param name="AgentRoles">Application role values that make a caller that is not a configured identity a pseudonymous agent.</param>
/// <param name="ClockSkew">How far a token's lifetime may be off the gateway's clock.</param>
/// <param name="KeyRefresh">At most one signing-key refresh per this interval when a token names an unknown key.</param>
public sealed record OidcIssuerOptions(
    string Name,
    Uri Issuer,
    string IssuerText,
    string Audience,
    ImmutableArray<string> Algorithms,
    string GroupsClaim,
    string RolesClaim,
    FrozenSet<string> AgentGroups,
    FrozenSet<string> AgentRoles,
    TimeSpan ClockSkew,
    TimeSpan KeyRefresh);

/// <summary>
/// <c>McpGateway:Oidc</c>: JWT bearer tokens beside API keys. The gateway's resource URI (the
/// audience of its tokens and the <c>resource</c> of its RFC 9728 metadata), the scopes operator
/// and auditor rights need, and the trusted issuers. Callers are mapped to configured identities by
/// <c>Identities:&lt;name&gt;:Oidc: { Issuer, Subject }</c>.
/// </summary>
public sealed record OidcOptions(Uri Resource, string OperatorScope, string AuditorScope, FrozenDictionary<string, OidcIssuerOptions> Issuers, FrozenDictionary<(string Issuer, string Subject), string> Subjects)
{
    public const string DefaultOperatorScope = "mcpgw:operator";
    public const string DefaultAuditorScope = "mcpgw:audit";
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultKeyRefresh = TimeSpan.FromMinutes(5);

    /// <summary>The asymmetric algorithms accepted when none are configured.</summary>
    public static readonly ImmutableArray<string> DefaultAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>The configured identity a token of <paramref name="issuer"/> for <paramref name="subject"/> is, if any.</summary>
    public string? IdentityOf(string issuer, string subject) => Subjects.TryGetValue((issuer, subject), out var name) ? name : null;

    internal static OidcOptions? Read(IConfigurationSection section, IConfigurationSection identities, List<string> errors)
    {
        var mappings = identities.GetChildren().Select(i => (Identity: i, Oidc: i.GetSection("Oidc"))).Where(m => m.Oidc.Exists()).ToList();
        if (!section.Exists())
        {
            foreach (var (identity, _) in mappings)
            {
                errors.Add($"{identity.Path}:Oidc: there is no McpGateway:Oidc section naming the issuer; configure the identity provider first.");
            }

            return null;
        }

        string[] known = ["Resource", "OperatorScope", "AuditorScope", "Issuers"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; Oidc has {string.Join(", ", known)}.");
        }

        Uri? resource = null;
        if (section["Resource"] is not { Length: > 0 } resourceText)
        {
            errors.Add($"{section.Path}:Resource: required: the gateway's resource URI (its public MCP endpoint, such as https://gateway.example.com/mcp), the audience its tokens are issued for.");
        }
        else if (!Uri.TryCreate(resourceText, UriKind.Absolute, out resource) || !IsHttpsOrLoopback(resource) || resource.Fragment.Length > 0)
        {
            errors.Add($"{section.Path}:Resource: '{resourceText}' is not an https URI without a fragment (http only to a loopback address).");
            resource = null;
        }

        var operatorScope = Scope(section, "OperatorScope", DefaultOperatorScope, errors);
        var auditorScope = Scope(section, "AuditorScope", DefaultAuditorScope, errors);
        var issuers = new Dictionary<string, OidcIssuerOptions>(StringComparer.Ordinal);
        foreach (var issuer in section.GetSection("Issuers").GetChildren())
        {
            if (ReadIssuer(issuer, resource, errors) is { } read)
            {
                issuers[issuer.Key] = read;
            }
        }

        if (issuers.Count == 0)
        {
            errors.Add($"{section.Path}:Issuers: name at least one identity provider, such as \"Issuers\": {{ \"corp\": {{ \"Issuer\": \"https://login.example.com/\" }} }}.");
        }

        var subjects = new Dictionary<(string, string), string>();
        foreach (var (identity, oidc) in mappings)
        {
            foreach (var unknown in oidc.GetChildren().Where(c => c.Key is not ("Issuer" or "Subject")))
            {
                errors.Add($"{unknown.Path}: unknown setting; an identity's Oidc has Issuer (the name of one of McpGateway:Oidc:Issuers) and Subject.");
            }

            var issuerName = oidc["Issuer"];
            var subject = oidc["Subject"];
            if (issuerName is not { Length: > 0 } || !issuers.ContainsKey(issuerName))
            {
                errors.Add($"{oidc.Path}:Issuer: '{issuerName}' is not one of McpGateway:Oidc:Issuers ({string.Join(", ", issuers.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            if (subject is not { Length: > 0 })
            {
                errors.Add($"{oidc.Path}:Subject: required: the provider's subject (sub claim) of this person or application.");
                continue;
            }

            if (!subjects.TryAdd((issuerName, subject), identity.Key))
            {
                errors.Add($"{oidc.Path}: issuer '{issuerName}' subject '{subject}' is already identity '{subjects[(issuerName, subject)]}'; one subject is one identity.");
            }
        }

        return resource is null ? null : new OidcOptions(resource, operatorScope, auditorScope, issuers.ToFrozenDictionary(StringComparer.Ordinal), subjects.ToFrozenDictionary());
    }

    private static OidcIssuerOptions? ReadIssuer(IConfigurationSection section, Uri? resource, List<string> errors)
    {
        string[] known = ["Issuer", "Audience", "Algorithms", "GroupsClaim", "RolesClaim", "AgentGroups", "AgentRoles", "ClockSkew", "KeyRefresh"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; an issuer has {string.Join(", ", known)}.");
        }

        if (!IdentityReader.IsName(section.Key))
        {
            errors.Add($"{section.Path}: issuer names use letters, digits, '-', '_' and '.'.");
        }

        Uri? issuer = null;
        if (section["Issuer"] is not { Length: > 0 } issuerText)
        {
            errors.Add($"{section.Path}:Issuer: required: the provider's issuer URL, as its discovery document and its tokens' iss claim give it.");
        }
        else if (!Uri.TryCreate(issuerText, UriKind.Absolute, out issuer) || !IsHttpsOrLoopback(issuer) || issuer.Query.Length > 0 || issuer.Fragment.Length > 0)
        {
            errors.Add($"{section.Path}:Issuer: '{issuerText}' is not an https URL without query or fragment (http only to a loopback address); discovery and signing keys are fetched from it.");
            issuer = null;
        }

        var algorithms = IdentityReader.List(section.GetSection("Algorithms"));
        foreach (var algorithm in algorithms.Where(a => !DefaultAlgorithms.Contains(a)))
        {
            errors.Add($"{section.Path}:Algorithms: '{algorithm}' is not accepted; use asymmetric algorithms ({string.Join(", ", DefaultAlgorithms)}): 'none' proves nothing, and a symmetric key would let anyone who holds it mint tokens.");
        }

        var skew = Duration(section, "ClockSkew", DefaultClockSkew, TimeSpan.FromMinutes(5), errors);
        var refresh = Duration(section, "KeyRefresh", DefaultKeyRefresh, TimeSpan.FromDays(1), errors);
        if (issuer is null)
        {
            return null;
        }

        return new OidcIssuerOptions(
            section.Key,
            issuer,
            section["Issuer"]!,
            section["Audience"] is { Length: > 0 } audience ? audience : resource?.ToString() ?? string.Empty,
            algorithms.Count > 0 ? [.. algorithms] : DefaultAlgorithms,
            section["GroupsClaim"] is { Length: > 0 } groups ? groups : "groups",
            section["RolesClaim"] is { Length: > 0 } roles ? roles : "roles",
            IdentityReader.List(section.GetSection("AgentGroups")).ToFrozenSet(StringComparer.Ordinal),
            IdentityReader.List(section.GetSection("AgentRoles")).ToFrozenSet(StringComparer.Ordinal),
            skew,
            refresh);
    }

    private static string Scope(IConfigurationSection section, string key, string fallback, List<string> errors)
    {
        if (section[key] is not { Length: > 0 } scope)
        {
            return fallback;
        }

        if (scope.Any(c => c is ' ' or '"' or '\\' || char.IsControl(c)))
        {
            errors.Add($"{section.Path}:{key}: '{scope}' is not a scope token (no spaces, quotes or backslashes).");
            return fallback;
        }

        return scope;
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, TimeSpan most, List<string> errors)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (!DurationText.TryParse(text, out var value) || value < TimeSpan.Zero || value > most)
        {
            errors.Add($"{section.Path}:{key}: '{text}' is not a duration from 0s to {DurationText.Format(most)}.");
            return fallback;
        }

        return value;
    }

    internal static bool IsHttpsOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps
        || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))));
}
