using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// Character classes of RFC 3986 (URIs) and RFC 9110 (HTTP tokens), and how to name a
/// character in a message a caller can act on.
/// </summary>
internal static class HttpSyntax
{
    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private const string SubDelims = "!$&'()*+,;=";

    /// <summary>Characters a path may hold literally: unreserved, sub-delims, ':', '@' and '/' (RFC 3986 §3.3).</summary>
    public static readonly SearchValues<char> PathChars = SearchValues.Create(Unreserved + SubDelims + ":@/");

    /// <summary>Characters a query may hold literally: the path characters and '?' (RFC 3986 §3.4).</summary>
    public static readonly SearchValues<char> QueryChars = SearchValues.Create(Unreserved + SubDelims + ":@/?");

    /// <summary>Characters of an RFC 9110 token (method names, header field names).</summary>
    public static readonly SearchValues<char> TokenChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~");

    private static readonly SearchValues<char> UnreservedChars = SearchValues.Create(Unreserved);

    private const string UpperHex = "0123456789ABCDEF";

    public static bool IsUnreserved(char c) => UnreservedChars.Contains(c);

    /// <summary>Whether <paramref name="value"/> is a non-empty RFC 9110 token.</summary>
    public static bool IsToken(string value) => value.Length > 0 && !value.AsSpan().ContainsAnyExcept(TokenChars);

    /// <summary>Reads the byte of a percent-encoded triplet starting at <paramref name="index"/> (the '%').</summary>
    public static bool TryReadTriplet(ReadOnlySpan<char> text, int index, out int value)
    {
        value = 0;
        if (index + 2 >= text.Length)
        {
            return false;
        }

        var high = HexValue(text[index + 1]);
        var low = HexValue(text[index + 2]);
        if (high < 0 || low < 0)
        {
            return false;
        }

        value = (high << 4) | low;
        return true;
    }

    /// <summary>Writes a percent-encoded byte with upper-case hex digits (RFC 3986 §6.2.2.1).</summary>
    public static void WriteTriplet(Span<char> destination, int value)
    {
        destination[0] = '%';
        destination[1] = UpperHex[value >> 4];
        destination[2] = UpperHex[value & 0xF];
    }

    public static string Triplet(int value)
    {
        Span<char> text = stackalloc char[3];
        WriteTriplet(text, value);
        return new string(text);
    }

    /// <summary>The text of a malformed percent-encoding at <paramref name="index"/>, for a message.</summary>
    public static string BadTriplet(ReadOnlySpan<char> text, int index) =>
        text.Slice(index, Math.Min(3, text.Length - index)).ToString();

    /// <summary>
    /// How many UTF-16 units the character at <paramref name="index"/> takes (2 for a surrogate
    /// pair, otherwise 1).
    /// </summary>
    public static int Width(ReadOnlySpan<char> text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    /// <summary>Names the character at <paramref name="index"/>, for example <c>a space</c> or <c>'é' (U+00E9)</c>.</summary>
    public static string Describe(ReadOnlySpan<char> text, int index)
    {
        var c = text[index];
        switch (c)
        {
            case ' ':
                return "a space";
            case '\t':
                return "a tab (U+0009)";
            case '\r':
                return "a carriage return (U+000D)";
            case '\n':
                return "a line feed (U+000A)";
            case '\0':
                return "a NUL character (U+0000)";
            case '\\':
                return "a backslash ('\\')";
        }

        if (c is < ' ' or '\u007f')
        {
            return "the control character " + CodePoint(c);
        }

        if (char.IsAscii(c))
        {
            return "'" + c + "'";
        }

        if (Width(text, index) == 2)
        {
            var rune = new Rune(c, text[index + 1]);
            return "the non-ASCII character '" + rune + "' (" + CodePoint(rune.Value) + ")";
        }

        return char.IsSurrogate(c)
            ? "an unpaired surrogate (" + CodePoint(c) + ")"
            : "the non-ASCII character '" + c + "' (" + CodePoint(c) + ")";
    }

    /// <summary>
    /// The percent-encoded UTF-8 form of the character at <paramref name="index"/>, or null when
    /// it has none (an unpaired surrogate).
    /// </summary>
    public static string? PercentEncode(ReadOnlySpan<char> text, int index)
    {
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out _) != OperationStatus.Done)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[4];
        var count = rune.EncodeToUtf8(bytes);
        var builder = new StringBuilder(count * 3);
        for (var i = 0; i < count; i++)
        {
            builder.Append('%').Append(UpperHex[bytes[i] >> 4]).Append(UpperHex[bytes[i] & 0xF]);
        }

        return builder.ToString();
    }

    /// <summary>Shortens a caller's value for a message, so a huge argument does not flood it.</summary>
    public static string Excerpt(string value, int max = 80)
    {
        return value.Length <= max ? value : Text.TextCut.ToChars(value, max) + "…";
    }

    private static string CodePoint(int value) => "U+" + value.ToString("X4", CultureInfo.InvariantCulture);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
