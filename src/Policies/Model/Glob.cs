namespace McpGateway.Policies.Model;

/// <summary>
/// A glob pattern: <c>*</c> matches within one path segment, <c>**</c> across segments
/// (<c>/**/</c> also matches a single <c>/</c>), <c>?</c> one character other than <c>/</c>.
/// Outside path facts, the word classes <c>&lt;number&gt;</c> (one or more ASCII digits) and
/// <c>&lt;name&gt;</c> (an ASCII letter or <c>_</c>, then letters, digits, <c>_</c>, <c>.</c> and
/// <c>-</c>) stand for one word of their kind. Everything else is literal. Matching is linear-time
/// whatever the input.
/// </summary>
public sealed class Glob
{
    /// <summary>One or more ASCII digits: a process id, a count, a port.</summary>
    public const string NumberClass = "<number>";

    /// <summary>A user, group or unit name: never empty, never an option (no leading '-'), no '/', ',', '=' or space.</summary>
    public const string NameClass = "<name>";

    private readonly GlobAutomaton _exact;
    private readonly GlobAutomaton _lenient;

    private Glob(string pattern, string exact, string lenient, bool classes)
    {
        Pattern = pattern;
        _exact = GlobAutomaton.Build(exact, classes);
        _lenient = ReferenceEquals(exact, lenient) || exact == lenient ? _exact : GlobAutomaton.Build(lenient, classes);
    }

    /// <summary>The word classes a pattern outside path facts may use.</summary>
    public static IReadOnlyList<string> Classes { get; } = [NumberClass, NameClass];

    public string Pattern { get; }

    /// <summary>
    /// Compiles <paramref name="pattern"/>. For path facts the exact form matches the normalised
    /// path and the lenient (case-insensitive) form matches the percent-decoded path.
    /// </summary>
    public static Glob Compile(string pattern, bool path = false)
    {
        if (!path)
        {
            return new Glob(pattern, pattern, pattern, classes: true);
        }

        // An encoded '*' or '?' in a path pattern means that character, never a wildcard.
        var literal = LiteralMarks(pattern);
        return new Glob(pattern, PathText.Normalize(literal), PathText.Decode(PathText.Normalize(literal)), classes: false);
    }

    /// <summary>The word class that starts at <paramref name="index"/> of <paramref name="pattern"/>, or null.</summary>
    internal static string? ClassAt(string pattern, int index) =>
        Classes.FirstOrDefault(c => string.CompareOrdinal(pattern, index, c, 0, c.Length) == 0);

    /// <summary>
    /// What looks like a word class but is not one (<c>&lt;digits&gt;</c>, <c>&lt;Number&gt;</c>):
    /// the validator refuses it, since it would match only itself and so quietly never match.
    /// </summary>
    public static IEnumerable<string> LookalikeClasses(string pattern)
    {
        for (var start = pattern.IndexOf('<', StringComparison.Ordinal); start >= 0; start = pattern.IndexOf('<', start + 1))
        {
            var end = start + 1;
            while (end < pattern.Length && (char.IsAsciiLetterOrDigit(pattern[end]) || pattern[end] is '_' or '-'))
            {
                end++;
            }

            if (end > start + 1 && end < pattern.Length && pattern[end] == '>' && ClassAt(pattern, start) is null)
            {
                yield return pattern[start..(end + 1)];
            }
        }
    }

    internal const char LiteralStar = '\uE000';
    internal const char LiteralQuestion = '\uE001';

    private static string LiteralMarks(string pattern) =>
        pattern.Replace("%2A", LiteralStar.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("%3F", LiteralQuestion.ToString(), StringComparison.OrdinalIgnoreCase);

    public bool IsMatch(string value, bool ignoreCase = false) =>
        ignoreCase ? _lenient.IsMatch(value, ignoreCase: true) : _exact.IsMatch(value, ignoreCase: false);

    public override string ToString() => Pattern;
}
