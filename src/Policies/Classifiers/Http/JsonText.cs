using System.Globalization;
using System.Text;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>Reads JSON strings without throwing, and shows caller text safely inside a message.</summary>
internal static class JsonText
{
    /// <summary>Reads a string value; false when it holds an unpaired surrogate escape, which .NET cannot read.</summary>
    public static bool TryGetString(JsonElement element, out string value)
    {
        try
        {
            value = element.GetString() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = string.Empty;
            return false;
        }
    }

    /// <summary>Reads a property name; false when it holds an unpaired surrogate escape.</summary>
    public static bool TryGetName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = string.Empty;
            return false;
        }
    }

    /// <summary>Names a JSON value's kind for a message, for example <c>a number</c>.</summary>
    public static string KindOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>
    /// Caller text as it can appear in a message: shortened, with control characters written as
    /// <c>\uXXXX</c> so a line break cannot split the message.
    /// </summary>
    public static string Display(string text)
    {
        var excerpt = HttpSyntax.Excerpt(text);
        if (!excerpt.AsSpan().ContainsAnyInRange('\0', '\u001f') && !excerpt.Contains('\u007f', StringComparison.Ordinal))
        {
            return excerpt;
        }

        var builder = new StringBuilder(excerpt.Length + 16);
        foreach (var c in excerpt)
        {
            if (c is < ' ' or '\u007f')
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
