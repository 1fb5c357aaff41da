using McpGateway.Policies.Facts;
using McpGateway.Policies.Model;

namespace McpGateway.Policies.Evaluation;

/// <summary>
/// Tests conditions against fact values. A missing fact makes a condition false.
/// For <see cref="FactMatching.Path"/> facts the comparison fails closed: in rules that restrict
/// (deny, approval) positive tests ignore letter case and a trailing slash and 'none' compares
/// exactly; in allow rules the reverse, so neither kind of rule can be slipped past by
/// re-spelling a path.
/// </summary>
internal static class ConditionEvaluator
{
    public static bool Holds(FactCondition condition, FactValue? value, bool restrictive)
    {
        if (value is null)
        {
            return false;
        }

        var positive = condition.Operator != ConditionOperator.None;
        var lenient = condition.Fact.Matching != FactMatching.Exact && (restrictive == positive);
        if (lenient && condition.Fact.Matching == FactMatching.Path)
        {
            // Paths as servers may route them: percent-decoded, and also with trailing spaces and
            // dots of each segment dropped. A positive test holds if either reading matches; a
            // 'none' holds only if neither does, so no reading slips past the rule.
            var decoded = HoldsFor(condition, Decoded(value, PathText.Decode), lenient, restrictive);
            var trimmed = HoldsFor(condition, Decoded(value, PathText.Lenient), lenient, restrictive);
            return positive ? decoded || trimmed : decoded && trimmed;
        }

        return HoldsFor(condition, value, lenient, restrictive);
    }

    private static bool HoldsFor(FactCondition condition, FactValue value, bool lenient, bool restrictive) =>
        value.Type == FactType.TextList
            ? HoldsForList(condition, value, lenient, restrictive)
            : HoldsForScalar(condition, value, lenient);

    private static bool HoldsForScalar(FactCondition condition, FactValue value, bool lenient)
    {
        switch (condition.Operator)
        {
            case ConditionOperator.Equals:
            case ConditionOperator.In:
            case ConditionOperator.Any:
                return Contains(condition, value, lenient);
            case ConditionOperator.None:
                return !Contains(condition, value, lenient);
            case ConditionOperator.Glob:
                return MatchesGlob(condition, value.Text!, lenient);
            case ConditionOperator.LessThan:
                return value.Number < condition.Operands[0].Number;
            case ConditionOperator.GreaterThan:
                return value.Number > condition.Operands[0].Number;
            default:
                return false;
        }
    }

    private static bool HoldsForList(FactCondition condition, FactValue value, bool lenient, bool restrictive)
    {
        var items = value.Items;
        switch (condition.Operator)
        {
            case ConditionOperator.Equals:
                return items.All(i => ContainsText(condition, i, lenient))
                    && condition.Operands.All(o => items.Any(i => TextEquals(condition, i, o.Text!, lenient)));
            case ConditionOperator.In:
                return items.All(i => ContainsText(condition, i, lenient));
            case ConditionOperator.Any:
                return items.Any(i => ContainsText(condition, i, lenient));
            case ConditionOperator.All:
                return condition.Operands.All(o => items.Any(i => TextEquals(condition, i, o.Text!, lenient)));
            case ConditionOperator.None:
                return !items.Any(i => ContainsText(condition, i, lenient));
            case ConditionOperator.Glob:
                // Fail closed both ways: a rule that restricts applies when any item matches; an
                // allow holds only when every item does ("cat only under /var/log" must not pass
                // "cat /var/log/x /etc/shadow").
                return restrictive
                    ? items.Any(i => MatchesGlob(condition, i, lenient))
                    : items.All(i => MatchesGlob(condition, i, lenient));
            case ConditionOperator.Sequence:
                // The whole list, in order: as many items as the alternative has patterns, each
                // matching the pattern at its position ("-p 1" is not "-p 1 e" nor "1 -p").
                return condition.Sequences.Any(sequence => sequence.Length == items.Length
                    && Enumerable.Range(0, items.Length).All(at => MatchesPattern(condition, sequence[at], items[at], lenient)));
            default:
                return false;
        }
    }

    private static bool Contains(FactCondition condition, FactValue value, bool lenient) =>
        value.Type == FactType.Text
            ? ContainsText(condition, value.Text!, lenient)
            : condition.Operands.Any(o => o.Equals(value));

    private static bool ContainsText(FactCondition condition, string text, bool lenient)
    {
        foreach (var operand in condition.Operands)
        {
            if (TextEquals(condition, text, operand.Text!, lenient))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TextEquals(FactCondition condition, string value, string operand, bool lenient) =>
        !lenient ? string.Equals(value, operand, StringComparison.Ordinal)
        : condition.Fact.Matching == FactMatching.Path ? string.Equals(TrimSlash(value), TrimSlash(PathText.Decode(operand)), StringComparison.OrdinalIgnoreCase)
        : string.Equals(value, operand, StringComparison.OrdinalIgnoreCase);

    /// <summary>Path values as servers route them, read by <paramref name="reading"/>.</summary>
    private static FactValue Decoded(FactValue value, Func<string, string> reading) => value.Type switch
    {
        FactType.Text => FactValue.Of(reading(value.Text!)),
        FactType.TextList => FactValue.Of(value.Items.Select(reading)),
        _ => value,
    };

    private static bool MatchesGlob(FactCondition condition, string text, bool lenient)
    {
        // An allow's glob never matches a relative path: '../etc/x' is not under '/var/log'.
        if (!lenient && condition.Fact.Matching == FactMatching.Path && !text.StartsWith('/'))
        {
            return false;
        }

        foreach (var glob in condition.Globs)
        {
            if (MatchesPattern(condition, glob, text, lenient))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesPattern(FactCondition condition, Glob glob, string text, bool lenient)
    {
        if (!lenient && condition.Fact.Matching == FactMatching.Path && !text.StartsWith('/'))
        {
            return false;
        }

        if (glob.IsMatch(text, lenient))
        {
            return true;
        }

        if (lenient && condition.Fact.Matching == FactMatching.Path)
        {
            var alternate = text.Length > 1 && text.EndsWith('/') ? text[..^1] : text + "/";
            return glob.IsMatch(alternate, ignoreCase: true);
        }

        return false;
    }

    private static string TrimSlash(string text) => text.Length > 1 && text.EndsWith('/') ? text[..^1] : text;
}
