using System.Collections.Immutable;
using System.Globalization;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>Parses a rule's <c>facts</c> mapping into typed, validated conditions.</summary>
internal sealed class ConditionParser
{
    private readonly YamlReader _reader;

    public ConditionParser(YamlReader reader)
    {
        _reader = reader;
    }

    public void Parse(YamlNode node, IReadOnlyList<ToolDescriptor> tools, Scope scope, string? rule)
    {
        if (_reader.Mapping(node, "'facts'") is not { } mapping)
        {
            return;
        }

        foreach (var (name, keyNode, value) in _reader.Entries(mapping, "'facts'", null))
        {
            if (Resolve(name, keyNode, tools, scope) is not { } fact)
            {
                continue;
            }

            if (fact.ElementList is { } list)
            {
                if (scope.ElementList is { } other && other != list)
                {
                    _reader.Error(keyNode, $"Rule '{rule}' tests elements of both '{other}' and '{list}'; one rule can test the elements of one list only. Split it into two rules.");
                    continue;
                }

                scope.ElementList = list;
            }

            scope.FactTools = [.. (scope.FactTools ?? tools).Where(t => t.FindFact(name) is not null)];
            scope.NamesUnparsed |= name == CommonFacts.Unparsed;
            scope.NamesComplex |= name == CommonFacts.Complex;
            var target = fact.ElementList is null ? scope.CallConditions : scope.ElementConditions;
            ParseConditions(fact, value, target);
        }
    }

