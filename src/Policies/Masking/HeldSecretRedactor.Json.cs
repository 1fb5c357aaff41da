using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Policies.Masking;

public sealed partial class HeldSecretRedactor
{
    /// <summary>
    /// Returns a deep copy of <paramref name="node"/> in which every string value and every property name is
    /// redacted as by <see cref="Redact(string)"/>. A number or other value whose JSON text holds a secret (a
    /// numeric PIN) becomes the string <see cref="Placeholder"/>. When redaction makes two property names of one
    /// object equal, the later ones get a suffix (<c>[REDACTED]#2</c>) so that no value is lost.
    /// </summary>
    public JsonNode? Redact(JsonNode? node) => node switch
    {
        null => null,
        JsonObject properties => RedactObject(properties),
        JsonArray items => RedactArray(items),
        JsonValue value => RedactValue(value),
        _ => throw new ArgumentException($"Unknown JSON node type '{node.GetType().Name}'.", nameof(node)),
    };

    private JsonArray RedactArray(JsonArray items)
    {
        var copy = new JsonArray(items.Options);
        foreach (var item in items)
        {
            copy.Add(Redact(item));
        }

        return copy;
    }

    private JsonObject RedactObject(JsonObject properties)
    {
        var copy = new JsonObject(properties.Options);
        foreach (var (name, value) in properties)
        {
            var redacted = Redact(name);
            var unique = redacted;
            for (var n = 2; copy.ContainsKey(unique); n++)
            {
                unique = string.Create(CultureInfo.InvariantCulture, $"{redacted}#{n}");
            }

            copy.Add(unique, Redact(value));
        }

        return copy;
    }

    private JsonValue RedactValue(JsonValue value)
    {
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.TryGetValue<string>(out var held) ? held : StringOf(value);
            var redacted = Redact(text);
            return ReferenceEquals(redacted, text) ? (JsonValue)value.DeepClone() : JsonValue.Create(redacted);
        }

        return ContainsSecret(value.ToJsonString()) ? JsonValue.Create(Placeholder) : (JsonValue)value.DeepClone();
    }

    // A string value held as something else (a Guid, a date, a JsonElement): its text as JSON reads it.
    internal static string StringOf(JsonValue value)
    {
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.GetString() ?? string.Empty;
    }
}
