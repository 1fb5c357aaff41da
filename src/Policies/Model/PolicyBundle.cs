using System.Collections.Immutable;

namespace McpGateway.Policies.Model;

/// <summary>A validated, immutable set of rules and the revision that identifies it.</summary>
/// <param name="Rules">Rules in file order (files sorted by relative path).</param>
/// <param name="Revision">Lower-case hex SHA-256 over the bundle's files in sorted order.</param>
/// <param name="Files">The bundle's files, relative to its root, sorted.</param>
public sealed record PolicyBundle(ImmutableArray<PolicyRule> Rules, string Revision, ImmutableArray<string> Files)
{
    /// <summary>The masking profiles the bundle defines (its <c>masking:</c> sections), validated.</summary>
    public Masking.MaskingOptions Masking { get; init; } = new();

    /// <summary>
    /// The files exactly as they were read and hashed into <see cref="Revision"/>, sorted: what the
    /// store keeps as the evidence of a revision (so it is never a later read of a changed file).
    /// </summary>
    public ImmutableArray<Loading.PolicySource> Sources { get; init; } = [];
}
