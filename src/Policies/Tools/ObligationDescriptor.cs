namespace McpGateway.Policies.Tools;

/// <summary>The value shape of an obligation, which also fixes how two values merge.</summary>
public enum ObligationKind
{
    /// <summary>A duration such as <c>30s</c>; the smallest wins.</summary>
    Duration,

    /// <summary>A positive whole number; the smallest wins.</summary>
    Count,

    /// <summary>A size such as <c>64KiB</c>; the smallest wins.</summary>
    Size,

    /// <summary>A masking profile name or list of names; the union applies.</summary>
    Profiles,

    /// <summary>A boolean; true wins.</summary>
    Flag,

    /// <summary>A rate such as <c>60/m</c>; the lowest rate wins.</summary>
    Rate,

    /// <summary>
    /// A boolean that loosens what runs (Kubernetes' <c>forceConflicts</c>): false wins, and it holds
    /// only when every rule contributing to the decision grants it.
    /// </summary>
    Grant,
}

/// <summary>An obligation a tool understands.</summary>
public sealed record ObligationDescriptor(string Name, ObligationKind Kind, string Description);

/// <summary>Obligations every tool understands.</summary>
public static class CommonObligations
{
    public const string Mask = "mask";
    public const string Timeout = "timeout";
    public const string Rate = "rate";
    public const string Concurrency = "concurrency";

    /// <summary>How long a call may take when no rule sets a <c>timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<ObligationDescriptor> All { get; } =
    [
        new(Mask, ObligationKind.Profiles, "Masking profiles applied to the result (the union of every matching rule's profiles)."),
        new(Timeout, ObligationKind.Duration, "Longest time the backend call may take."),
        new(Rate, ObligationKind.Rate, "Most calls per identity and target in a window, for example 60/m."),
        new(Concurrency, ObligationKind.Count, "Most calls in flight per identity and target."),
    ];
}
