using McpGateway.Policies;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// A kind of target in configuration, <c>McpGateway:Targets:&lt;Kind&gt;:&lt;name&gt;</c>: how its
/// entries are read and validated. Every error is added to the list, with its configuration path.
/// </summary>
public interface ITargetKind
{
    /// <summary>The section name under <c>Targets</c>, also the kind policies know it by.</summary>
    string Kind { get; }

    IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors);
}

/// <summary>One configured target of some kind: what policies may see of it, and the secrets it references.</summary>
public abstract record ConfiguredTarget(string Name)
{
    /// <summary>What the policy layer knows of the target (never a secret).</summary>
    public abstract TargetInfo ToPolicyTarget();

    /// <summary>Every secret the target references: held by the redactor and watched for changes.</summary>
    public abstract IEnumerable<SecretReference> Secrets { get; }
}
