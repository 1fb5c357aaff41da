using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>
/// Makes any payload recordable as canonical JSON (RFC 8785, which needs I-JSON): whatever text
/// an agent or a backend put in it. Lone surrogates in strings and property names become U+FFFD;
/// numbers no IEEE-754 double can hold are kept as their text; names that sanitising makes equal
/// are told apart. Everything else is copied as it is, so what can be recorded faithfully is.
/// </summary>
internal static class RecordableJson
{
    /// <summary>A copy of <paramref name="node"/> that <see cref="CanonicalJson"/> always accepts.</summary>
    public static JsonNode? Sanitize(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => SanitizeObject(obj),
        JsonArray array => new JsonArray([.. array.Select(Sanitize)]),
        JsonValue value => SanitizeValue(value),
        _ => JsonValue.Create(node.ToString()),
    };

    /// <summary>The recordable form of <paramref name="element"/> (for arguments as they came from the client).</summary>
    public static JsonNode? Sanitize(JsonElement element) => SanitizeElement(element);

    /// <summary><paramref name="text"/> with every lone surrogate replaced by U+FFFD.</summary>
    public static string Text(string text)
    {
        // Most text holds no surrogate at all: one vectorised look settles it.
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return text;
        }

        var bad = IndexOfLoneSurrogate(text, 0);
        if (bad < 0)
        {
            return text;
        }

        var result = new StringBuilder(text);
        for (; bad >= 0; bad = IndexOfLoneSurrogate(text, bad + 1))
        {
            result[bad] = '\uFFFD';
        }

        return result.ToString();
    }

    private static JsonObject SanitizeObject(JsonObject obj)
    {
        var result = new JsonObject();
        var repeats = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, child) in Members(obj))
        {
            result[Distinct(result, repeats, Text(name))] = Sanitize(child);
        }

        return result;
    }

    /// <summary>
    /// <paramref name="name"/>, or, when the object already has it (names that sanitising made
    /// equal, or that the input repeated), <c>name\uFFFD2</c>, <c>name\uFFFD3</c>… — counted per
    /// name, so many repeats cost no more than one each.
    /// </summary>
    private static string Distinct(JsonObject obj, Dictionary<string, int> repeats, string name)
    {
        if (!obj.ContainsKey(name))
        {
            return name;
        }

        var n = repeats.GetValueOrDefault(name, 1);
        string key;
        do
        {
            key = $"{name}\uFFFD{++n}";
        }
        while (obj.ContainsKey(key));
        repeats[name] = n;
        return key;
    }

    /// <summary>An object's members; an object parsed lazily from text that repeats a name (or escapes a lone surrogate in one) is read member by member.</summary>
    private static IEnumerable<KeyValuePair<string, JsonNode?>> Members(JsonObject obj)
    {
        try
        {
            return [.. obj];
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return [new("unrecordable", JsonValue.Create("An object here repeats a property name, which canonical JSON cannot hold; the request hash still fingerprints it."))];
        }
    }

    private static JsonNode? SanitizeValue(JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            return SanitizeElement(element);
        }

        if (value.TryGetValue(out string? text))
        {
            return JsonValue.Create(Text(text));
        }

        if (value.TryGetValue(out double real) && !double.IsFinite(real))
        {
            return JsonValue.Create(real.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (value.TryGetValue(out float single) && !float.IsFinite(single))
        {
            return JsonValue.Create(single.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return value.DeepClone();
    }

    private static JsonNode? SanitizeElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                var repeats = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    obj[Distinct(obj, repeats, Text(Unescaped(property)))] = SanitizeElement(property.Value);
                }

                return obj;
            case JsonValueKind.Array:
                return new JsonArray([.. element.EnumerateArray().Select(SanitizeElement)]);
            case JsonValueKind.String:
                return JsonValue.Create(Text(StringOf(element)));
            case JsonValueKind.Number:
                return double.IsFinite(element.GetDouble()) ? JsonValue.Create(element) : JsonValue.Create(element.GetRawText());
            case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null:
                return JsonValue.Create(element);
            default:
                return null;
        }
    }

    // System.Text.Json refuses to unescape a "\ud800"-style lone surrogate; decode the escapes here instead.
    private static string StringOf(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Unescape(element.GetRawText()[1..^1]);
        }
    }

    private static string Unescaped(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            // The property's raw text starts with its quoted name; find the closing quote past any escapes.
            var raw = property.ToString();
            var end = 1;
            while (end < raw.Length && raw[end] != '"')
            {
                end += raw[end] == '\\' ? 2 : 1;
            }

            return Unescape(raw[1..Math.Min(end, raw.Length)]);
        }
    }

    /// <summary>Decodes JSON string escapes leniently, keeping lone surrogates as characters (replaced later).</summary>
    private static string Unescape(string raw)
    {
        var result = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 >= raw.Length)
            {
                result.Append(c);
                continue;
            }

            var next = raw[++i];
            switch (next)
            {
                case 'u' when i + 4 < raw.Length && int.TryParse(raw.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    result.Append((char)code);
                    i += 4;
                    break;
                case 'b': result.Append('\b'); break;
                case 'f': result.Append('\f'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 't': result.Append('\t'); break;
                default: result.Append(next); break;
            }
        }

        return result.ToString();
    }

    private static int IndexOfLoneSurrogate(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return i;
            }

            if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }
}
