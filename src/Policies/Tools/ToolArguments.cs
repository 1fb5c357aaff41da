using System.Text.Json;
using McpGateway.Policies.Classifiers.Http;

namespace McpGateway.Policies.Tools;

/// <summary>
/// Reads a tool call's arguments the same way for every tool: the arguments must be an object;
/// a name the tool does not accept, a name given twice, or a name with an invalid escape is
/// refused; required arguments must be there, of the right type and not empty. Every problem is
/// a refusal (code <c>arguments</c>) naming the field and the fix, and all are reported at once.
/// </summary>
internal sealed class ToolArguments
{
    /// <summary>The refusal code of argument problems (<c>builtin:arguments</c>).</summary>
    public const string RefusalCode = Refusal.ArgumentsCode;

    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    private readonly List<Refusal> _refusals;
    private readonly string _tool;

    private ToolArguments(string tool, List<Refusal> refusals)
    {
        _tool = tool;
        _refusals = refusals;
    }

    /// <summary>
    /// Reads <paramref name="arguments"/> for <paramref name="tool"/>; null (with a refusal) when
    /// they are not an object. <paramref name="example"/> is shown in that refusal.
    /// </summary>
    public static ToolArguments? Read(string tool, JsonElement arguments, IReadOnlyCollection<string> accepted, string example, List<Refusal> refusals)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            refusals.Add(new Refusal(RefusalCode, $"The arguments must be a JSON object like {example}, not {JsonText.KindOf(arguments)}."));
            return null;
        }

        var reader = new ToolArguments(tool, refusals);
        var list = string.Join(", ", accepted.Take(accepted.Count - 1)) + (accepted.Count > 1 ? " and " : string.Empty) + accepted.Last();
        foreach (var property in arguments.EnumerateObject())
        {
            if (!JsonText.TryGetName(property, out var name))
            {
                refusals.Add(new Refusal(RefusalCode, $"An argument name has an invalid \\u escape (an unpaired surrogate): {tool} takes only {list}."));
            }
            else if (!accepted.Contains(name))
            {
                refusals.Add(new Refusal(RefusalCode, $"Argument '{JsonText.Display(name)}' is not accepted: {tool} takes only {list}. Remove it."));
            }
            else if (!reader._values.TryAdd(name, property.Value))
            {
                refusals.Add(new Refusal(RefusalCode, $"Argument '{name}' is given more than once: give it once."));
            }
        }

        return reader;
    }

    /// <summary>The argument as given, or null when it is missing.</summary>
    public JsonElement? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// A required, non-empty string; null (with a refusal ending in <paramref name="help"/>) when
    /// it is missing, null, not a string, has an invalid escape or is empty.
    /// </summary>
    public string? RequiredString(string name, string help) => RequiredString(name, () => help);

    /// <summary>As <see cref="RequiredString(string, string)"/>, building the help only when it is needed.</summary>
    public string? RequiredString(string name, Func<string> help)
    {
        string problem;
        if (this[name] is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            problem = "is required: ";
        }
        else if (value.ValueKind != JsonValueKind.String)
        {
            problem = $"must be a string, not {JsonText.KindOf(value)}: ";
        }
        else if (!JsonText.TryGetString(value, out var text))
        {
            problem = "has an invalid \\u escape (an unpaired surrogate): remove it, and ";
        }
        else if (text.Length == 0)
        {
            problem = "is required and may not be empty: ";
        }
        else
        {
            return text;
        }

        _refusals.Add(new Refusal(RefusalCode, $"Argument '{name}' {problem}{help()}."));
        return null;
    }

    /// <summary>The tool these arguments are for.</summary>
    public override string ToString() => _tool;
}
