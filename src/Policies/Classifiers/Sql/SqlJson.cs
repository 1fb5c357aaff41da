using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>Reads the parse tree without assuming its shape: a lookup on anything but an object finds nothing.</summary>
internal static class SqlJson
{
    public static bool Has(this JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return element.TryGetProperty(name, out value);
        }

        value = default;
        return false;
    }

    public static bool Has(this JsonElement element, string name) => element.Has(name, out _);
}
