using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Model;

/// <summary>
/// How path operands written in rules are brought to the form classifiers produce, and the
/// decoded form that fail-closed (case-insensitive) comparisons use.
/// </summary>
internal static class PathText
{
    // Characters servers route literally whether written plainly or percent-encoded: unreserved,
    // sub-delims other than ';', ':' and '@'. ('.' and '/' change a path's structure and are
    // never decoded; ';' starts path parameters.)
    private static readonly SearchValues<char> Decoded = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~!$&'()*+,=:@");

    /// <summary>Whether an escape of byte <paramref name="value"/> is decoded into the normal form of a path.</summary>
    public static bool DecodesInPath(int value) => value is > 0 and < 0x80 && Decoded.Contains((char)value);

    /// <summary>
    /// The normal form of a path written in a rule: non-ASCII characters percent-encoded as UTF-8,
    /// escapes of characters a path holds literally decoded, other escapes in upper-case hex.
    /// Glob characters pass through.
    /// </summary>
    public static string Normalize(string text)
    {
        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                var value = int.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (DecodesInPath(value))
                {
                    output.Append((char)value);
                }
                else
                {
                    output.Append('%').Append(text.AsSpan(i + 1, 2).ToString().ToUpperInvariant());
                }

                i += 2;
            }
            else if (c > 0x7F && !char.IsBetween(c, '\uE000', '\uF8FF'))
            {
                // (Private-use characters pass through: Glob uses them to mark literal '*' and '?'.)
                var width = char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1;
                foreach (var b in Encoding.UTF8.GetBytes(text.Substring(i, width)))
                {
                    output.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }

                i += width - 1;
            }
            else
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }

    /// <summary>The percent-decoded text (invalid or non-UTF-8 escapes are left as they are).</summary>
    public static string Decode(string text) => text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;

    /// <summary>
    /// A path as the most lenient servers route it, for rules that restrict: percent-decoded, and
    /// with spaces and dots at the end of each segment dropped (Windows file systems and the
    /// servers on them treat <c>/admin.</c> and <c>/admin%20</c> as <c>/admin</c>).
    /// </summary>
    public static string Lenient(string text)
    {
        var decoded = Decode(text);
        if (!decoded.Contains(" /", StringComparison.Ordinal) && !decoded.Contains("./", StringComparison.Ordinal) && !decoded.EndsWith(' ') && !decoded.EndsWith('.'))
        {
            return decoded;
        }

        var segments = decoded.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var trimmed = segments[i].TrimEnd(' ', '.');
            segments[i] = trimmed.Length > 0 || segments[i].Length == 0 ? trimmed : segments[i];
        }

        return string.Join('/', segments);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
