using System.Collections.Frozen;
using System.Collections.Immutable;
using McpGateway.Policies;

namespace McpGateway.Configuration;

/// <summary>A configured group, optionally tied to an identity-provider group.</summary>
public sealed record GroupOptions(string Name, string? ProviderGroupId);

/// <summary>How the gateway authenticates to an HTTP service. Exactly one kind is set.</summary>
public sealed record HttpAuthOptions(SecretReference? Bearer, string? BasicUsername, SecretReference? BasicPassword, string? HeaderName, SecretReference? HeaderValue)
{
    public static HttpAuthOptions None { get; } = new(null, null, null, null, null);

    public IEnumerable<SecretReference> Secrets =>
        new[] { Bearer, BasicPassword, HeaderValue }.OfType<SecretReference>();
}

/// <summary>A registered HTTP service.</summary>
/// <param name="AllowDeleteBody">Whether the service reads a request body on DELETE, so an agent may send one.</param>
public sealed record HttpServiceOptions(string Name, Uri BaseUrl, HttpAuthOptions Auth, bool AllowDeleteBody = false) : ConfiguredTarget(Name)
{
    public override IEnumerable<SecretReference> Secrets => Auth.Secrets;

    public override System.Text.Json.Nodes.JsonObject DescribeConfiguration() => new()
    {
        ["baseUrl"] = BaseUrl.AbsoluteUri,
        ["allowDeleteBody"] = AllowDeleteBody,
        ["auth"] = new System.Text.Json.Nodes.JsonObject
        {
            ["bearer"] = Auth.Bearer?.Text,
            ["basicUsername"] = Auth.BasicUsername,
            ["basicPassword"] = Auth.BasicPassword?.Text,
            ["headerName"] = Auth.HeaderName,
            ["headerValue"] = Auth.HeaderValue?.Text,
        },
    };

    public override TargetInfo ToPolicyTarget() =>
        new HttpTargetInfo(Name, (Auth.HeaderName is { } header ? new[] { header } : []).ToFrozenSet(StringComparer.OrdinalIgnoreCase), AllowDeleteBody);
}

public sealed record AnonymousOptions(bool Enabled, string? Identity);

/// <summary>The HTTP transport: extra host names it answers to, its TLS certificate (PEM files), and how many MCP sessions one identity may hold.</summary>
public sealed record HttpOptions(IReadOnlyList<string> AllowedHosts, string? CertificatePath, string? CertificateKeyPath, int MaxSessionsPerIdentity = HttpOptions.DefaultMaxSessionsPerIdentity)
{
    public const int DefaultMaxSessionsPerIdentity = 64;

    public static HttpOptions Default { get; } = new([], null, null);
}

/// <summary>
/// The gateway's waits (<c>McpGateway:Timings</c>). The defaults suit production; tests of crashes
/// and expiry shorten them so they do not wait out real minutes.
/// </summary>
/// <param name="LeaseMargin">Added to a call's timeout for how long its <c>call.started</c> vouches for it.</param>
/// <param name="AbandonedSweep">How often <c>serve</c> looks for starts whose lease ended without a finish.</param>
/// <param name="ReloadPoll">How often <c>serve</c> checks the configuration, bundle and secret files for changes.</param>
public sealed record TimingOptions(TimeSpan LeaseMargin, TimeSpan AbandonedSweep, TimeSpan ReloadPoll)
{
    /// <summary>How often a call waiting for approval reads the store for a decision (taken there by any replica).</summary>
    public TimeSpan ApprovalPoll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a waiting call sends a progress notification (at most 10 s).</summary>
    public TimeSpan ApprovalProgress { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often <c>serve</c> expires approvals and removes unmasked data past retention.</summary>
    public TimeSpan ApprovalSweep { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often <c>serve</c> purges payloads past <c>Audit:RetainPayloads</c> (when that is set).</summary>
    public TimeSpan AuditRetention { get; init; } = TimeSpan.FromHours(1);

    public static TimingOptions Default { get; } = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2));
}

