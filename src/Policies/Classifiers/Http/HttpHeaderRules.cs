using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>The headers an agent may send, and the checks that keep credentials and routing with the gateway.</summary>
internal static class HttpHeaderRules
{
    private const string GatewaySupplies = "The gateway supplies credentials and routing itself; remove the header.";
    private const string Credentials = "it carries credentials";
    private const string Routing = "it changes where the request is routed or whom it appears to come from";
    private const string MethodOverride = "it overrides the method that was checked";
    private const string Framing = "it controls message framing or the connection, which the gateway sets";
    private const string Identity = "it asserts who the caller is, as an authenticating proxy would";

    /// <summary>
    /// Prefixes of header families that proxies, load balancers and CDNs set to route a request
    /// or to say who sent it; a backend behind them trusts them.
    /// </summary>
    private static readonly (string Prefix, string Why)[] ForbiddenPrefixes =
    [
        ("x-forwarded-", Routing),
        ("x-original-", Routing),
        ("x-rewrite-", Routing),
        ("x-envoy-", Routing),
        ("x-real-", Routing),
        ("x-client-", Routing),
        ("x-cluster-client-", Routing),
        ("x-proxyuser-", Routing),
        ("x-appengine-", Routing),
        ("x-azure-", Routing),
        ("x-arr-", Routing),
        ("cf-", Routing),
        ("fastly-", Routing),
        ("akamai-", Routing),
        ("x-akamai-", Routing),
        ("cloudfront-", Routing),
        ("x-amz-cf-", Routing),
        ("x-amzn-", Identity),
        ("x-ms-client-principal", Identity),
        ("x-ms-token-", Identity),
        ("x-goog-", Identity),
        ("x-auth-request-", Identity),
        ("x-authenticated-", Identity),
        ("x-remote-", Identity),
        ("x-webauth-", Identity),
        ("x-ssl-client-", Identity),
        ("x-client-cert", Identity),
        ("ssl-client-", Identity),
        ("x-jwt-", Identity),
        ("x-userinfo", Identity),
        ("x-user-", Identity),
        ("x-auth-", Identity),
        ("x-consumer-", Identity),
        ("x-credential-", Identity),
        ("x-pomerium-", Identity),
        ("x-vouch-", Identity),
        ("x-oidc-", Identity),
        ("oidc-", Identity),
        ("remote-", Identity),
        ("tailscale-", Identity),
        ("cf-access-", Identity),
        ("x-tenant-", Identity),
    ];

    /// <summary>Words that, anywhere in a name, mark a header carrying the client's address.</summary>
    private static readonly string[] AddressWords = ["client-ip", "clientip", "connecting-ip", "originating-ip", "real-ip", "remote-addr", "remote-ip", "true-client", "forwarded"];

    private static readonly FrozenDictionary<string, string> Forbidden = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["authorization"] = Credentials,
        ["cookie"] = Credentials,
        ["host"] = Routing,
        ["forwarded"] = Routing,
        ["x-real-ip"] = Routing,
        ["x-client-ip"] = Routing,
        ["true-client-ip"] = Routing,
        ["x-host"] = Routing,
        ["via"] = Routing,
        ["client-ip"] = Routing,
        ["x-remote-user"] = Identity,
        ["remote-user"] = Identity,
        ["x-user"] = Identity,
        ["x-user-id"] = Identity,
        ["x-username"] = Identity,
        ["x-email"] = Identity,
        ["x-principal"] = Identity,
        ["x-groups"] = Identity,
        ["x-roles"] = Identity,
        ["x-scopes"] = Identity,
        ["x-tenant"] = Identity,
        ["x-forwarded-user"] = Identity,
        ["x-forwarded-email"] = Identity,
        ["x-original-method"] = MethodOverride,
        ["x-http-method-override"] = MethodOverride,
        ["x-http-method"] = MethodOverride,
        ["x-method-override"] = MethodOverride,
        ["content-length"] = Framing,
        ["transfer-encoding"] = Framing,
        ["connection"] = Framing,
        ["keep-alive"] = Framing,
        ["te"] = Framing,
        ["trailer"] = Framing,
        ["upgrade"] = Framing,
        ["expect"] = Framing,
        ["http2-settings"] = Framing,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The agent's headers, names lower case in the order given, and the sorted distinct names.</summary>
    internal sealed record Result(ImmutableArray<KeyValuePair<string, string>> Headers, ImmutableArray<string> Names);

