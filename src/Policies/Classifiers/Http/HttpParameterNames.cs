using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// The parameter names a backend may read from a query or a body, decoded the ways common server
/// frameworks decode them, so a rule (or a built-in refusal) that names a parameter sees it
/// however it was spelled: pairs split on '&amp;' and on ';', names percent-decoded (and '+' as a
/// space in forms), and for array and map syntax (<c>debug[]</c>, <c>debug[x]</c>) the base name
/// too.
/// </summary>
internal static class HttpParameterNames
{
    // Characters that give a name another reading: escapes, '+', brackets, and what PHP rewrites.
    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create("%+[]. \0");

    // As deep as the most lenient common JSON reader (PHP's json_decode) goes.
    private const int MaxJsonDepth = 512;

    // Linear time whatever the body (no backtracking): a multipart part's name parameter.
    private static readonly Regex MultipartName = new(
        """content-disposition\s*:[^\r\n]*?;\s*name(?<extended>\*)?\s*=\s*(?:"(?<value>(?:[^"\\\r\n]|\\.)*)"|(?<value>[^;\s\r\n]+))""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>The names in a query or an <c>application/x-www-form-urlencoded</c> text, each once, in order.</summary>
    /// <param name="plusIsSpace">Whether '+' decodes to a space (forms), besides being kept (queries keep both readings).</param>
    public static IEnumerable<string> OfPairs(string text, bool plusIsSpace)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(['&', ';']))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var raw = equals >= 0 ? pair[..equals] : pair;
            if (raw.Length == 0)
            {
                continue;
            }

            foreach (var name in Readings(raw, plusIsSpace))
            {
                if (seen.Add(name))
                {
                    yield return name;
                }
            }
        }
    }

    /// <summary>
    /// Every name a backend might take from <paramref name="body"/>, whatever content type it
    /// claims: as a form, as the parts of a multipart body, and as a JSON object's top-level names.
    /// </summary>
    public static IEnumerable<string> OfBody(string body)
    {
        foreach (var name in OfPairs(body, plusIsSpace: true))
        {
            yield return name;
        }

        var parts = body.Contains("content-disposition", StringComparison.OrdinalIgnoreCase) ? MultipartName.Matches(body) : null;
        foreach (Match part in parts ?? (IEnumerable<Match>)[])
        {
            var value = part.Groups["value"].Value;
            if (part.Groups["extended"].Success)
            {
                // RFC 8187: charset'language'percent-encoded-value
                var quote = value.LastIndexOf('\'');
                value = quote >= 0 ? value[(quote + 1)..] : value;
            }

            foreach (var name in Readings(value, plusIsSpace: false))
            {
                yield return name;
            }
        }

        foreach (var name in JsonNames(body) ?? [])
        {
            yield return name;
        }
    }

    /// <summary>Whether <paramref name="body"/> is a JSON object every name of which <see cref="OfBody"/> lists exactly.</summary>
    public static bool IsJsonObject(string body) => JsonNames(body) is not null;

    private static List<string>? JsonNames(string body)
    {
        body = body.TrimStart('\uFEFF');
        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxJsonDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var names = new List<string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                names.Add(JsonText.TryGetName(property, out var name) ? name : property.ToString());
            }

            return names;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A raw name as servers read it: percent-decoded (and with '+' as a space in forms), its base
    /// before '[', and as PHP reads each of those (cut at NUL, leading spaces dropped, '.', ' ' and
    /// an unmatched '[' read as '_').
    /// </summary>
    private static IEnumerable<string> Readings(string raw, bool plusIsSpace)
    {
        // Most names are plain: every reading is the name itself.
        if (raw.AsSpan().IndexOfAny(Special) < 0)
        {
            return [raw];
        }

        var decoded = raw.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(raw) : raw;
        var readings = new List<string> { decoded };
        if (plusIsSpace && decoded.Contains('+', StringComparison.Ordinal))
        {
            readings.Add(decoded.Replace('+', ' '));
        }

        foreach (var reading in readings.ToList())
        {
            var bracket = reading.IndexOf('[', StringComparison.Ordinal);
            if (bracket > 0)
            {
                readings.Add(reading[..bracket]);
            }

            readings.Add(AsPhpReadsIt(reading));
        }

        return readings.Distinct(StringComparer.Ordinal);
    }

    private static string AsPhpReadsIt(string name)
    {
        var nul = name.IndexOf('\0', StringComparison.Ordinal);
        var cut = (nul >= 0 ? name[..nul] : name).TrimStart(' ');
        var closed = cut.IndexOf(']', StringComparison.Ordinal) > cut.IndexOf('[', StringComparison.Ordinal) && cut.Contains('[', StringComparison.Ordinal);
        var bracket = closed ? cut.IndexOf('[', StringComparison.Ordinal) : cut.Length;
        var head = cut[..bracket].Replace('.', '_').Replace(' ', '_');
        return closed ? head + cut[bracket..] : head.Replace('[', '_');
    }

    /// <summary>
    /// Whether <paramref name="text"/>, decoded as a server might (percent escapes, JSON <c>\u</c>
    /// escapes, backslashes dropped), holds a parameter name that servers read as
    /// <paramref name="name"/> (which starts with '_'): the name, or spelled with '.' or '[' for
    /// its first character as PHP reads them, where a name can start — at the start of the text
    /// or after '&amp;', ';', a quote, '{', ',' or a line break, leading spaces (or '+') allowed —
    /// and not followed by more name characters. A coarse, fail-closed check for bodies no
    /// parser of ours may read the same way as the backend.
    /// </summary>
    public static bool Mentions(string text, string name)
    {
        // Without an escape, the name can only appear as written.
        if (text.AsSpan().IndexOfAny('%', '\\') < 0 && !text.Contains(name.AsSpan(1), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var decoded = Decode(text);
        var rest = name[1..];
        for (var at = decoded.IndexOf(rest, StringComparison.OrdinalIgnoreCase); at >= 0; at = decoded.IndexOf(rest, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var start = at - 1;
            var end = at + rest.Length;
            if (start < 0 || decoded[start] is not ('_' or '.' or '[') || (end < decoded.Length && IsNameChar(decoded[end])))
            {
                continue;
            }

            var before = start - 1;
            while (before >= 0 && decoded[before] is ' ' or '+')
            {
                before--;
            }

            if (before < 0 || decoded[before] is '&' or ';' or '"' or '\'' or '{' or ',' or '\n' or '\r' or '\0')
            {
                return true;
            }
        }

        return false;

        static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    }

    private static string Decode(string text)
    {
        var decoded = text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;
        if (!decoded.Contains('\\', StringComparison.Ordinal))
        {
            return decoded;
        }

        var result = new System.Text.StringBuilder(decoded.Length);
        for (var i = 0; i < decoded.Length; i++)
        {
            if (decoded[i] != '\\')
            {
                result.Append(decoded[i]);
            }
            else if (i + 5 < decoded.Length && decoded[i + 1] is 'u' or 'U' && int.TryParse(decoded.AsSpan(i + 2, 4), System.Globalization.NumberStyles.HexNumber, null, out var code))
            {
                result.Append((char)code);
                i += 5;
            }
        }

        return result.ToString();
    }
}
