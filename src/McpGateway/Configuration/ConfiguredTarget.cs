using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Policies;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// A kind of target in configuration, <c>McpGateway:Targets:&lt;Kind&gt;:&lt;name&gt;</c>: how its
/// entries are read and validated, and the client its backend uses. Every error is added to the
/// list, with its configuration path.
/// </summary>
public interface ITargetKind
{
    /// <summary>The section name under <c>Targets</c>, also the kind policies know it by.</summary>
    string Kind { get; }

    IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors);

    /// <summary>
    /// The client the backend uses for <paramref name="target"/> (a pooled data source, an SSH
    /// client), or null when the kind needs none. Created when a snapshot with the target is
    /// built, kept across reloads while the target's configuration and secrets are unchanged, and
    /// disposed (<see cref="IDisposable"/> or <see cref="IAsyncDisposable"/>) when no call uses it
    /// any more. It must not connect here: a target that is down must not stop start-up.
    /// </summary>
    object? CreateClient(ConfiguredTarget target, HeldSecrets secrets) => null;

    /// <summary>
    /// As <see cref="CreateClient(ConfiguredTarget, HeldSecrets)"/>, for a target whose client is
    /// replaced (its configuration or a secret changed): <paramref name="previous"/> is the client
    /// it replaces, still in use, so what it learnt of the target (a cluster's discovery) can be
    /// carried over. The default ignores it.
    /// </summary>
    object? CreateClient(ConfiguredTarget target, HeldSecrets secrets, object? previous) => CreateClient(target, secrets);

    /// <summary>
    /// What the policy layer knows of <paramref name="target"/> once its client learnt about it (a
    /// cluster's discovery), or null when that is nothing beyond <see cref="ConfiguredTarget.ToPolicyTarget"/>
    /// (the default). The runtime snapshot's policy environment holds this; equal values mean
    /// nothing new was learnt.
    /// </summary>
    TargetInfo? ToPolicyTarget(ConfiguredTarget target, object? client) => null;
}

/// <summary>One configured target of some kind: what policies may see of it, and the secrets it references.</summary>
public abstract record ConfiguredTarget(string Name)
{
    /// <summary>What the policy layer knows of the target (never a secret).</summary>
    public abstract TargetInfo ToPolicyTarget();

    /// <summary>Every secret the target references: held by the redactor and watched for changes.</summary>
    public abstract IEnumerable<SecretReference> Secrets { get; }

    /// <summary>
    /// The target's configuration without secret values (a secret appears as its reference), as
    /// JSON: what an approval binds to, so a reload that points the target elsewhere is noticed.
    /// </summary>
    public abstract JsonObject DescribeConfiguration();

    /// <summary>SHA-256 (hex) of <see cref="DescribeConfiguration"/> in canonical JSON.</summary>
    public string ConfigurationHash => CanonicalJson.HashHex(new JsonObject { ["kind"] = GetType().Name, ["target"] = DescribeConfiguration() });
}
