using System.Collections.Immutable;
using McpGateway.Policies.Masking.Detection;

namespace McpGateway.Policies.Masking;

/// <summary>
/// A compiled masking profile: a strategy per selected detector, column rules for tables and path rules for
/// JSON. Held-secret redaction and Kubernetes Secret values are masked whatever the profile. Immutable and
/// safe to share; build configured ones with <see cref="MaskingCatalog"/>.
/// </summary>
public sealed class MaskingProfile
{
    /// <summary>The name of the built-in profile that applies when none is named: every detector, redacted.</summary>
    public const string DefaultName = "default";

    /// <summary>The name of the built-in profile that masks held secrets only.</summary>
    public const string SecretsName = "secrets";

    private readonly MaskStrategy?[] _detectors;

    internal MaskingProfile(string name, MaskStrategy?[] detectors, ImmutableArray<ColumnRule> columnRules, ImmutableArray<PathRule> pathRules)
    {
        Name = name;
        _detectors = detectors;
        ColumnRules = columnRules;
        PathRules = [.. pathRules];
        var enabled = DetectorSet.Empty;
        for (var d = 0; d < detectors.Length; d++)
        {
            if (detectors[d] is not null)
            {
                enabled = enabled.With((MaskDetector)d);
            }
        }

        Scanner = new ValueScanner(enabled);
        UsesTokens = detectors.Contains(MaskStrategy.Token)
            || columnRules.Any(rule => rule.Strategy == MaskStrategy.Token)
            || pathRules.Any(rule => rule.Strategy == MaskStrategy.Token);
    }

    /// <summary>Every detector, redacted; no column or path rule.</summary>
    public static MaskingProfile Default { get; } = new(DefaultName, [.. MaskDetectors.All.Select(_ => (MaskStrategy?)MaskStrategy.Redact)], [], []);

    /// <summary>Held secrets (and Kubernetes Secret values) only.</summary>
    public static MaskingProfile Secrets { get; } = new(SecretsName, new MaskStrategy?[MaskDetectors.Count], [], []);

    /// <summary>The profile's name; a union's is its members' joined with <c>+</c>.</summary>
    public string Name { get; }

    /// <summary>Whether any part of the profile produces deterministic tokens, so needs the token key.</summary>
    public bool UsesTokens { get; }

    /// <summary>The detectors the profile selects.</summary>
    public IEnumerable<MaskDetector> Detectors => MaskDetectors.All.Where(detector => _detectors[(int)detector] is not null);

    internal ImmutableArray<ColumnRule> ColumnRules { get; }

    internal PathRule[] PathRules { get; }

    internal ValueScanner Scanner { get; }

    /// <summary>The strategy for values of <paramref name="detector"/>, or null when the profile does not select it.</summary>
    public MaskStrategy? StrategyFor(MaskDetector detector) => _detectors[(int)detector];

    /// <summary>
    /// The union of <paramref name="profiles"/>: every detector any of them selects, each with the strictest
    /// strategy given to it, and every column and path rule of each (where several rules reach one value, the
    /// strictest wins). The union of one profile is that profile.
    /// </summary>
    public static MaskingProfile Union(IEnumerable<MaskingProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var members = profiles.DistinctBy(profile => profile.Name, StringComparer.Ordinal).OrderBy(profile => profile.Name, StringComparer.Ordinal).ToArray();
        if (members.Length == 1)
        {
            return members[0];
        }

        if (members.Length == 0)
        {
            return Default;
        }

        var detectors = new MaskStrategy?[MaskDetectors.Count];
        foreach (var profile in members)
        {
            for (var d = 0; d < detectors.Length; d++)
            {
                if (profile._detectors[d] is { } strategy)
                {
                    detectors[d] = detectors[d] is { } other ? MaskStrategies.Strictest(strategy, other) : strategy;
                }
            }
        }

        return new MaskingProfile(
            string.Join('+', members.Select(profile => profile.Name)),
            detectors,
            [.. members.SelectMany(profile => profile.ColumnRules)],
            [.. members.SelectMany(profile => profile.PathRules)]);
    }

    /// <summary>
    /// What each column of a table gets from the column rules: the strictest strategy of the rules that match it
    /// by name or base column, and, for a column without a known base column, of every rule whose column the
    /// statement referenced (<paramref name="referenced"/>). Null for a column no rule reaches; its values
    /// still go through the detectors.
    /// </summary>
    public IReadOnlyList<MaskStrategy?> PlanColumns(IReadOnlyList<MaskingColumn> columns, ReferencedColumns? referenced = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return [.. Plan(columns, referenced ?? ReferencedColumns.Unknown).Columns.Select(column => column.Strategy)];
    }

    internal ColumnPlan Plan(IReadOnlyList<MaskingColumn> columns, ReferencedColumns referenced)
    {
        ColumnTreatment? unknown = null;
        foreach (var rule in ColumnRules)
        {
            if (rule.IsReferenced(referenced) && (unknown is null || rule.Strategy > unknown.Value.Strategy))
            {
                unknown = new ColumnTreatment(rule.Strategy, rule.Description);
            }
        }

        var plan = new ColumnTreatment?[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var column = columns[c];
            var treatment = column.Source is null ? unknown : null;
            foreach (var rule in ColumnRules)
            {
                if (rule.Matches(column) && (treatment is null || rule.Strategy > treatment.Value.Strategy))
                {
                    treatment = new ColumnTreatment(rule.Strategy, rule.Description);
                }
            }

            plan[c] = treatment;
        }

        return new ColumnPlan(plan, unknown);
    }

    public override string ToString() => Name;
}

/// <summary>What one column gets from the column rules: a strategy and the rule that gave it.</summary>
internal readonly record struct ColumnTreatment(MaskStrategy Strategy, string Rule);

/// <summary>The treatment of each column, and of cells beyond the known columns (which have no known base column).</summary>
internal sealed record ColumnPlan(ColumnTreatment?[] Treatments, ColumnTreatment? Unknown)
{
    public IEnumerable<(MaskStrategy? Strategy, string? Rule)> Columns => Treatments.Select(t => (t?.Strategy, t?.Rule));
}
