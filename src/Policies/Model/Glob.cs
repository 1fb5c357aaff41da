using System.Text;
using System.Text.RegularExpressions;

namespace McpGateway.Policies.Model;

/// <summary>
/// A glob pattern: <c>*</c> matches within one path segment, <c>**</c> across segments
/// (<c>/**/</c> also matches a single <c>/</c>), <c>?</c> one character other than <c>/</c>.
/// Everything else is literal. Matching is linear-time whatever the input.
/// </summary>
public sealed class Glob
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex _exact;
    private readonly Regex _ignoreCase;

    private Glob(string pattern, string regex, string lenientRegex)
    {
        Pattern = pattern;
        _exact = new Regex(regex, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
        _ignoreCase = new Regex(lenientRegex, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.IgnoreCase, MatchTimeout);
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
            return new Glob(pattern, ToRegex(pattern), ToRegex(pattern));
        }

        // An encoded '*' or '?' in a path pattern means that character, never a wildcard.
        var literal = LiteralMarks(pattern);
        return new Glob(pattern, ToRegex(PathText.Normalize(literal)), ToRegex(PathText.Decode(PathText.Normalize(literal))));
    }

    private const char LiteralStar = '\uE000';
    private const char LiteralQuestion = '\uE001';

    private static string LiteralMarks(string pattern) =>
        pattern.Replace("%2A", LiteralStar.ToString(), StringComparison.OrdinalIgnoreCase)
            .Replace("%3F", LiteralQuestion.ToString(), StringComparison.OrdinalIgnoreCase);

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slashBefore = i > 0 && pattern[i - 1] == '/';
                var slashAfter = i + 2 < pattern.Length && pattern[i + 2] == '/';
                if (slashBefore && slashAfter)
                {
                    // "/**/" matches "/" or "/anything/": the leading '/' is already emitted.
                    regex.Append("(?:.*/)?");
                    i += 2;
                }
                else
                {
                    regex.Append(".*");
                    i++;
                }

                while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    i++;
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else if (c == LiteralStar)
            {
                regex.Append(@"(?:\*|%2A)");
            }
            else if (c == LiteralQuestion)
            {
                regex.Append(@"(?:\?|%3F)");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        regex.Append('$');
        return regex.ToString();
    }

    public bool IsMatch(string value, bool ignoreCase = false) =>
        (ignoreCase ? _ignoreCase : _exact).IsMatch(value);

    public override string ToString() => Pattern;
}
