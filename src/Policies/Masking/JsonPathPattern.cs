using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// A JSON path pattern for path rules, the subset of JSONPath that names places rather than computes them:
/// <c>$</c> the root, <c>.name</c> or <c>['name']</c> a property, <c>.*</c> or <c>[*]</c> any property or item,
/// <c>[2]</c> an item, and <c>..name</c> / <c>..*</c> at any depth below. Property names match exactly.
/// </summary>
internal sealed class JsonPathPattern
{
    private JsonPathPattern(string text, Step[] steps)
    {
        Text = text;
        Steps = steps;
    }

    public string Text { get; }

    internal Step[] Steps { get; }

    /// <summary>Parses <paramref name="text"/>; null with a reason when it is not a path this engine supports.</summary>
    public static JsonPathPattern? TryParse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text) || text[0] != '$')
        {
            error = "a path starts with '$'";
            return null;
        }

        var steps = new List<Step>();
        var p = 1;
        while (p < text.Length && error is null)
        {
            var descendant = false;
            if (text[p] == '.')
            {
                p++;
                if (p < text.Length && text[p] == '.')
                {
                    descendant = true;
                    p++;
                }

                if (p < text.Length && text[p] == '[')
                {
                    if (descendant)
                    {
                        p = ParseBracket(text, p, descendant, steps, out error);
                    }
                    else
                    {
                        error = $"'.[' at offset {p - 1} is not a path step";
                    }

                    continue;
                }

                var end = text.IndexOfAny(['.', '['], p);
                end = end < 0 ? text.Length : end;
                var name = text[p..end];
                if (name.Length == 0 || (name.Contains('*', StringComparison.Ordinal) && name != "*") || name.Contains(']', StringComparison.Ordinal))
                {
                    error = $"'{name}' at offset {p} is not a property name or '*'";
                    break;
                }

                steps.Add(new Step(name == "*" ? StepKind.Any : StepKind.Property, name, -1, descendant));
                p = end;
            }
            else if (text[p] == '[')
            {
                p = ParseBracket(text, p, descendant, steps, out error);
            }
            else
            {
                error = $"unexpected '{text[p]}' at offset {p}";
            }
        }

        return error is null ? new JsonPathPattern(text, [.. steps]) : null;
    }

    public override string ToString() => Text;

    private static int ParseBracket(string text, int p, bool descendant, List<Step> steps, out string? error)
    {
        error = null;
        var close = text.IndexOf(']', p);
        if (close < 0)
        {
            error = $"'[' at offset {p} is not closed";
            return text.Length;
        }

        var inner = text[(p + 1)..close];
        if (inner == "*")
        {
            steps.Add(new Step(StepKind.Any, "*", -1, descendant));
        }
        else if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
        {
            steps.Add(new Step(StepKind.Property, Unquote(inner[1..^1]), -1, descendant));
        }
        else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            steps.Add(new Step(StepKind.Index, inner, index, descendant));
        }
        else
        {
            error = $"'[{inner}]' at offset {p} is not '[*]', an index or a quoted name";
        }

        return close + 1;
    }

    private static string Unquote(string quoted)
    {
        var text = new StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            text.Append(quoted[i] == '\\' && i + 1 < quoted.Length ? quoted[++i] : quoted[i]);
        }

        return text.ToString();
    }

    internal enum StepKind
    {
        Property,
        Index,
        Any,
    }

    /// <summary>One step: a property, an index or any; <see cref="Descendant"/> when it may be taken at any depth.</summary>
    internal sealed record Step(StepKind Kind, string Name, int Index, bool Descendant)
    {
        public bool Matches(string? property, int index) => Kind switch
        {
            StepKind.Any => true,
            StepKind.Property => property is not null && string.Equals(property, Name, StringComparison.Ordinal),
            _ => property is null && index == Index,
        };
    }
}
