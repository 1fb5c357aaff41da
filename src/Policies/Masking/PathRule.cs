namespace McpGateway.Policies.Masking;

/// <summary>A rule for the JSON values at a path: the whole value there gets the strategy.</summary>
internal sealed record PathRule(JsonPathPattern Path, MaskStrategy Strategy)
{
    /// <summary>How reports name the rule (<c>path:$.data.*</c>).</summary>
    public string Description { get; } = "path:" + Path.Text;
}

/// <summary>
/// Where a walk down a JSON tree stands against every path rule at once: the steps each rule may take next.
/// Linear in the number of rules and steps per node, whatever the tree.
/// </summary>
internal sealed class PathState
{
    private readonly PathRule[] _rules;

    // Pairs (rule, step) as rule * 256 + step.
    private readonly int[] _positions;

    private PathState(PathRule[] rules, int[] positions, MaskStrategy? matched, string? matchedBy)
    {
        _rules = rules;
        _positions = positions;
        Matched = matched;
        MatchedBy = matchedBy;
    }

    /// <summary>The strictest strategy of the rules that match this node, or null.</summary>
    public MaskStrategy? Matched { get; }

    /// <summary>The rule that gave <see cref="Matched"/>.</summary>
    public string? MatchedBy { get; }

    /// <summary>The state at the root, or null when there are no rules.</summary>
    public static PathState? Root(PathRule[] rules)
    {
        if (rules.Length == 0)
        {
            return null;
        }

        var positions = new int[rules.Length];
        for (var r = 0; r < rules.Length; r++)
        {
            positions[r] = r * 256;
        }

        return Create(rules, positions);
    }

    /// <summary>The state at the child named <paramref name="property"/>, or at item <paramref name="index"/>; null when no rule can match below.</summary>
    public PathState? Child(string? property, int index)
    {
        List<int>? next = null;
        foreach (var position in _positions)
        {
            var steps = _rules[position / 256].Path.Steps;
            var s = position % 256;
            if (s == steps.Length)
            {
                continue;
            }

            var step = steps[s];
            if (step.Matches(property, index))
            {
                Add(ref next, position + 1);
            }

            if (step.Descendant)
            {
                Add(ref next, position);
            }
        }

        return next is null ? null : Create(_rules, [.. next]);
    }

    private static void Add(ref List<int>? positions, int position)
    {
        positions ??= [];
        if (!positions.Contains(position))
        {
            positions.Add(position);
        }
    }

    private static PathState Create(PathRule[] rules, int[] positions)
    {
        MaskStrategy? matched = null;
        string? by = null;
        foreach (var position in positions)
        {
            var rule = rules[position / 256];
            if (position % 256 == rule.Path.Steps.Length && (matched is null || rule.Strategy > matched))
            {
                matched = rule.Strategy;
                by = rule.Description;
            }
        }

        return new PathState(rules, positions, matched, by);
    }
}
