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

    /// <summary>A list fact, in order and in full, is one of the given sequences of word patterns.</summary>
    Sequence,
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
        ["sequence"] = ConditionOperator.Sequence,
    };

    public static string ToName(this ConditionOperator op) => ByName.First(p => p.Value == op).Key;
}

/// <summary>
/// One test of one fact. Operands are already typed for the fact: strings, booleans or integers;
/// glob operands are compiled; a <see cref="ConditionOperator.Sequence"/> holds its alternatives,
/// each a pattern per position.
/// </summary>
public sealed class FactCondition
{
    public FactCondition(FactDescriptor fact, ConditionOperator op, ImmutableArray<FactValue> operands, ImmutableArray<Glob> globs, SourceLocation location, ImmutableArray<ImmutableArray<Glob>> sequences = default)
    {
        Fact = fact;
        Operator = op;
        Operands = operands;
        Globs = globs;
        Location = location;
        Sequences = sequences.IsDefault ? [] : sequences;
    }

    public FactDescriptor Fact { get; }

    public ConditionOperator Operator { get; }

    public ImmutableArray<FactValue> Operands { get; }

    public ImmutableArray<Glob> Globs { get; }

    public SourceLocation Location { get; }

    /// <summary>For <see cref="ConditionOperator.Sequence"/>: the lists the fact may be, a pattern per position.</summary>
    public ImmutableArray<ImmutableArray<Glob>> Sequences { get; }

    /// <summary>The condition as a reader would write it, for reasons.</summary>
    public string Describe()
    {
        var operands = Operator switch
        {
            ConditionOperator.Glob => string.Join(", ", Globs.Select(g => g.Pattern)),
            ConditionOperator.Sequence => string.Join(", ", Sequences.Select(s => "[" + string.Join(' ', s.Select(g => g.Pattern)) + "]")),
            _ => string.Join(", ", Operands.Select(o => o.ToString())),
        };
        return $"{Fact.Name} {Operator.ToName()} [{operands}]";
    }
}
