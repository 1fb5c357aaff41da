using System.Collections.Frozen;
using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Policies;

/// <summary>Roles an identity can hold.</summary>
public static class Roles
{
    public const string Agent = "agent";
    public const string Operator = "operator";
    public const string Auditor = "auditor";

    public static FrozenSet<string> All { get; } = new[] { Agent, Operator, Auditor }.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>A configured identity: the single source of its groups, roles and owner.</summary>
public sealed record IdentityInfo(string Name, FrozenSet<string> Groups, FrozenSet<string> Roles, string? Owner)
{
    /// <summary>The agent application this caller acts through, when an identity provider's token named it (<c>client</c> in rules); null for API keys.</summary>
    public string? Client { get; init; }

    public static IdentityInfo Create(string name, IEnumerable<string> groups, IEnumerable<string> roles, string? owner = null) =>
        new(name, groups.ToFrozenSet(StringComparer.Ordinal), roles.ToFrozenSet(StringComparer.Ordinal), owner);
}

/// <summary>A configured target (an HTTP service, a database connection, a host, a cluster).</summary>
public record TargetInfo(string Name, string Kind);

/// <summary>An HTTP service target.</summary>
/// <param name="CredentialHeaders">Header names the gateway sets for this service; an agent may not send them.</param>
/// <param name="AllowDeleteBody">The service reads a body on DELETE (configured per service; refused otherwise).</param>
public sealed record HttpTargetInfo(string Name, FrozenSet<string> CredentialHeaders, bool AllowDeleteBody = false) : TargetInfo(Name, TargetKinds.Http);

/// <summary>A PostgreSQL connection target.</summary>
/// <param name="SearchPath">
/// The schemas every connection's <c>search_path</c> is set to, in order, as PostgreSQL holds
/// them (unquoted names folded to lower case); the SQL classifier qualifies unqualified names
/// with them. Empty means <c>public</c>.
/// </param>
public sealed record PostgresTargetInfo(string Name, IReadOnlyList<string> SearchPath) : TargetInfo(Name, TargetKinds.Postgres)
{
    /// <summary>The search path of a connection that sets none.</summary>
    public static IReadOnlyList<string> DefaultSearchPath { get; } = ["public"];

    public PostgresTargetInfo(string name)
        : this(name, DefaultSearchPath)
    {
    }
}

/// <summary>A Kubernetes cluster target, the target of <c>kubectl_apply</c>.</summary>
/// <param name="DefaultNamespace">The namespace given to namespaced objects that name none.</param>
/// <param name="Discovery">
/// The kinds the cluster serves beyond the built-in ones (custom resources, aggregated APIs), with
/// their scope, as the host read them from the cluster's discovery; the built-in kinds' scope
/// comes from a table in the policy library and is not taken from here.
/// </param>
public sealed record KubernetesTargetInfo(string Name, string DefaultNamespace, KubernetesDiscovery Discovery) : TargetInfo(Name, TargetKinds.Kubernetes)
{
    /// <summary>The namespace of a cluster that configures none.</summary>
    public const string FallbackNamespace = "default";

    public KubernetesTargetInfo(string name)
        : this(name, FallbackNamespace, KubernetesDiscovery.Empty)
    {
    }
}

public static class TargetKinds
{
    public const string Http = "Http";

    /// <summary>SSH hosts (<c>Targets:Ssh</c>), the targets of <c>ssh_exec</c>.</summary>
    public const string Ssh = "Ssh";

    /// <summary>PostgreSQL connections (<c>Targets:Postgres</c>), the targets of <c>run_sql</c>.</summary>
    public const string Postgres = "Postgres";

    /// <summary>Kubernetes clusters (<c>Targets:Kubernetes</c>), the targets of <c>kubectl_apply</c>.</summary>
    public const string Kubernetes = "Kubernetes";
}

/// <summary>
/// What exists in the configuration that policies refer to: identities, groups, targets and
/// masking profiles. Pure data; the host builds it from configuration.
/// </summary>
public sealed class PolicyEnvironment
{
    public PolicyEnvironment(
        IEnumerable<IdentityInfo> identities,
        IEnumerable<string> groups,
        IEnumerable<TargetInfo> targets,
        IEnumerable<string> maskingProfiles,
        bool hasMaskingTokenKey = false)
    {
        HasMaskingTokenKey = hasMaskingTokenKey;
        Identities = identities.ToFrozenDictionary(i => i.Name, StringComparer.Ordinal);
        Groups = groups.ToFrozenSet(StringComparer.Ordinal);
        Targets = targets
            .GroupBy(t => t.Kind, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal), StringComparer.Ordinal);
        MaskingProfiles = maskingProfiles.Concat([Masking.MaskingProfile.DefaultName, Masking.MaskingProfile.SecretsName]).ToFrozenSet(StringComparer.Ordinal);
    }

    public FrozenDictionary<string, IdentityInfo> Identities { get; }

    public FrozenSet<string> Groups { get; }

    /// <summary>Targets by kind, then by name.</summary>
    public FrozenDictionary<string, FrozenDictionary<string, TargetInfo>> Targets { get; }

    /// <summary>Masking profiles a <c>mask</c> obligation may name: the built-in ones and those the bundle defines.</summary>
    public FrozenSet<string> MaskingProfiles { get; private init; }

    /// <summary>Whether <c>McpGateway:Masking:TokenKey</c> is configured, so profiles may use the token strategy.</summary>
    public bool HasMaskingTokenKey { get; }

    /// <summary>This environment with <paramref name="profiles"/> (a bundle's own) added to the known masking profiles.</summary>
    public PolicyEnvironment WithMaskingProfiles(IEnumerable<string> profiles) =>
        new(Identities.Values, Groups, Targets.Values.SelectMany(t => t.Values), MaskingProfiles.Concat(profiles), HasMaskingTokenKey);

    /// <summary>
    /// This environment with <paramref name="targets"/> in place of the configured targets of the
    /// same kind and name (the host adds what it learnt of a target, such as a cluster's discovery).
    /// </summary>
    public PolicyEnvironment WithTargets(IEnumerable<TargetInfo> targets)
    {
        var replaced = targets.ToDictionary(t => (t.Kind, t.Name));
        return new(Identities.Values, Groups, Targets.Values.SelectMany(t => t.Values).Select(t => replaced.GetValueOrDefault((t.Kind, t.Name), t)), MaskingProfiles, HasMaskingTokenKey);
    }

    public TargetInfo? FindTarget(string kind, string name) =>
        Targets.TryGetValue(kind, out var byName) ? byName.GetValueOrDefault(name) : null;

    public IEnumerable<string> TargetNames(string kind) =>
        Targets.TryGetValue(kind, out var byName) ? byName.Keys.Order(StringComparer.Ordinal) : [];
}
