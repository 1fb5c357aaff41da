using McpGateway.Policies.Model;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>Reads typed values out of YAML nodes, collecting errors with their locations.</summary>
internal sealed class YamlReader
{
    private readonly string _file;

    public YamlReader(string file, List<PolicyError> errors)
    {
        _file = file;
        Errors = errors;
    }

    public List<PolicyError> Errors { get; }

    public SourceLocation At(YamlNode node) => new(_file, (int)node.Start.Line, (int)node.Start.Column);

    public void Error(YamlNode node, string message) => Errors.Add(new PolicyError(At(node), message));

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" or "~" or "null" } => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "an alias",
    };

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    public YamlMappingNode? Mapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(node, $"{what} must be a mapping of keys to values, not {Describe(node)}.");
        return null;
    }

    public string? Scalar(YamlNode node, string what)
    {
        if (node is YamlScalarNode scalar && !IsNull(node))
        {
            return scalar.Value ?? string.Empty;
        }

        Error(node, $"{what} must be a single value, not {Describe(node)}.");
        return null;
    }

    /// <summary>A single scalar or a list of scalars.</summary>
    public List<(string Value, YamlNode Node)>? ScalarOrList(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            var values = new List<(string, YamlNode)>();
            foreach (var item in sequence.Children)
            {
                if (Scalar(item, $"Each item of {what}") is { } value)
                {
                    values.Add((value, item));
                }
            }

            if (sequence.Children.Count == 0)
            {
                Error(node, $"{what} is an empty list; remove the key or give at least one value.");
            }

            return values;
        }

        return Scalar(node, what) is { } single ? [(single, node)] : null;
    }

    /// <summary>Keys of a mapping as strings, reporting non-scalar keys and those not in <paramref name="allowed"/>.</summary>
    public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping, string what, IReadOnlyCollection<string>? allowed)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(keyNode, $"Keys of {what} must be plain names.");
                continue;
            }

            if (allowed is not null && !allowed.Contains(key))
            {
                Error(keyNode, $"Unknown key '{key}' in {what}; expected one of: {string.Join(", ", allowed)}.");
                continue;
            }

            yield return (key, keyNode, value);
        }
    }
}
