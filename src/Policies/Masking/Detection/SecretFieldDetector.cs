using System.Buffers;

namespace McpGateway.Policies.Masking.Detection;

/// <summary>
/// The value of a secret-named field in text: <c>"password": "…"</c> (also JSON escaped inside a string),
/// <c>password: …</c>, <c>Password=…;</c>, <c>--token=…</c>, <c>&lt;password&gt;…&lt;/password&gt;</c>,
/// <c>Authorization: Bearer …</c>. Found at a secret word; the whole field name decides.
/// </summary>
internal static class SecretFieldDetector
{
    private const int MaxKeyPart = 64;

    private static readonly SearchValues<char> TokenLetters = SearchValues.Create(MaskingToken.Alphabet);
    private static readonly SearchValues<char> LineEnd = SearchValues.Create("\r\n,;}]\"'<");
    private static readonly SearchValues<char> WordEnd = SearchValues.Create(" \t\r\n,;&}])\"'<>\\");

    /// <summary>Looks at the secret word found at <paramref name="hit"/>; returns where scanning resumes.</summary>
    public static int Scan(ReadOnlySpan<char> text, int hit, int wordLength, DetectorSet enabled, List<Finding> findings)
    {
        var keyStart = hit;
        while (keyStart > 0 && hit - keyStart < MaxKeyPart && TextClass.KeyName.Contains(text[keyStart - 1]))
        {
            keyStart--;
        }

        var keyEnd = TextClass.EndOfRun(text, hit + wordLength, TextClass.KeyName);
        var kind = SecretKeyNames.Classify(text[keyStart..keyEnd]);
        var marker = TextClass.At(text, keyEnd) == ']' && SecretKeyNames.MarkerStart(text[Math.Max(0, keyStart - 1)..(keyEnd + 1)]) == 0;
        if (kind == SecretKeyKind.None || marker)
        {
            return keyEnd;
        }

        if (TextClass.At(text, keyStart - 1) == '<' && TextClass.At(text, keyEnd) == '>')
        {
            var close = text[(keyEnd + 1)..].IndexOf('<');
            var valueEnd = close < 0 ? text.Length : keyEnd + 1 + close;
            return Add(text, keyEnd + 1, valueEnd, SecretKeyNames.DetectorFor(kind, equalsSign: false), enabled, findings);
        }

        var p = SkipClosingQuote(text, keyEnd);
        p = SkipBlanks(text, p);
        var separator = TextClass.At(text, p);
        if (separator is not (':' or '=') || TextClass.At(text, p + 1) == separator)
        {
            return keyEnd;
        }

        p = SkipBlanks(text, p + (TextClass.At(text, p + 1) == '>' ? 2 : 1));
        var detector = SecretKeyNames.DetectorFor(kind, separator == '=');
        var directory = text[keyStart..keyEnd] is "PWD" or "OLDPWD";
        return TextClass.At(text, p) switch
        {
            '"' => Quoted(text, p + 1, '"', detector, enabled, findings),
            '\'' => Quoted(text, p + 1, '\'', detector, enabled, findings),
            '\\' when TextClass.At(text, p + 1) == '"' => EscapedQuoted(text, p + 2, detector, enabled, findings),
            '{' or '[' or '\0' => p,
            _ => Bare(text, p, separator, directory, detector, enabled, findings),
        };
    }

    /// <summary>Whether a value is already a mask's output (a marker, a token, a partial), so masking again leaves it.</summary>
    public static bool IsMasked(ReadOnlySpan<char> value)
    {
        if (value.Length >= 3 && value[0] == '[' && value[^1] == ']')
        {
            foreach (var c in value[1..^1])
            {
                if (!char.IsAsciiLetterUpper(c) && c != '_')
                {
                    return false;
                }
            }

            return true;
        }

        return (value.Length == 8 && value.StartsWith("****", StringComparison.Ordinal))
            || (value.Length == MaskingToken.Length && value.StartsWith(MaskingToken.Prefix, StringComparison.Ordinal)
                && !value[MaskingToken.Prefix.Length..].ContainsAnyExcept(TokenLetters));
    }

    private static int SkipClosingQuote(ReadOnlySpan<char> text, int p) => TextClass.At(text, p) switch
    {
        '"' or '\'' => p + 1,
        '\\' when TextClass.At(text, p + 1) == '"' => p + 2,
        _ => p,
    };

    private static int SkipBlanks(ReadOnlySpan<char> text, int p)
    {
        var limit = p + 16;
        while (p < text.Length && p < limit && text[p] is ' ' or '\t')
        {
            p++;
        }

        return p;
    }

    private static int Quoted(ReadOnlySpan<char> text, int start, char quote, MaskDetector detector, DetectorSet enabled, List<Finding> findings)
    {
        var p = start;
        while (p < text.Length)
        {
            var at = quote == '"' ? text[p..].IndexOfAny('"', '\\') : text[p..].IndexOfAny('\'', '\\');
            if (at < 0)
            {
                p = text.Length;
                break;
            }

            p += at;
            if (text[p] == quote)
            {
                break;
            }

            p += 2;
        }

        p = Math.Min(p, text.Length);
        Add(text, start, p, detector, enabled, findings);
        return Math.Min(p + 1, text.Length);
    }

    // A JSON document inside a string: "{\"password\":\"value\"}".
    private static int EscapedQuoted(ReadOnlySpan<char> text, int start, MaskDetector detector, DetectorSet enabled, List<Finding> findings)
    {
        var close = text[start..].IndexOf("\\\"", StringComparison.Ordinal);
        var end = close < 0 ? text.Length : start + close;
        Add(text, start, end, detector, enabled, findings);
        return end;
    }

    private static int Bare(ReadOnlySpan<char> text, int start, char separator, bool directory, MaskDetector detector, DetectorSet enabled, List<Finding> findings)
    {
        var rest = text[start..];
        int length;
        if (separator == ':')
        {
            // "key: value" runs to the end of the line (YAML, headers, log fields), or to a flow delimiter.
            length = rest.IndexOfAny(LineEnd);
            length = length < 0 ? rest.Length : length;
            length = rest[..length].TrimEnd(" \t").Length;
        }
        else
        {
            length = rest.IndexOfAny(WordEnd);
            length = length < 0 ? rest.Length : length;
        }

        var value = rest[..length];
        if (value.Length == 0 || value is "null" or "true" or "false" or "None" or "undefined" || (directory && value[0] == '/'))
        {
            return start + length;
        }

        return Add(text, start, start + length, detector, enabled, findings);
    }

    private static int Add(ReadOnlySpan<char> text, int start, int end, MaskDetector detector, DetectorSet enabled, List<Finding> findings)
    {
        // A password or AWS key in a profile that selects only secret fields is still a secret field.
        if (!enabled.Has(detector))
        {
            detector = MaskDetector.SecretField;
        }

        if (end > start && enabled.Has(detector) && !IsMasked(text[start..end]))
        {
            findings.Add(new Finding(start, end - start, detector));
        }

        return end;
    }
}
