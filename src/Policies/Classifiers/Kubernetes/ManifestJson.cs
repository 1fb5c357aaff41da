using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies.Classifiers.Http;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>Reads manifest JSON nodes without throwing, and writes field paths for messages.</summary>
internal static class ManifestJson
{
    public static JsonNode? Get(JsonNode? parent, string key) =>
        parent is JsonObject obj && obj.TryGetPropertyValue(key, out var value) ? value : null;

    public static JsonObject? Object(JsonNode? parent, string key) => Get(parent, key) as JsonObject;

    public static JsonArray? Array(JsonNode? parent, string key) => Get(parent, key) as JsonArray;

    /// <summary>The string at <paramref name="key"/>, or null when it is absent or not a string.</summary>
    public static string? String(JsonNode? parent, string key) => AsString(Get(parent, key));

    public static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The objects of a list, skipping anything else.</summary>
    public static IEnumerable<JsonObject> Objects(JsonArray? array) =>
        array is null ? [] : array.OfType<JsonObject>();

    /// <summary>The strings of a list; other items as their JSON text, so that nothing is silently left out.</summary>
    public static IEnumerable<string> Strings(JsonArray? array) =>
        array is null ? [] : array.Select(item => AsString(item) ?? item?.ToJsonString() ?? "null");

    /// <summary>Absent or JSON null: the API server reads both as unset.</summary>
    public static bool IsUnset(JsonNode? node) => node is null;

    public static bool IsTrue(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    public static bool IsFalse(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.False;

    /// <summary>A number equal to zero, however written (<c>0</c>, <c>-0</c>, <c>0.0</c>).</summary>
    public static bool IsZero(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && double.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
        && number == 0;

    /// <summary>Appends <c>.key</c>, or <c>["key"]</c> for keys that are not plain names.</summary>
    public static void AppendSegment(StringBuilder path, string key)
    {
        var plain = key.Length > 0 && key.Length <= 64 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        if (plain)
        {
            if (path.Length > 0)
            {
                path.Append('.');
            }

            path.Append(key);
        }
        else
        {
            path.Append("[\"").Append(JsonText.Display(key).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"]");
        }
    }
}
