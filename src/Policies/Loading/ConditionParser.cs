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

        if (_reader.ScalarOrList(operand, $"The operand of '{opName}' on '{fact.Name}'") is not { } items)
        {
            return null;
        }

        if (op == ConditionOperator.Glob)
        {
            return new FactCondition(fact, op, [], [.. items.Select(i => Glob.Compile(i.Value, path: fact.Matching == FactMatching.Path))], _reader.At(operand));
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
