using System.Text;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// Names as facts show them. The parser has already folded unquoted identifiers to lower case
/// and kept quoted ones as written; a part is shown bare when it is a plain lower-case
/// identifier and double-quoted otherwise (<c>public."Orders"</c>), so two different objects
/// never share a fact value and a dot inside a quoted name cannot pass for a schema.
/// </summary>
internal static class SqlNames
{
    public const string Catalog = "pg_catalog";

    /// <summary>One identifier as a fact part.</summary>
    public static string Part(string identifier) =>
        IsPlain(identifier) ? identifier : "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Qualified name parts (<c>[schema, name]</c>) joined as a fact value.</summary>
    public static string Join(IReadOnlyList<string> parts)
    {
        if (parts.Count == 1)
        {
            return Part(parts[0]);
        }

        var builder = new StringBuilder();
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('.');
            }

            builder.Append(Part(parts[i]));
        }

        return builder.ToString();
    }

    /// <summary>The strings of a name list such as <c>funcname</c>: <c>[{"String": {"sval": "x"}}, …]</c>.</summary>
    public static List<string>? Strings(JsonElement list)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var parts = new List<string>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.Has("String", out var text))
            {
                parts.Add(text.Has("sval", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty);
            }
            else if (item.ValueKind == JsonValueKind.Object && item.Has("A_Star", out _))
            {
                parts.Add("*");
            }
            else
            {
                return null;
            }
        }

        return parts;
    }

    /// <summary>A function or operator name with a leading <c>pg_catalog</c> dropped.</summary>
    public static IReadOnlyList<string> WithoutCatalog(List<string> parts) =>
        parts.Count > 1 && parts[0] == Catalog ? parts.GetRange(1, parts.Count - 1) : parts;

    private static bool IsPlain(string identifier)
    {
        if (identifier.Length == 0 || !(identifier[0] is (>= 'a' and <= 'z') or '_'))
        {
            return false;
        }

        foreach (var c in identifier)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '$'))
            {
                return false;
            }
        }

        return true;
    }
}
