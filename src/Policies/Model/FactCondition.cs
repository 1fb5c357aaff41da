using System.Collections.Immutable;
using McpGateway.Policies.Facts;

namespace McpGateway.Policies.Model;

public enum ConditionOperator
{
    Equals,
    In,
    Any,
    All,
    None,
    Glob,
    LessThan,
    GreaterThan,
}

internal static class ConditionOperators
{
    public static IReadOnlyDictionary<string, ConditionOperator> ByName { get; } = new Dictionary<string, ConditionOperator>(StringComparer.Ordinal)
    {
        ["equals"] = ConditionOperator.Equals,
        ["in"] = ConditionOperator.In,
        ["any"] = ConditionOperator.Any,
        ["all"] = ConditionOperator.All,
        ["none"] = ConditionOperator.None,
        ["glob"] = ConditionOperator.Glob,
        ["lessThan"] = ConditionOperator.LessThan,
        ["greaterThan"] = ConditionOperator.GreaterThan,
    };

    public static string ToName(this ConditionOperator op) => ByName.First(p => p.Value == op).Key;
}

/// <summary>
/// One test of one fact. Operands are already typed for the fact: strings, booleans or integers;
/// glob operands are compiled.
/// </summary>
public sealed class FactCondition
{
    public FactCondition(FactDescriptor fact, ConditionOperator op, ImmutableArray<FactValue> operands, ImmutableArray<Glob> globs, SourceLocation location)
    {
        Fact = fact;
        Operator = op;
        Operands = operands;
        Globs = globs;
        Location = location;
    }

    public FactDescriptor Fact { get; }

    public ConditionOperator Operator { get; }

    public ImmutableArray<FactValue> Operands { get; }

    public ImmutableArray<Glob> Globs { get; }

    public SourceLocation Location { get; }

    /// <summary>The condition as a reader would write it, for reasons.</summary>
    public string Describe()
    {
        var operands = Operator == ConditionOperator.Glob
            ? string.Join(", ", Globs.Select(g => g.Pattern))
            : string.Join(", ", Operands.Select(o => o.ToString()));
        return $"{Fact.Name} {Operator.ToName()} [{operands}]";
    }
}
