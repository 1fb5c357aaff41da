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
    private const int MaxJsonDepth = 64;

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

        foreach (Match part in MultipartName.Matches(body))
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

        foreach (var name in JsonNames(body))
        {
            yield return name;
        }
    }

    private static List<string> JsonNames(string body)
    {
        var trimmed = body.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return [];
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
            return [];
        }
    }

    /// <summary>A raw name as servers read it: percent-decoded (and with '+' as a space in forms), and its base before '['.</summary>
    private static IEnumerable<string> Readings(string raw, bool plusIsSpace)
    {
        var decoded = raw.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(raw) : raw;
        yield return decoded;
        if (plusIsSpace && decoded.Contains('+', StringComparison.Ordinal))
        {
            yield return decoded.Replace('+', ' ');
        }

        var bracket = decoded.IndexOf('[', StringComparison.Ordinal);
        if (bracket > 0)
        {
            yield return decoded[..bracket];
        }
    }
}
