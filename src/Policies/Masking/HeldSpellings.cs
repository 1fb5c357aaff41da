using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Every literal spelling of every held secret (<see cref="SecretVariants"/>), searched in three passes: those
/// matched in any letter case, apart from those that start like hex, then these, then Base64, matched exactly. In
/// each, one <see cref="SearchValues{T}"/> finds
/// where the start of some spelling (its first <see cref="SearchedLength"/> characters) is, then the spellings
/// that begin with the same two characters (in any case) are compared there, longest first.
/// </summary>
/// <remarks>
/// Both are for speed; <see cref="SearchValues{T}"/> has a vectorised (Teddy) search that slows down steeply as it
/// is given more strings. Many spellings of one secret share their start (the value in every case, its
/// percent-encodings and JSON escapes; a Base64 run and the same run with its last character and padding), so
/// there are far fewer distinct starts than spellings; and spellings that look alike searched together, apart from
/// the rest, turn up far fewer false starts (on 1 MiB of logs, three searches take less time than one).
/// </remarks>
internal sealed class HeldSpellings
{
    /// <summary>How many characters of each spelling are searched for; the rest is compared where they are found.</summary>
    public const int SearchedLength = 8;

    // The spellings in any letter case that do not start like hex, those that do, and the exact ones.
    private readonly Family[] _families;

    private HeldSpellings(HashSet<string> anyCase, HashSet<string> exact)
    {
        var exactOnly = exact.Where(text => !anyCase.Contains(text)).ToArray();
        var numeric = anyCase.Where(StartsLikeHex).ToArray();
        _families =
        [
            new Family([.. anyCase.Where(text => !StartsLikeHex(text))], StringComparison.OrdinalIgnoreCase),
            new Family(numeric, StringComparison.OrdinalIgnoreCase),
            new Family(exactOnly, StringComparison.Ordinal),
        ];
        var all = anyCase.Concat(exactOnly).ToArray();
        LongestLiteral = all.Max(text => text.Length);
        var joinable = all.Where(text => !text.AsSpan().ContainsAnyExcept(WrappedSpellings.Alphabet)).ToArray();
        LongestJoinable = joinable.Select(text => text.Length).DefaultIfEmpty(0).Max();
        Breaks = new BreakProbe(joinable);
    }

    /// <summary>The length of the longest spelling.</summary>
    public int LongestLiteral { get; }

    /// <summary>The length of the longest spelling that can be broken over lines (see <see cref="WrappedSpellings"/>), or 0.</summary>
    public int LongestJoinable { get; }

    /// <summary>Says which line breaks a spelling that can be broken over lines may run across.</summary>
    public BreakProbe Breaks { get; }

    /// <summary>The spellings of <paramref name="secrets"/>, or null when there are none.</summary>
    public static HeldSpellings? Of(IEnumerable<string> secrets)
    {
        var anyCase = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var exact = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            SecretVariants.AddTo(anyCase, exact, secret);
        }

        return anyCase.Count == 0 ? null : new HeldSpellings(anyCase, exact);
    }

    /// <summary>
    /// Adds to <paramref name="found"/> the stretch of each spelling in <paramref name="text"/>: the longest one
    /// of each kind at each position where one starts.
    /// </summary>
    public void Find(ReadOnlySpan<char> text, ref List<Stretch>? found)
    {
        foreach (var family in _families)
        {
            for (var at = family.Next(text, 0, out var length); at >= 0; at = family.Next(text, at + 1, out length))
            {
                (found ??= []).Add(new Stretch(at, at + length));
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="found"/> the stretch of the original text of each spelling found in
    /// <paramref name="view"/> that was not read from the original as it is (a spelling that was is found there).
    /// </summary>
    public void FindIn(DecodedText view, ref List<Stretch>? found)
    {
        var chars = view.Chars;
        foreach (var family in _families)
        {
            for (var at = family.Next(chars, 0, out var length); at >= 0; at = family.Next(chars, at + 1, out length))
            {
                var source = view.Source(at, at + length);
                if (source.End - source.Start != length)
                {
                    (found ??= []).Add(source);
                }
            }
        }
    }

    // Hex spellings of ASCII text start with a digit, or with \x. Hex ids and numbers are everywhere in logs; the
    // search for the starts of hex spellings turns up many false starts there, and is kept apart from the rest.
    private static bool StartsLikeHex(string spelling) => char.IsAsciiDigit(spelling[0]) || spelling[0] == '\\';

    // The spellings compared in one way: their starts searched for, and the spellings themselves by a
    // case-insensitive hash of their first two code points, longest first.
    private sealed class Family
    {
        private readonly SearchValues<string> _search;
        private readonly FrozenDictionary<int, string[]> _byStart;
        private readonly StringComparison _comparison;

        public Family(string[] spellings, StringComparison comparison)
        {
            var comparer = comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
            _search = SearchValues.Create([.. spellings.Select(Start).Distinct(comparer)], comparison);
            _byStart = spellings
                .GroupBy(text => StartKey(text))
                .ToFrozenDictionary(group => group.Key, group => group.OrderByDescending(text => text.Length).ToArray());
            _comparison = comparison;
        }

        // The first position at or after `from` where a spelling starts, with the length of the longest one there;
        // -1 when there is none. Where only the start of a spelling is, the search goes on.
        public int Next(ReadOnlySpan<char> text, int from, out int length)
        {
            while (from < text.Length)
            {
                var at = text[from..].IndexOfAny(_search);
                if (at < 0)
                {
                    break;
                }

                at += from;
                length = LongestAt(text[at..]);
                if (length > 0)
                {
                    return at;
                }

                from = at + 1;
            }

            length = 0;
            return -1;
        }

        // The length of the longest spelling at the start of `rest`, or 0 when only the start of one is there.
        private int LongestAt(ReadOnlySpan<char> rest)
        {
            if (_byStart.TryGetValue(StartKey(rest), out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (rest.StartsWith(candidate, _comparison))
                    {
                        return candidate.Length;
                    }
                }
            }

            return 0;
        }

        // The characters of `spelling` that are searched for; a surrogate pair is not cut in two.
        private static string Start(string spelling)
        {
            var length = Math.Min(spelling.Length, SearchedLength);
            if (length < spelling.Length && char.IsHighSurrogate(spelling[length - 1]))
            {
                length++;
            }

            return spelling[..length];
        }

        // Equal for any two texts that start with the same two code points in any case (every spelling has two).
        private static int StartKey(ReadOnlySpan<char> text)
        {
            var length = CodePointLength(text);
            if (length < text.Length)
            {
                length += CodePointLength(text[length..]);
            }

            return string.GetHashCode(text[..length], StringComparison.OrdinalIgnoreCase);
        }

        // A surrogate pair is one code point; a lone surrogate counts as one.
        private static int CodePointLength(ReadOnlySpan<char> text)
            => Rune.DecodeFromUtf16(text, out _, out var consumed) == OperationStatus.Done ? consumed : 1;
    }
}
