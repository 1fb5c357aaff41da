namespace McpGateway.Policies.Masking;

/// <summary>
/// A cheap look at a line break before <see cref="WrappedSpellings"/> joins it: whether some spelling that can be
/// broken over lines may run across it. Around a break inside a spelling, the two characters before it and the two
/// after it are four consecutive characters of the spelling; after its first character or before its last, three
/// (and the fourth is anything). So a set of those characters, taken from every position of every such spelling,
/// never rejects a break that a spelling runs across, and on other text (wrapped Base64 without a secret, log
/// lines) rejects nearly every break.
/// </summary>
/// <remarks>
/// The set is a bit per hash of the four characters, letters folded to lower case (hex spellings match in any
/// case; folding Base64 as well only lets a few more breaks through): 32 KiB, looked at up to three times a break,
/// and only after a smaller set of the two characters right either side of it (2 KiB) lets the break through.
/// </remarks>
internal sealed class BreakProbe
{
    private const int HashBits = 18;

    // Stands for the character before a spelling or after it, which can be anything.
    private const int Any = 0x7F;

    private readonly ulong[] _bits = new ulong[(1 << HashBits) / 64];

    // The two characters either side of each break, without hashing: most breaks are ruled out by these alone.
    private readonly ulong[] _pairs = new ulong[128 * 128 / 64];

    /// <summary>A probe for breaks inside <paramref name="spellings"/>, which hold only <see cref="WrappedSpellings.Alphabet"/>.</summary>
    public BreakProbe(IEnumerable<string> spellings)
    {
        foreach (var spelling in spellings)
        {
            // A break before spelling[i].
            for (var i = 1; i < spelling.Length; i++)
            {
                var before = i >= 2 ? Fold(spelling[i - 2]) : Any;
                var after = i + 1 < spelling.Length ? Fold(spelling[i + 1]) : Any;
                Set(_bits, Key(before, Fold(spelling[i - 1]), Fold(spelling[i]), after));
                Set(_pairs, Pair(Fold(spelling[i - 1]), Fold(spelling[i])));
            }
        }
    }

    /// <summary>
    /// Whether a spelling may run across the break <c>text[start..end]</c> (the break and the indent after it), which
    /// has at least two characters before it and one after it.
    /// </summary>
    public bool Allows(ReadOnlySpan<char> text, int start, int end)
    {
        var second = Fold(text[start - 1]);
        var third = Fold(text[end]);
        if (!IsSet(_pairs, Pair(second, third)))
        {
            return false;
        }

        var first = Fold(text[start - 2]);
        var fourth = end + 1 < text.Length ? Fold(text[end + 1]) : Any;
        return IsSet(_bits, Key(first, second, third, fourth))
            || IsSet(_bits, Key(Any, second, third, fourth))
            || IsSet(_bits, Key(first, second, third, Any));
    }

    // ASCII letters in lower case; anything else kept to seven bits (two characters that share them only cost a look).
    private static int Fold(char c) => char.IsAsciiLetterUpper(c) ? c | 0x20 : c & 0x7F;

    private static int Key(int first, int second, int third, int fourth)
        => (int)(((uint)((first << 21) | (second << 14) | (third << 7) | fourth) * 0x9E3779B1u) >> (32 - HashBits));

    private static int Pair(int first, int second) => (first << 7) | second;

    private static void Set(ulong[] bits, int key) => bits[key >> 6] |= 1UL << key;

    private static bool IsSet(ulong[] bits, int key) => (bits[key >> 6] & (1UL << key)) != 0;
}
