using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Text;

/// <summary>
/// Text from outside (a peer's Host header, a path, a tool name) made safe for a log line: every
/// character that is not printable — C0 and C1 controls (CR, LF, ESC…), DEL, line and paragraph
/// separators, bidirectional and other format characters, lone surrogates — is written as a
/// <c>\uXXXX</c> escape (and a backslash as <c>\\</c>), so no input can forge a line, colour a
/// terminal or reorder what an operator reads. Long text is cut, on a text element boundary.
/// </summary>
public static class PrintableText
{
    public const int DefaultMaxLength = 200;

    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var cut = TextCut.ToChars(text, maxLength);
        var builder = new StringBuilder(cut.Length + 8);
        for (var i = 0; i < cut.Length; i++)
        {
            var c = cut[i];
            if (char.IsHighSurrogate(c) && i + 1 < cut.Length && char.IsLowSurrogate(cut[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(cut, i);
                if (category is UnicodeCategory.Format or UnicodeCategory.PrivateUse)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}\\u{(int)cut[i + 1]:x4}");
                }
                else
                {
                    builder.Append(c).Append(cut[i + 1]);
                }

                i++;
            }
            else if (c == '\\')
            {
                builder.Append(@"\\");
            }
            else if (IsPrintable(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }

        return cut.Length < text.Length ? builder.Append('…').ToString() : builder.ToString();
    }

    private static bool IsPrintable(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
        _ => true,
    };
}