    /// <summary>
    /// Reads the <c>headers</c> object (already known to be an object) and refuses every header
    /// the agent may not send.
    /// </summary>
    public static Result Read(JsonElement headers, HttpTargetInfo? target, List<Refusal> refusals)
    {
        var accepted = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        var firstSpelling = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in headers.EnumerateObject())
        {
            if (!JsonText.TryGetName(header, out var name))
            {
                refusals.Add(new Refusal(HttpRefusalCodes.Arguments, "A header name in 'headers' has an invalid \\u escape (an unpaired surrogate); remove it."));
                continue;
            }

            var lower = CheckName(name, target, refusals);
            if (lower is not null)
            {
                if (firstSpelling.TryGetValue(lower, out var earlier))
                {
                    refusals.Add(new Refusal(
                        HttpRefusalCodes.Arguments,
                        $"Header '{JsonText.Display(name)}' is given more than once (also as '{JsonText.Display(earlier)}'; names ignore letter case): give each header once."));
                    lower = null;
                }
                else
                {
                    firstSpelling.Add(lower, name);
                }
            }

            if (header.Value.ValueKind != JsonValueKind.String)
            {
                refusals.Add(new Refusal(
                    HttpRefusalCodes.Arguments,
                    $"Header '{JsonText.Display(name)}' must have a string value, not {JsonText.KindOf(header.Value)}: write the value as a string, like \"application/json\"."));
                continue;
            }

            if (!JsonText.TryGetString(header.Value, out var value))
            {
                refusals.Add(new Refusal(HttpRefusalCodes.Arguments, $"The value of header '{JsonText.Display(name)}' has an invalid \\u escape (an unpaired surrogate); remove it."));
                continue;
            }

            if (CheckValue(name, value, refusals) && lower is not null)
            {
                accepted.Add(new KeyValuePair<string, string>(lower, value));
            }
        }

        var names = firstSpelling.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return new Result(accepted.ToImmutable(), ImmutableArray.Create(names));
    }

    /// <summary>Checks a header name; returns it lower case when it is a valid field name, else null.</summary>
    private static string? CheckName(string name, HttpTargetInfo? target, List<Refusal> refusals)
    {
        if (name.Length == 0)
        {
            refusals.Add(new Refusal(HttpRefusalCodes.Arguments, "A header in 'headers' has an empty name: give each header a name, like \"accept\"."));
            return null;
        }

        var control = IndexOfControl(name);
        if (control >= 0)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.HeaderInjection,
                $"Header name '{JsonText.Display(name)}' has {HttpSyntax.Describe(name, control)} at position {control + 1}; line breaks and control characters could inject extra headers. Remove them."));
            return null;
        }

        if (!HttpSyntax.IsToken(name))
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.Arguments,
                $"Header name '{JsonText.Display(name)}' is not a valid HTTP field name: use only letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons), like \"x-request-id\"."));
            return null;
        }

        var lower = name.ToLowerInvariant();
        var why = Forbidden.GetValueOrDefault(lower) ?? FamilyOf(lower);
        if (why is null && lower.StartsWith("proxy-", StringComparison.Ordinal))
        {
            why = "it is meant for proxies and may carry proxy credentials";
        }
        else if (why is null && target is not null && IsCredentialHeader(target, name))
        {
            why = $"the gateway sets it for service '{target.Name}'";
        }

        if (why is not null)
        {
            refusals.Add(new Refusal(HttpRefusalCodes.ForbiddenHeader, $"Header '{name}' is not allowed: {why}. {GatewaySupplies}"));
        }

        return lower;
    }

    /// <summary>Why a header of a forbidden family may not be sent; null when it belongs to none.</summary>
    private static string? FamilyOf(string lower)
    {
        // '_' and '-' are the same to servers that map headers to variables (CGI, PHP, nginx).
        var name = lower.Replace('_', '-');
        if (!ReferenceEquals(name, lower) && Forbidden.GetValueOrDefault(name) is { } exact)
        {
            return exact;
        }

        foreach (var (prefix, why) in ForbiddenPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return why;
            }
        }

        foreach (var word in AddressWords)
        {
            if (name.Contains(word, StringComparison.Ordinal))
            {
                return Routing;
            }
        }

        return name.StartsWith("proxy-", StringComparison.Ordinal) ? "it is meant for proxies and may carry proxy credentials" : null;
    }

    /// <summary>Checks a header value; true when it may be sent.</summary>
    private static bool CheckValue(string name, string value, List<Refusal> refusals)
    {
        var valid = true;
        var control = IndexOfControl(value);
        if (control >= 0)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.HeaderInjection,
                $"Header '{JsonText.Display(name)}' has {HttpSyntax.Describe(value, control)} at position {control + 1} of its value; line breaks and control characters could inject extra headers or requests. Remove them."));
            valid = false;
        }

        var nonAscii = value.AsSpan().IndexOfAnyExceptInRange('\0', '\u007f');
        if (nonAscii >= 0)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.Arguments,
                $"Header '{JsonText.Display(name)}' has {HttpSyntax.Describe(value, nonAscii)} at position {nonAscii + 1} of its value, and header values must be ASCII: encode the text, for example as percent-encoded UTF-8."));
            valid = false;
        }

        return valid;
    }

    /// <summary>Whether <paramref name="name"/> is, to a server, the header the gateway sets for the service (letter case, '_' and '-' alike).</summary>
    private static bool IsCredentialHeader(HttpTargetInfo target, string name)
    {
        foreach (var credential in target.CredentialHeaders)
        {
            if (string.Equals(credential.Replace('_', '-'), name.Replace('_', '-'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first control character other than tab (C0 or DEL), or -1.</summary>
    private static int IndexOfControl(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if ((c < ' ' && c != '\t') || c == '\u007f')
            {
                return i;
            }
        }

        return -1;
    }
}
