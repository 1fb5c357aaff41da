using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Binds <c>params</c> as <c>$1…</c>: every value is sent as text of type <c>unknown</c>, so
/// PostgreSQL reads it as the type its place in the statement needs (<c>id = $1</c> an integer,
/// <c>= ANY($1)</c> an array), exactly as it would read a quoted literal there.
/// </summary>
internal static class SqlParameters
{
    public static NpgsqlParameter Bind(JsonElement value) => new()
    {
        NpgsqlDbType = NpgsqlDbType.Unknown,
        Value = Text(value) is { } text ? text : DBNull.Value,
    };

    /// <summary>The value's text form, or null for JSON null.</summary>
    internal static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Array => ArrayLiteral(value),
        _ => throw new ArgumentException($"A {value.ValueKind} cannot be bound.", nameof(value)),
    };

    /// <summary>A PostgreSQL array literal, <c>{"a","b",NULL}</c>, every element quoted and escaped.</summary>
    private static string ArrayLiteral(JsonElement array)
    {
        var text = new StringBuilder("{");
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            if (Text(item) is not { } element)
            {
                text.Append("NULL");
                continue;
            }

            text.Append('"');
            foreach (var c in element)
            {
                if (c is '"' or '\\')
                {
                    text.Append('\\');
                }

                text.Append(c);
            }

            text.Append('"');
        }

        return text.Append('}').ToString();
    }

    /// <summary>A duration as PostgreSQL's milliseconds setting (at least 1: 0 would mean no limit).</summary>
    internal static string Milliseconds(TimeSpan value) =>
        Math.Max(1, (long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
}
