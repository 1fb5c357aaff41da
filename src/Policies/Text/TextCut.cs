using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Text;

/// <summary>
/// Cuts text to a length without splitting what a reader sees as one character: cuts fall on
/// text element (extended grapheme cluster) boundaries, so no surrogate pair, combining
/// sequence or emoji is cut in half. A single element longer than the whole limit is cut at a
/// Unicode scalar boundary instead, so a cut never yields a lone surrogate.
/// </summary>
public static class TextCut
{
    /// <summary>The longest prefix of <paramref name="text"/> of at most <paramref name="maxChars"/> UTF-16 units.</summary>
    public static string ToChars(string text, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        return text.Length <= maxChars ? text : text[..Boundary(text, maxChars, utf8: false)];
    }

    /// <summary>The longest prefix of <paramref name="text"/> whose UTF-8 form is at most <paramref name="maxBytes"/> bytes.</summary>
    public static string ToUtf8Bytes(string text, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if ((long)text.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        return text[..Boundary(text, maxBytes, utf8: true)];
    }

    /// <summary>The end of the longest prefix whose size (UTF-16 units, or UTF-8 bytes) fits in <paramref name="limit"/>.</summary>
    private static int Boundary(string text, long limit, bool utf8)
    {
        var end = 0;
        long used = 0;
        while (end < text.Length)
        {
            var length = StringInfo.GetNextTextElementLength(text.AsSpan(end));
            var size = utf8 ? Encoding.UTF8.GetByteCount(text.AsSpan(end, length)) : length;
            if (used + size > limit)
            {
                break;
            }

            used += size;
            end += length;
        }

        if (end > 0 || text.Length == 0)
        {
            return end;
        }

        // The first element alone is too long: keep whole scalars of it.
        while (end < text.Length)
        {
            var length = char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]) ? 2 : 1;
            var size = utf8 ? Encoding.UTF8.GetByteCount(text.AsSpan(end, length)) : length;
            if (used + size > limit)
            {
                break;
            }

            used += size;
            end += length;
        }

        return end;
    }
}
