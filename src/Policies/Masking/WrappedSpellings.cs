using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Finds spellings broken over lines: MIME and PEM Base64 wrapped at 64 or 76 columns (or any other width of at
/// least <see cref="MinimumLine"/>), at any alignment with the secret, alone or inside longer data; hex wrapped as
/// <c>xxd -p</c> or <c>openssl</c> print it; a token folded by a terminal. A line break is CR LF or LF, or the
/// JSON escapes <c>\n</c> and <c>\r\n</c> (a PEM block in a JSON string), followed by up to
/// <see cref="MaximumIndent"/> spaces or tabs (YAML block scalars, LDIF and header continuation lines).
/// </summary>
/// <remarks>
/// A break is joined when at least <see cref="MinimumLine"/> characters of <see cref="Alphabet"/> come right
/// before it and one comes right after it; the characters of such lines, with the joined breaks left out, are
/// searched for every spelling, and one found across a break is redacted with the breaks inside it. A break is
/// joined only when <see cref="BreakProbe"/> does not rule out every spelling across it, so wrapped data without a
/// secret is hardly ever joined. One pass over the text, then one over each stretch of joined lines; all of it
/// linear.
/// </remarks>
internal static class WrappedSpellings
{
    /// <summary>The fewest characters of a line whose break is joined to the next line.</summary>
    public const int MinimumLine = 16;

    /// <summary>The most spaces or tabs left out after a break.</summary>
    public const int MaximumIndent = 32;

    /// <summary>The longest break left out: an escaped CR LF and the indent.</summary>
    public const int MaximumBreak = 4 + MaximumIndent;

    /// <summary>The characters of the spellings that can be broken over lines: Base64 (both alphabets), hex, and <c>:</c>.</summary>
    public static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-:");

    private static readonly SearchValues<char> BreakChars = SearchValues.Create("\n\\");

    /// <summary>The longest stretch of text that a spelling of <paramref name="length"/> characters can take up when broken over lines.</summary>
    public static int LongestSpan(int length) => length == 0 ? 0 : length + ((length / MinimumLine) + 1) * MaximumBreak;

    /// <summary>Adds to <paramref name="found"/> each spelling of <paramref name="spellings"/> in <paramref name="text"/> that is broken over lines.</summary>
    public static void Find(ReadOnlySpan<char> text, HeldSpellings spellings, ref List<Stretch>? found)
    {
        if (spellings.LongestJoinable == 0)
        {
            return;
        }

        DecodedText? joined = null;
        try
        {
            var from = 0;
            while (from < text.Length)
            {
                var at = NextBreak(text, from);
                if (at < 0)
                {
                    break;
                }

                from = at + 1;

                // Most lines end in something else than Base64 or hex: one look before parsing the break.
                var start = at > 0 && text[at] == '\n' && text[at - 1] == '\r' ? at - 1 : at;
                if (start < MinimumLine || !Alphabet.Contains(text[start - 1]))
                {
                    continue;
                }

                var end = BreakEnd(text, start);
                if (end < 0 || !IsJoined(text, start, end, spellings.Breaks))
                {
                    continue;
                }

                joined ??= new DecodedText();
                from = Join(text, start, end, spellings, joined);
                spellings.FindIn(joined, ref found);
            }
        }
        finally
        {
            joined?.Dispose();
        }
    }

    // Where the next '\n' or '\\' at or after `from` is, or -1. IndexOfAny takes longer to set up than a line of
    // wrapped Base64 takes to scan, so this looks at sixteen characters at a time itself.
    private static int NextBreak(ReadOnlySpan<char> text, int from)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            ref var chars = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<char, ushort>(text));
            for (; from <= text.Length - Vector256<ushort>.Count; from += Vector256<ushort>.Count)
            {
                var block = Vector256.LoadUnsafe(ref chars, (nuint)from);
                var breaks = Vector256.Equals(block, Vector256.Create((ushort)'\n')) | Vector256.Equals(block, Vector256.Create((ushort)'\\'));
                if (breaks != Vector256<ushort>.Zero)
                {
                    return from + BitOperations.TrailingZeroCount(Vector256.ExtractMostSignificantBits(breaks));
                }
            }
        }

        var at = text[from..].IndexOfAny(BreakChars);
        return at < 0 ? -1 : from + at;
    }

    // Reads into `joined` the lines around the joined break text[start..end], without the breaks between them;
    // returns where the search for breaks goes on. Lines are joined up to the first break the probe rules out: a
    // spelling that runs across a later break and starts before that one would run across it as well, so none that
    // starts before it is lost, and one that starts after it is found from the later break.
    private static int Join(ReadOnlySpan<char> text, int start, int end, HeldSpellings spellings, DecodedText joined)
    {
        var longest = spellings.LongestJoinable;

        // A spelling found across the first break starts at most `longest` characters before it.
        var before = text[Math.Max(0, start - longest)..start];
        joined.Clear();
        joined.AddRun(text, start - before.Length + before.LastIndexOfAnyExcept(Alphabet) + 1, start);
        var line = end;
        while (true)
        {
            var length = text[line..].IndexOfAnyExcept(Alphabet);
            var lineEnd = length < 0 ? text.Length : line + length;
            if (lineEnd - line > longest)
            {
                // Nothing found across the last break reaches further.
                joined.AddRun(text, line, line + longest);
                return lineEnd;
            }

            joined.AddRun(text, line, lineEnd);
            var next = lineEnd < text.Length ? BreakEnd(text, lineEnd) : -1;
            if (next < 0 || !IsJoined(text, lineEnd, next, spellings.Breaks))
            {
                return lineEnd;
            }

            line = next;
        }
    }

    // Where the line break that starts at `at`, with the indent after it, ends; -1 when none starts there.
    private static int BreakEnd(ReadOnlySpan<char> text, int at)
    {
        var rest = text[at..];
        var length = rest switch
        {
            ['\r', '\n', ..] => 2,
            ['\n', ..] => 1,
            ['\\', 'r', '\\', 'n', ..] => 4,
            ['\\', 'n', ..] => 2,
            _ => 0,
        };
        if (length == 0)
        {
            return -1;
        }

        if (rest.Length == length || rest[length] is not (' ' or '\t'))
        {
            return at + length;
        }

        var indent = rest[length..Math.Min(rest.Length, length + MaximumIndent)];
        var indented = indent.IndexOfAnyExcept(' ', '\t');
        return at + length + (indented < 0 ? indent.Length : indented);
    }

    // The probe comes before the look at the whole line: in wrapped data every line passes that.
    private static bool IsJoined(ReadOnlySpan<char> text, int start, int end, BreakProbe breaks)
        => start >= MinimumLine && end < text.Length && Alphabet.Contains(text[end])
            && breaks.Allows(text, start, end)
            && !text[(start - MinimumLine)..start].ContainsAnyExcept(Alphabet);
}
