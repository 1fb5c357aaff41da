using System.Collections.Frozen;
using System.Collections.Immutable;

namespace McpGateway.Policies.Model;

/// <summary>One validated rule of a bundle.</summary>
public sealed class PolicyRule
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public required PolicyEffect Effect { get; init; }

    /// <summary>The author's explanation, shown with deny and approval decisions.</summary>
    public string? Reason { get; init; }

    /// <summary>Identity names the rule applies to; empty means any.</summary>
    public FrozenSet<string> Identities { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Groups the rule applies to (any of them); empty means any.</summary>
    public FrozenSet<string> Groups { get; init; } = FrozenSet<string>.Empty;

    /// <summary>
    /// Agent applications the rule applies to (the <c>azp</c>/<c>client_id</c> of an identity
    /// provider's token); empty means any. A caller without one (an API key) matches no rule that names some.
    /// </summary>
    public FrozenSet<string> Clients { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Tools the rule applies to; empty means any.</summary>
    public FrozenSet<string> Tools { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Targets (<c>connection</c>) the rule applies to; empty means any.</summary>
    public FrozenSet<string> Connections { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Conditions on call-level facts, all of which must hold.</summary>
    public ImmutableArray<FactCondition> CallConditions { get; init; } = [];

    /// <summary>The element list the rule's element conditions refer to, if any.</summary>
    public string? ElementList { get; init; }

    /// <summary>Conditions on one element's facts, all of which must hold for that element.</summary>
    public ImmutableArray<FactCondition> ElementConditions { get; init; } = [];

    public ImmutableDictionary<string, ObligationValue> Obligations { get; init; } = ImmutableDictionary<string, ObligationValue>.Empty;

    /// <summary>For approval rules: an approver must hold one of these groups.</summary>
    public FrozenSet<string> ApproverGroups { get; init; } = FrozenSet<string>.Empty;

    /// <summary>For approval rules: how many distinct approvers must approve (<c>approvers.count</c>, default 1).</summary>
    public int ApproverCount { get; init; } = 1;

    /// <summary>True when the rule tests the <c>unparsed</c> fact, which lets it apply to unparsed calls.</summary>
    public bool NamesUnparsed { get; init; }

    /// <summary>True when the rule tests the <c>complex</c> fact, which lets it apply to complex calls.</summary>
    public bool NamesComplex { get; init; }

    public SourceLocation Location { get; init; }

    /// <summary>Whether the rule has no fact conditions at all.</summary>
    public bool IsUnconditional => CallConditions.IsEmpty && ElementConditions.IsEmpty;
}