    private FactDescriptor? Resolve(string name, YamlNode at, IReadOnlyList<ToolDescriptor> tools, Scope scope)
    {
        var found = tools.Select(t => (Tool: t, Fact: t.FindFact(name))).ToList();
        var missing = found.Where(f => f.Fact is null).Select(f => f.Tool.Name).ToList();
        var fact = found.Select(f => f.Fact).FirstOrDefault(f => f is not null);
        if (fact is null)
        {
            var known = tools.SelectMany(t => t.Facts.Keys.Concat(t.ElementLists.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            _reader.Error(at, $"Unknown fact '{name}' for {(scope.Tools.Count == 0 ? "any tool" : "tool " + string.Join(", ", scope.Tools))}; known facts: {string.Join(", ", known)}.");
            return null;
        }

        if (scope.Tools.Count > 0 && missing.Count > 0)
        {
            _reader.Error(at, $"Fact '{name}' is not produced by tool {string.Join(", ", missing)}; name only tools that produce it under 'tool', or split the rule.");
            return null;
        }

        return fact;
    }

    private void ParseConditions(FactDescriptor fact, YamlNode value, List<FactCondition> into)
    {
        var isList = fact.Type == FactType.TextList;
        switch (value)
        {
            case YamlMappingNode operators:
                foreach (var (opName, opNode, operand) in _reader.Entries(operators, $"the conditions on '{fact.Name}'", null))
                {
                    if (!ConditionOperators.ByName.TryGetValue(opName, out var op))
                    {
                        _reader.Error(opNode, $"Unknown operator '{opName}' on '{fact.Name}'; use one of: {string.Join(", ", ConditionOperators.ByName.Keys)}.");
                        continue;
                    }

                    if (Build(fact, op, operand) is { } condition)
                    {
                        into.Add(condition);
                    }
                }

                if (operators.Children.Count == 0)
                {
                    _reader.Error(value, $"The conditions on '{fact.Name}' are empty; give a value or an operator such as 'in: [...]'.");
                }

                break;
            case YamlSequenceNode:
                // A list written in a 'when' means any-of.
                if (Build(fact, isList ? ConditionOperator.Any : ConditionOperator.In, value) is { } anyOf)
                {
                    into.Add(anyOf);
                }

                break;
            default:
                if (Build(fact, isList ? ConditionOperator.Any : ConditionOperator.Equals, value) is { } equals)
                {
                    into.Add(equals);
                }

                break;
        }
    }

    private FactCondition? Build(FactDescriptor fact, ConditionOperator op, YamlNode operand)
    {
        var opName = op.ToName();
        var applicable = (op, fact.Type) switch
        {
            (ConditionOperator.All, not FactType.TextList) => $"'all' applies to list facts; '{fact.Name}' holds one value, so use 'equals' or 'in'.",
            (ConditionOperator.Sequence, not FactType.TextList) => $"'sequence' applies to list facts; '{fact.Name}' is {Describe(fact.Type)}, so use 'glob' or 'in'.",
            (ConditionOperator.Glob, FactType.Flag or FactType.Number) => $"'glob' applies to text facts; '{fact.Name}' is {Describe(fact.Type)}.",
            (ConditionOperator.LessThan or ConditionOperator.GreaterThan, not FactType.Number) => $"'{opName}' applies to number facts; '{fact.Name}' is {Describe(fact.Type)}.",
            _ => null,
        };
        if (applicable is not null)
        {
            _reader.Error(operand, applicable);
            return null;
        }

        var singleOnly = op is ConditionOperator.LessThan or ConditionOperator.GreaterThan
            || (op == ConditionOperator.Equals && fact.Type != FactType.TextList);
        if (singleOnly && operand is YamlSequenceNode)
        {
            _reader.Error(operand, $"'{opName}' on '{fact.Name}' takes one value; for any of several values use 'in: [...]'.");
            return null;
        }

        if (op == ConditionOperator.Sequence)
        {
            return Sequences(fact, operand);
        }

        if (_reader.ScalarOrList(operand, $"The operand of '{opName}' on '{fact.Name}'") is not { } items)
        {
            return null;
        }

        if (op == ConditionOperator.Glob)
        {
            return items.All(i => CheckPattern(fact, i.Value, i.Node))
                ? new FactCondition(fact, op, [], [.. items.Select(i => Compile(fact, i.Value))], _reader.At(operand))
                : null;
        }

        var operands = ImmutableArray.CreateBuilder<FactValue>(items.Count);
        foreach (var (text, at) in items)
        {
            if (Typed(fact, text) is { } typed)
            {
                operands.Add(typed);
            }
            else
            {
                _reader.Error(at, $"'{text}' is not a valid value for '{fact.Name}', which is {Describe(fact.Type)}.");
            }
        }

        return operands.Count == items.Count
            ? new FactCondition(fact, op, operands.MoveToImmutable(), [], _reader.At(operand))
            : null;
    }

    /// <summary>
    /// <c>sequence: [[aux], [-p, '&lt;number&gt;'], []]</c>: a list of alternatives, each a list of
    /// word patterns, one per position (an empty list: the fact is an empty list).
    /// </summary>
    private FactCondition? Sequences(FactDescriptor fact, YamlNode operand)
    {
        const string Example = "sequence: [[aux], [-p, '<number>']]";
        if (operand is not YamlSequenceNode { Children.Count: > 0 } alternatives)
        {
            _reader.Error(operand, $"The operand of 'sequence' on '{fact.Name}' must be a list of lists, one per allowed {fact.Name} in order, such as {Example}; not {YamlReader.Describe(operand)}.");
            return null;
        }

        var ok = true;
        var sequences = ImmutableArray.CreateBuilder<ImmutableArray<Glob>>(alternatives.Children.Count);
        foreach (var alternative in alternatives.Children)
        {
            if (alternative is not YamlSequenceNode positions)
            {
                _reader.Error(alternative, $"Each alternative of 'sequence' on '{fact.Name}' is a list of patterns, one per position, such as {Example}; not {YamlReader.Describe(alternative)}.");
                ok = false;
                continue;
            }

            var globs = ImmutableArray.CreateBuilder<Glob>(positions.Children.Count);
            foreach (var position in positions.Children)
            {
                if (_reader.Scalar(position, $"Each position of a 'sequence' on '{fact.Name}'") is { } pattern && CheckPattern(fact, pattern, position))
                {
                    globs.Add(Compile(fact, pattern));
                }
                else
                {
                    ok = false;
                }
            }

            sequences.Add(globs.ToImmutable());
        }

        return ok ? new FactCondition(fact, ConditionOperator.Sequence, [], [], _reader.At(operand), sequences.MoveToImmutable()) : null;
    }

    private static Glob Compile(FactDescriptor fact, string pattern) => Glob.Compile(pattern, path: fact.Matching == FactMatching.Path);

    /// <summary>Refuses word classes on path facts and what looks like a class but is not one.</summary>
    private bool CheckPattern(FactDescriptor fact, string pattern, YamlNode at)
    {
        if (fact.Matching == FactMatching.Path && Glob.Classes.Any(c => pattern.Contains(c, StringComparison.Ordinal)))
        {
            _reader.Error(at, $"'{pattern}': word classes ({string.Join(", ", Glob.Classes)}) do not apply to '{fact.Name}', which is a path; use '*' for one segment.");
            return false;
        }

        if (Glob.LookalikeClasses(pattern).FirstOrDefault() is { } unknown)
        {
            _reader.Error(at, $"'{pattern}': '{unknown}' is not a word class; the classes are {string.Join(" (one or more ASCII digits) and ", Glob.Classes)} (a letter or '_', then letters, digits, '_', '.', '-').");
            return false;
        }

        return true;
    }

    private static FactValue? Typed(FactDescriptor fact, string text) => fact.Type switch
    {
        FactType.Flag => text switch
        {
            "true" => FactValue.True,
            "false" => FactValue.False,
            _ => null,
        },
        FactType.Number => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? FactValue.Of(number) : null,
        _ => FactValue.Of(fact.Matching == FactMatching.Path ? PathText.Normalize(text) : text),
    };

    private static string Describe(FactType type) => type switch
    {
        FactType.Flag => "true or false",
        FactType.Number => "a whole number",
        FactType.TextList => "a list of text values",
        _ => "a text value",
    };
}
