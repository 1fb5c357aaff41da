using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace McpGateway.Policies.Masking;

/// <summary>
/// JSON string spellings of a secret (the text between the quotes), in every combination of the choices JSON
/// writers make: <c>"</c> as <c>\"</c> or <c>\u0022</c>; HTML-sensitive characters (<c>&lt;&gt;&amp;'+`</c>)
/// kept or <c>\uXXXX</c>; <c>/</c> kept or <c>\/</c>; non-ASCII text kept, escaped as the relaxed
/// System.Text.Json encoder does (every character it will encode, surrogates always),
/// or all escaped; <c>\b \f \n \r \t</c> or <c>\u00XX</c> for those controls. <c>\</c> is always <c>\\</c>
/// and other controls always <c>\u00XX</c>, as JSON requires. Hex digits are written in upper case: the
/// spellings are matched in any letter case.
/// </summary>
internal static class SecretJsonEncodings
{
    private const string HtmlSensitive = "<>&'+`";

    // Characters that every one of these spellings leaves as they are.
    private static readonly SearchValues<char> AlwaysKept = SearchValues.Create(
        " !#$%()*,-.0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    private enum NonAscii
    {
        Kept,
        AsRelaxedEncoder,
        Escaped,
    }

    /// <summary>Adds the JSON-escaped spellings of <paramref name="secret"/> to <paramref name="spellings"/>.</summary>
    public static void AddTo(HashSet<string> spellings, string secret)
    {
        if (!secret.AsSpan().ContainsAnyExcept(AlwaysKept))
        {
            return;
        }

        // Each bit of the style is one choice; the top two bits choose how non-ASCII text is written.
        for (var style = 0; style < 48; style++)
        {
            spellings.Add(Escape(secret, style));
        }
    }

    private static string Escape(string secret, int style)
    {
        var quoteAsUnicode = (style & 1) != 0;
        var escapeHtml = (style & 2) != 0;
        var escapeSolidus = (style & 4) != 0;
        var shortControls = (style & 8) == 0;
        var nonAscii = (NonAscii)(style >> 4);
        var escaped = new StringBuilder(secret.Length * 2);
        foreach (var c in secret)
        {
            _ = c switch
            {
                '"' when !quoteAsUnicode => escaped.Append("\\\""),
                '\\' => escaped.Append("\\\\"),
                '/' => escaped.Append(escapeSolidus ? "\\/" : "/"),
                '\b' when shortControls => escaped.Append("\\b"),
                '\f' when shortControls => escaped.Append("\\f"),
                '\n' when shortControls => escaped.Append("\\n"),
                '\r' when shortControls => escaped.Append("\\r"),
                '\t' when shortControls => escaped.Append("\\t"),
                _ when c < ' ' || c == '"' || (escapeHtml && HtmlSensitive.Contains(c, StringComparison.Ordinal)) => AppendUnicode(escaped, c),
                _ when c >= '\x7F' && Escapes(nonAscii, c) => AppendUnicode(escaped, c),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    private static StringBuilder AppendUnicode(StringBuilder escaped, char c)
        => escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));

    private static bool Escapes(NonAscii nonAscii, char c) => nonAscii switch
    {
        NonAscii.Kept => false,
        NonAscii.AsRelaxedEncoder => char.IsSurrogate(c) || JavaScriptEncoder.UnsafeRelaxedJsonEscaping.WillEncode(c),
        _ => true,
    };
}
