using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace McpGateway.Audit;

/// <summary>
/// Writes JSON in the RFC 8785 canonical form (JSON Canonicalization Scheme), so that equal
/// documents give identical bytes and identical hashes whatever their key order or whitespace.
/// </summary>
/// <remarks>
/// <para>
/// Every number is written as the ECMAScript string of the IEEE-754 double nearest to it. Integers
/// beyond 2^53 (9007199254740992) therefore lose precision: a caller that needs an exact large
/// integer (an id, a counter, an amount) must store it as a JSON string.
/// </para>
/// <para>
/// Input that is not I-JSON (RFC 7493) is refused with a <see cref="FormatException"/>: NaN and
/// infinities, strings or property names holding a lone surrogate, and duplicate property names.
/// </para>
/// </remarks>
public static class CanonicalJson
{
    // Characters a canonical string must escape: the C0 controls, quotation mark and reverse solidus.
    private static readonly SearchValues<char> MustEscape = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\");

    private static readonly Comparison<KeyValuePair<string, JsonNode?>> NodeMemberOrder =
        static (a, b) => string.CompareOrdinal(a.Key, b.Key);

    private static readonly Comparison<KeyValuePair<string, JsonElement>> ElementMemberOrder =
        static (a, b) => string.CompareOrdinal(a.Key, b.Key);

    /// <summary>Returns the UTF-8 bytes of the canonical form of <paramref name="node"/>.</summary>
    /// <exception cref="FormatException">The node is not I-JSON (see the class remarks).</exception>
    public static byte[] Serialize(JsonNode? node) => Write(node).WrittenSpan.ToArray();

    /// <summary>Returns the canonical form of <paramref name="node"/> as a string.</summary>
    /// <exception cref="FormatException">The node is not I-JSON (see the class remarks).</exception>
    public static string SerializeToString(JsonNode? node) => Encoding.UTF8.GetString(Write(node).WrittenSpan);

    /// <summary>Returns the UTF-8 bytes of the canonical form of <paramref name="element"/>.</summary>
    /// <exception cref="FormatException">The element is not I-JSON, including duplicate property names.</exception>
    public static byte[] Serialize(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The element holds no JSON value.", nameof(element));
        }

        var output = new ArrayBufferWriter<byte>();
        WriteElement(output, element);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Returns the SHA-256 digest of the canonical form of <paramref name="node"/>.</summary>
    public static byte[] Hash(JsonNode? node) => SHA256.HashData(Write(node).WrittenSpan);

    /// <summary>Returns the SHA-256 digest of the canonical form of <paramref name="node"/> as 64 lower-case hex digits.</summary>
    public static string HashHex(JsonNode? node) => Convert.ToHexStringLower(Hash(node));

