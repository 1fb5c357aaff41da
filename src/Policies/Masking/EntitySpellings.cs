namespace McpGateway.Policies.Masking;

/// <summary>
/// Finds spellings written with HTML or XML character references, alone or mixed with plain characters as
/// encoders write them: decimal <c>&amp;#115;</c> and hex <c>&amp;#x73;</c> (<c>x</c> and the digits in any case,
/// with or without leading zeros, a reference at most <see cref="MaximumReferenceLength"/> characters long), and
/// the named <c>&amp;amp; &amp;lt; &amp;gt; &amp;quot; &amp;apos;</c> (in any case). A character outside the
/// Basic Multilingual Plane may be one reference or two, one per surrogate; <c>&amp;#0;</c> is read as U+0000. Every spelling is looked for in the
/// decoded text, so a JSON-escaped, percent-encoded or hex spelling that was then HTML-escaped is found too, and
/// so is Base64 wrapped with <c>&amp;#13;</c> before its line feeds (an XML writer's CR).
/// </summary>
/// <remarks>
/// A reference costs one look at each <c>&amp;</c>; the text around references (as far as the longest spelling
/// reaches from each) is decoded once and searched once.
/// </remarks>
internal static class EntitySpellings
{
    /// <summary>The longest character reference read: <c>&amp;#x10FFFF;</c> or <c>&amp;#1114111;</c>.</summary>
    public const int MaximumReferenceLength = 10;

    /// <summary>
    /// Adds to <paramref name="found"/> each spelling of <paramref name="spellings"/> in <paramref name="text"/>
    /// that holds a character reference. <paramref name="reach"/> is the most decoded characters a match can have.
    /// </summary>
    public static void Find(ReadOnlySpan<char> text, HeldSpellings spellings, int reach, ref List<Stretch>? found)
    {
        DecodedText? decoded = null;
        try
        {
            var from = 0;
            while (from < text.Length)
            {
                var at = text[from..].IndexOf('&');
                if (at < 0)
                {
                    break;
                }

                at += from;
                if (ReferenceAt(text[at..], out _) == 0)
                {
                    from = at + 1;
                    continue;
                }

                decoded ??= new DecodedText();
                from = Decode(text, at, reach, decoded);
                spellings.FindIn(decoded, ref found);
                FindWrapped(decoded, spellings, ref found);
            }
        }
        finally
        {
            decoded?.Dispose();
        }
    }

    /// <summary>
    /// The length of the character reference at the start of <paramref name="text"/>, and the code point (or lone
    /// surrogate) it stands for; 0 when no reference starts there.
    /// </summary>
    public static int ReferenceAt(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        return text switch
        {
            ['&', '#', 'x' or 'X', ..] => Numeric(text, 3, 16, out value),
            ['&', '#', ..] => Numeric(text, 2, 10, out value),
            ['&', 'a' or 'A', 'm' or 'M', 'p' or 'P', ';', ..] => Named('&', 5, out value),
            ['&', 'l' or 'L', 't' or 'T', ';', ..] => Named('<', 4, out value),
            ['&', 'g' or 'G', 't' or 'T', ';', ..] => Named('>', 4, out value),
            ['&', 'q' or 'Q', 'u' or 'U', 'o' or 'O', 't' or 'T', ';', ..] => Named('"', 6, out value),
            ['&', 'a' or 'A', 'p' or 'P', 'o' or 'O', 's' or 'S', ';', ..] => Named('\'', 6, out value),
            _ => 0,
        };
    }

    // Decodes the text around the reference at `first`, as far as a match can reach from any reference in it;
    // returns where the search for references goes on.
    private static int Decode(ReadOnlySpan<char> text, int first, int reach, DecodedText decoded)
    {
        decoded.Clear();
        var at = Math.Max(0, first - reach);
        var afterReference = 0;
        while (at < text.Length)
        {
            var value = 0;
            var length = text[at] == '&' ? ReferenceAt(text[at..], out value) : 0;
            if (length > 0)
            {
                if (value <= 0xFFFF)
                {
                    decoded.Add((char)value, at, at + length);
                }
                else
                {
                    decoded.Add((char)(0xD800 + ((value - 0x10000) >> 10)), at, at + length);
                    decoded.Add((char)(0xDC00 + ((value - 0x10000) & 0x3FF)), at, at + length);
                }

                at += length;
                afterReference = decoded.Length;
                continue;
            }

            if (at >= first && decoded.Length - afterReference >= reach)
            {
                break;
            }

            decoded.Add(text[at], at, at + 1);
            at++;
        }

        return at;
    }

    // Base64 or hex broken over lines whose breaks or characters are references (&#13;&#10;, &#x2B;).
    private static void FindWrapped(DecodedText decoded, HeldSpellings spellings, ref List<Stretch>? found)
    {
        List<Stretch>? wrapped = null;
        WrappedSpellings.Find(decoded.Chars, spellings, ref wrapped);
        foreach (var stretch in wrapped ?? [])
        {
            (found ??= []).Add(decoded.Source(stretch.Start, stretch.End));
        }
    }

    private static int Named(char c, int length, out int value)
    {
        value = c;
        return length;
    }

    private static int Numeric(ReadOnlySpan<char> text, int digits, int radix, out int value)
    {
        value = 0;
        var at = digits;
        for (; at < Math.Min(text.Length, MaximumReferenceLength - 1); at++)
        {
            var digit = DigitValue(text[at]);
            if (digit < 0 || digit >= radix)
            {
                break;
            }

            value = (value * radix) + digit;
        }

        return at == digits || at >= text.Length || text[at] != ';' || value > 0x10FFFF ? 0 : at + 1;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
