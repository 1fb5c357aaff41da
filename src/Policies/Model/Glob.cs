namespace McpGateway.Policies.Model;

/// <summary>
/// A glob pattern: <c>*</c> matches within one path segment, <c>**</c> across segments
/// (<c>/**/</c> also matches a single <c>/</c>), <c>?</c> one character other than <c>/</c>.
/// Everything else is literal. Matching is linear-time whatever the input.
/// </summary>
public sealed class Glob
{
    private readonly GlobAutomaton _exact;
    private readonly GlobAutomaton _lenient;

    private Glob(string pattern, string exact, string lenient)
    {
        Pattern = pattern;
        _exact = GlobAutomaton.Build(exact);
        _lenient = ReferenceEquals(exact, lenient) || exact == lenient ? _exact : GlobAutomaton.Build(lenient);
    }

    public string Pattern { get; }

    /// <summary>
    /// Compiles <paramref name="pattern"/>. For path facts the exact form matches the normalised
    /// path and the lenient (case-insensitive) form matches the percent-decoded path.
    /// </summary>
    public static Glob Compile(string pattern, bool path = false)
    {
        if (!path)
        {
            return new Glob(pattern, pattern, pattern);
        }

        // An encoded '*' or '?' in a path pattern means that character, never a wildcard.
        var literal = LiteralMarks(pattern);
        return new Glob(pattern, PathText.Normalize(literal), PathText.Decode(PathText.Normalize(literal)));
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