    private static ArrayBufferWriter<byte> Write(JsonNode? node)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteNode(output, node);
        return output;
    }

    private static void WriteNode(ArrayBufferWriter<byte> output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                output.Write("null"u8);
                break;
            case JsonObject obj:
                WriteObject(output, obj);
                break;
            case JsonArray array:
                RuntimeHelpers.EnsureSufficientExecutionStack();
                WriteByte(output, (byte)'[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        WriteByte(output, (byte)',');
                    }

                    WriteNode(output, array[i]);
                }

                WriteByte(output, (byte)']');
                break;
            case JsonValue value:
                WriteValue(output, value);
                break;
            default:
                throw new ArgumentException($"Unsupported JSON node type {node.GetType().Name}.", nameof(node));
        }
    }

    private static void WriteObject(ArrayBufferWriter<byte> output, JsonObject obj)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        KeyValuePair<string, JsonNode?>[] members;
        try
        {
            members = [.. obj];
        }
        catch (ArgumentException exception)
        {
            // A JsonObject parsed lazily from text with a repeated name fails when first enumerated.
            throw new FormatException("The object has duplicate property names, which I-JSON does not allow.", exception);
        }
        catch (InvalidOperationException exception)
        {
            // ...and so does one with a name escaping a lone surrogate.
            throw LoneSurrogate(exception);
        }

        Array.Sort(members, NodeMemberOrder);
        WriteByte(output, (byte)'{');
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                WriteByte(output, (byte)',');
            }

            WriteString(output, members[i].Key);
            WriteByte(output, (byte)':');
            WriteNode(output, members[i].Value);
        }

        WriteByte(output, (byte)'}');
    }

    private static void WriteValue(ArrayBufferWriter<byte> output, JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            WriteElement(output, element);
        }
        else if (value.TryGetValue(out string? text))
        {
            WriteString(output, text);
        }
        else if (value.TryGetValue(out bool flag))
        {
            output.Write(flag ? "true"u8 : "false"u8);
        }
        else if (value.TryGetValue(out double real))
        {
            EcmaScriptNumber.Write(output, real);
        }
        else if (value.TryGetValue(out float single))
        {
            // Through its shortest text, as a reader of the serialized node would see it.
            var shortest = float.IsFinite(single)
                ? double.Parse(single.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                : single;
            EcmaScriptNumber.Write(output, shortest);
        }
        else if (value.TryGetValue(out long integer))
        {
            EcmaScriptNumber.Write(output, integer);
        }
        else if (value.TryGetValue(out int small))
        {
            EcmaScriptNumber.Write(output, small);
        }
        else
        {
            // Any other CLR value (decimal, DateTimeOffset, Guid, char, enums...) is taken in the form
            // System.Text.Json writes for it, then canonicalized like parsed JSON.
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                value.WriteTo(writer);
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            WriteElement(output, document.RootElement);
        }
    }

    private static void WriteElement(ArrayBufferWriter<byte> output, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element);
                break;
            case JsonValueKind.Array:
                RuntimeHelpers.EnsureSufficientExecutionStack();
                WriteByte(output, (byte)'[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        WriteByte(output, (byte)',');
                    }

                    first = false;
                    WriteElement(output, item);
                }

                WriteByte(output, (byte)']');
                break;
            case JsonValueKind.String:
                WriteString(output, GetString(element));
                break;
            case JsonValueKind.Number:
                EcmaScriptNumber.Write(output, element.GetDouble());
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new ArgumentException($"Unsupported JSON value kind {element.ValueKind}.", nameof(element));
        }
    }

    private static void WriteObject(ArrayBufferWriter<byte> output, JsonElement element)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var members = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in element.EnumerateObject())
        {
            members.Add(KeyValuePair.Create(GetName(property), property.Value));
        }

        members.Sort(ElementMemberOrder);
        WriteByte(output, (byte)'{');
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(members[i - 1].Key, members[i].Key, StringComparison.Ordinal))
                {
                    throw new FormatException("The object has duplicate property names, which I-JSON does not allow.");
                }

                WriteByte(output, (byte)',');
            }

            WriteString(output, members[i].Key);
            WriteByte(output, (byte)':');
            WriteElement(output, members[i].Value);
        }

        WriteByte(output, (byte)'}');
    }

    // System.Text.Json refuses to unescape "\ud800"-style lone surrogates with InvalidOperationException.
    private static string GetString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw LoneSurrogate(exception);
        }
    }

    private static string GetName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException exception)
        {
            throw LoneSurrogate(exception);
        }
    }

    private static FormatException LoneSurrogate(InvalidOperationException exception) =>
        new("A string or property name holds a lone surrogate, which I-JSON does not allow.", exception);

    private static void WriteString(ArrayBufferWriter<byte> output, string value)
    {
        WriteByte(output, (byte)'"');
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var plain = rest.IndexOfAny(MustEscape);
            var run = plain < 0 ? rest : rest[..plain];
            WriteLiteral(output, run, value.Length - rest.Length);
            if (plain < 0)
            {
                break;
            }

            WriteEscape(output, rest[plain]);
            rest = rest[(plain + 1)..];
        }

        WriteByte(output, (byte)'"');
    }

    private static void WriteLiteral(ArrayBufferWriter<byte> output, ReadOnlySpan<char> run, int offset)
    {
        while (!run.IsEmpty)
        {
            var destination = output.GetSpan(Math.Min(run.Length, 4096) * 3);
            var status = Utf8.FromUtf16(run, destination, out var read, out var written, replaceInvalidSequences: false);
            output.Advance(written);
            if (status == OperationStatus.InvalidData)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"A string holds a lone surrogate U+{(int)run[read]:X4} at index {offset + read}, which I-JSON does not allow."));
            }

            run = run[read..];
            offset += read;
        }
    }

    private static void WriteEscape(ArrayBufferWriter<byte> output, char c)
    {
        var escape = c switch
        {
            '"' => "\\\""u8,
            '\\' => "\\\\"u8,
            '\b' => "\\b"u8,
            '\t' => "\\t"u8,
            '\n' => "\\n"u8,
            '\f' => "\\f"u8,
            '\r' => "\\r"u8,
            _ => default,
        };
        if (!escape.IsEmpty)
        {
            output.Write(escape);
            return;
        }

        var destination = output.GetSpan(6);
        "\\u00"u8.CopyTo(destination);
        destination[4] = (byte)"0123456789abcdef"[c >> 4];
        destination[5] = (byte)"0123456789abcdef"[c & 0xF];
        output.Advance(6);
    }

    internal static void WriteByte(ArrayBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
