using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// Types YAML scalars as JSON values with the YAML 1.2 core schema, the one that agrees with JSON:
/// only <c>true</c>/<c>false</c> (in three spellings) are booleans, so <c>yes</c>, <c>no</c>,
/// <c>on</c>, <c>off</c>, <c>y</c> and <c>n</c> stay strings; <c>0o17</c> is octal and <c>0x1F</c>
/// hexadecimal; quoted and block scalars are always strings. Two forms are refused rather than
/// guessed, because YAML 1.1 readers (kubectl among them) read them differently: integers with a
/// leading zero (<c>0644</c>, octal there, decimal here) and infinities or NaN (no JSON form).
/// </summary>
internal static class YamlScalars
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>
    /// The JSON value of a scalar; null (a JSON null) for the null forms. Throws
    /// <see cref="FormatException"/> with a message naming the problem (never the value) when it
    /// cannot be typed.
    /// </summary>
    public static JsonNode? ToJson(string value, ScalarStyle style, string? tag)
    {
        var plain = style is ScalarStyle.Plain or ScalarStyle.Any;
        switch (tag)
        {
            case null or "" or "?":
                return plain ? Resolve(value) : JsonValue.Create(value);
            case "!" or TagPrefix + "str":
                return JsonValue.Create(value);
            case TagPrefix + "null":
                return IsNull(value) ? null : throw new FormatException("it is tagged !!null but is not a null (~, null or nothing)");
            case TagPrefix + "bool":
                return IsBool(value, out var flag) ? JsonValue.Create(flag) : throw new FormatException("it is tagged !!bool but is not true or false");
            case TagPrefix + "int":
                return Integer(value) ?? throw new FormatException("it is tagged !!int but is not an integer");
            case TagPrefix + "float":
                return Integer(value) ?? Float(value) ?? throw new FormatException("it is tagged !!float but is not a number");
            default:
                throw new FormatException($"its tag '{ShortTag(tag)}' is not accepted; use no tag, or !!str, !!int, !!float, !!bool or !!null");
        }
    }

    /// <summary>A tag as it is usually written: <c>!!binary</c> for <c>tag:yaml.org,2002:binary</c>.</summary>
    public static string ShortTag(string tag) =>
        tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? "!!" + tag[TagPrefix.Length..] : tag;

    /// <summary>A plain scalar typed by the core schema.</summary>
    private static JsonValue? Resolve(string value)
    {
        if (IsNull(value))
        {
            return null;
        }

        if (IsBool(value, out var flag))
        {
            return JsonValue.Create(flag);
        }

        if (value.Length == 0 || !(char.IsAsciiDigit(value[0]) || value[0] is '-' or '+' or '.'))
        {
            return JsonValue.Create(value);
        }

        return Integer(value) ?? Float(value) ?? JsonValue.Create(value);
    }

    private static bool IsNull(string value) => value is "" or "~" or "null" or "Null" or "NULL";

    private static bool IsBool(string value, out bool flag)
    {
        switch (value)
        {
            case "true" or "True" or "TRUE":
                flag = true;
                return true;
            case "false" or "False" or "FALSE":
                flag = false;
                return true;
            default:
                flag = false;
                return false;
        }
    }

    /// <summary>An integer of the core schema (decimal, <c>0o</c> octal, <c>0x</c> hexadecimal), or null.</summary>
    private static JsonValue? Integer(string value)
    {
        if (value.Length > 2 && value[0] == '0' && value[1] is 'o' or 'x')
        {
            var digits = value.AsSpan(2);
            var octal = value[1] == 'o';
            foreach (var c in digits)
            {
                if (octal ? c is < '0' or > '7' : !char.IsAsciiHexDigit(c))
                {
                    return null;
                }
            }

            var number = BigInteger.Zero;
            foreach (var c in digits)
            {
                number = (number * (octal ? 8 : 16)) + (char.IsAsciiDigit(c) ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10));
            }

            return Number(number.ToString(CultureInfo.InvariantCulture));
        }

        var start = value.Length > 0 && value[0] is '-' or '+' ? 1 : 0;
        if (value.Length == start)
        {
            return null;
        }

        for (var i = start; i < value.Length; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return null;
            }
        }

        if (value[start] == '0' && value.Length > start + 1)
        {
            throw new FormatException("it is an integer with a leading zero, which YAML 1.1 (kubectl) reads as octal and YAML 1.2 as decimal; write it without the zero, as 0o… for octal, or quoted for a string");
        }

        var text = value[0] == '+' ? value[1..] : value;
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small)
            ? JsonValue.Create(small)
            : Number(text);
    }

    /// <summary>A float of the core schema in JSON's number form, or null.</summary>
    private static JsonValue? Float(string value)
    {
        var body = value.AsSpan();
        var negative = false;
        if (body.Length > 0 && body[0] is '-' or '+')
        {
            negative = body[0] == '-';
            body = body[1..];
        }

        if (body is ".inf" or ".Inf" or ".INF" || value is ".nan" or ".NaN" or ".NAN")
        {
            throw new FormatException("it is an infinity or NaN, which JSON cannot hold; quote it if a string is meant");
        }

        var mantissa = body;
        var exponent = ReadOnlySpan<char>.Empty;
        var e = body.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            mantissa = body[..e];
            exponent = body[(e + 1)..];
            var expDigits = exponent.Length > 0 && exponent[0] is '-' or '+' ? exponent[1..] : exponent;
            if (expDigits.Length == 0 || !AllDigits(expDigits))
            {
                return null;
            }
        }

        var dot = mantissa.IndexOf('.');
        var whole = dot >= 0 ? mantissa[..dot] : mantissa;
        var fraction = dot >= 0 ? mantissa[(dot + 1)..] : [];
        if ((whole.Length == 0 && fraction.Length == 0) || !AllDigits(whole) || !AllDigits(fraction) || (dot < 0 && e < 0))
        {
            return null;
        }

        var trimmed = whole.TrimStart('0');
        var json = string.Concat(
            negative ? "-" : string.Empty,
            trimmed.Length == 0 ? "0" : trimmed,
            dot >= 0 ? "." + (fraction.Length > 0 ? fraction.ToString() : "0") : string.Empty,
            e >= 0 ? "e" + exponent.ToString() : string.Empty);
        return Number(json);
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A JSON number kept exactly as written (big integers and long fractions are not rounded).</summary>
    private static JsonValue Number(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonValue.Create(document.RootElement.Clone())!;
    }
}
