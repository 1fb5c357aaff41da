using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Cli;

/// <summary>Converts YAML nodes to JSON, typing plain scalars by the YAML core schema.</summary>
internal static class YamlJson
{
    /// <summary>The JSON form of <paramref name="node"/>; throws <see cref="FormatException"/> (with the line) for what JSON cannot hold.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => Object(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonObject Object(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: var name })
            {
                throw new FormatException($"line {key.Start.Line}, column {key.Start.Column}: a key must be a plain name, not a list or mapping.");
            }

            if (!result.TryAdd(name ?? string.Empty, ToJson(value)))
            {
                throw new FormatException($"line {key.Start.Line}, column {key.Start.Column}: the key '{name}' appears twice.");
            }
        }

        return result;
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && text.Any(char.IsAsciiDigit) => JsonValue.Create(real),
            _ => JsonValue.Create(text),
        };
    }
}