/// <summary>
/// The gateway's validated configuration: where it was read from, and the identities, groups and
/// targets that policies refer to.
/// </summary>
public sealed class GatewayConfiguration
{
    public required string SourceFile { get; init; }

    public required string DataDirectory { get; init; }

    public required string PoliciesPath { get; init; }

    public required FrozenDictionary<string, GroupOptions> Groups { get; init; }

    public required FrozenDictionary<string, IdentityInfo> Identities { get; init; }

    /// <summary>The configured targets, by kind (<c>Targets:&lt;Kind&gt;</c>) and then by name.</summary>
    public required FrozenDictionary<string, FrozenDictionary<string, ConfiguredTarget>> Targets { get; init; }

    public required AnonymousOptions Anonymous { get; init; }

    public HttpOptions Http { get; init; } = HttpOptions.Default;

    public TimingOptions Timings { get; init; } = TimingOptions.Default;

    public ApprovalOptions Approvals { get; init; } = ApprovalOptions.Default;

    /// <summary>Where operators reach this gateway (<c>McpGateway:PublicUrl</c>), for links in notifications.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The built-in masking profiles; a bundle adds its own (its <c>masking:</c> section).</summary>
    public ImmutableArray<string> MaskingProfiles { get; init; } = ["default", "secrets"];

    /// <summary>The deterministic-token key (<c>McpGateway:Masking:TokenKey</c>), when configured.</summary>
    public SecretReference? MaskingTokenKey { get; init; }

    /// <summary>The audit chain's checkpoints: signing key, checkpoint log, timing (<c>McpGateway:Audit</c>).</summary>
    public AuditOptions? Audit { get; init; }

    /// <summary>The audit options in effect (the data folder's defaults when none were read).</summary>
    public AuditOptions AuditOrDefault => Audit ?? AuditOptions.Default(DataDirectory);

    /// <summary>Payload retention and the request-hash key (<c>McpGateway:Audit</c>).</summary>
    public AuditPayloadOptions AuditPayloads { get; init; } = AuditPayloadOptions.Default;

    /// <summary>The operator console's session lifetimes and sign-in rate (<c>McpGateway:Console</c>).</summary>
    public ConsoleOptions Console { get; init; } = ConsoleOptions.Default;

    /// <summary>JWT bearer tokens from identity providers (<c>McpGateway:Oidc</c>); null when only API keys are accepted.</summary>
    public OidcOptions? Oidc { get; init; }

    /// <summary>Where keys, approvals and the chain are kept (<c>McpGateway:Store</c>).</summary>
    public StoreOptions Store { get; init; } = StoreOptions.Default;

    /// <summary>Every secret the configuration references, for the held-secret redactor.</summary>
    public IEnumerable<SecretReference> SecretReferences =>
        Targets.Values.SelectMany(kind => kind.Values).SelectMany(t => t.Secrets).Concat(Approvals.Secrets).Concat(MaskingTokenKey is { } key ? [key] : []).Concat(AuditOrDefault.Secrets).Concat(AuditPayloads.Secrets).Concat(Store.Secrets);

    /// <summary>The target <paramref name="name"/> of <paramref name="kind"/>, when it is configured and of type <typeparamref name="T"/>.</summary>
    public T? Target<T>(string kind, string name)
        where T : ConfiguredTarget =>
        Targets.TryGetValue(kind, out var targets) && targets.TryGetValue(name, out var target) ? target as T : null;

    /// <summary>What policies may refer to.</summary>
    public PolicyEnvironment ToPolicyEnvironment() => new(
        Identities.Values,
        Groups.Keys,
        Targets.Values.SelectMany(kind => kind.Values).Select(t => t.ToPolicyTarget()),
        MaskingProfiles,
        MaskingTokenKey is not null);
}
