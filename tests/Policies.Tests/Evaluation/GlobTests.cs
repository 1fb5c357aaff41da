using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Model;

namespace Policies.Tests.Evaluation;

/// <summary>
/// The glob matcher is an automaton, not a regular expression. Its meaning is the regular
/// expression each glob stands for (written out here as the oracle): <c>*</c> is <c>[^/]*</c>,
/// <c>**</c> is <c>.*</c> (any character, line feeds too), <c>/**/</c> is <c>/(?:.*/)?</c>,
/// <c>?</c> is <c>[^/]</c>, <c>&lt;number&gt;</c> is <c>[0-9]+</c>, <c>&lt;name&gt;</c> is
/// <c>[A-Za-z_][A-Za-z0-9_.-]*</c> (ASCII, whatever the case option), anchored at both ends of the whole text.
/// </summary>
public sealed class GlobTests
{
    [Theory]
    [InlineData("/api/**", "/api/a/b/c", true)]
    [InlineData("/api/**", "/api", false)]
    [InlineData("/api/*", "/api/a/b", false)]
    [InlineData("/api/*/x", "/api//x", true)]
    [InlineData("/api/**/x", "/api/x", true)]
    [InlineData("/api/**/x", "/api/a/b/x", true)]
    [InlineData("/api/**/x", "/api/ax", false)]
    [InlineData("/a?c", "/abc", true)]
    [InlineData("/a?c", "/a/c", false)]
    [InlineData("***", "any/thing", true)]
    [InlineData("/**/*.json", "/a/x.json", true)]
    [InlineData("/**/*.json", "/x.json", true)]
    [InlineData("/**/*.json", "/a/b/x.yaml", false)]
    [InlineData("/secret/**/*.key", "/secret/a/b.key", true)]
    [InlineData("/api/**/*", "/api/x", true)]
    [InlineData("/api/**/**/x", "/api/x", true)]
    [InlineData("/api/**/**/x", "/api/a/b/x", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    public void Globs_match_as_documented(string pattern, string text, bool expected)
    {
        Glob.Compile(pattern).IsMatch(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("/files/%2A", "/files/*", true)]
    [InlineData("/files/%2A", "/files/x", false)]
    [InlineData("/files/%3F/x", "/files/?/x", true)]
    public void An_encoded_star_or_question_mark_in_a_path_glob_is_literal(string pattern, string text, bool expected)
    {
        Glob.Compile(pattern, path: true).IsMatch(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("<number>", "0", true)]
    [InlineData("<number>", "4242", true)]
    [InlineData("<number>", "", false)]
    [InlineData("<number>", "-1", false)]
    [InlineData("<number>", "1e", false)]
    [InlineData("<number>", "1 ", false)]
    [InlineData("<number>", "1\n", false)]
    [InlineData("<number>", "\u0661", false)]
    [InlineData("<number>", "\uff11", false)]
    [InlineData("-p<number>", "-p17", true)]
    [InlineData("<number>,<number>", "1,2", true)]
    [InlineData("<name>", "www-data", true)]
    [InlineData("<name>", "_apt", true)]
    [InlineData("<name>", "a.b-c_1", true)]
    [InlineData("<name>", "-e", false)]
    [InlineData("<name>", ".hidden", false)]
    [InlineData("<name>", "1st", false)]
    [InlineData("<name>", "a/b", false)]
    [InlineData("<name>", "a,b", false)]
    [InlineData("<name>", "a=b", false)]
    [InlineData("<name>", "r\u00f6\u00f6t", false)]
    [InlineData("<name>", "\u212a", false)]
    [InlineData("<nam>", "<nam>", true)]
    [InlineData("<number", "<number", true)]
    public void Word_classes_match_one_word_of_their_kind(string pattern, string text, bool expected)
    {
        var unescaped = System.Text.RegularExpressions.Regex.Unescape(text);

        Glob.Compile(pattern).IsMatch(unescaped).Should().Be(expected);
        Glob.Compile(pattern).IsMatch(unescaped, ignoreCase: true).Should().Be(expected);
    }

    [Fact]
    public void Word_classes_are_literal_in_path_globs()
    {
        Glob.Compile("/api/<number>", path: true).IsMatch("/api/42").Should().BeFalse();
    }

    [Fact]
    public void Case_is_ignored_only_when_asked()
    {
        var glob = Glob.Compile("/API/*/Items");

        glob.IsMatch("/api/x/items").Should().BeFalse();
        glob.IsMatch("/api/x/items", ignoreCase: true).Should().BeTrue();
    }

    [Fact]
    public void Any_glob_matches_exactly_what_its_regular_expression_matches()
    {
        var patterns = Gen.Elements("a", "b", "/", "*", "**", "?", "/**/", "/**/*", ".", "A", "k", "K", "\u03a9", "s", "\u00e5", "<number>", "<name>", "-", "<").ArrayOf().Select(p => string.Concat(p));
        var texts = Gen.Elements("a", "b", "/", ".", "A", "ab", "//", "\n", "k", "\u212a", "\u2126", "\u03c9", "\u017f", "\u212b", "\u00c5", "1", "42", "-", "_", "<").ArrayOf().Select(p => string.Concat(p));
        Prop.ForAll(patterns.ToArbitrary(), texts.ToArbitrary(), (pattern, text) =>
        {
            var oracle = new Regex(Oracle(pattern), RegexOptions.CultureInvariant | RegexOptions.Singleline);
            var lenient = new Regex(Oracle(pattern), RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.IgnoreCase);
            var glob = Glob.Compile(pattern);
            return glob.IsMatch(text) == oracle.IsMatch(text) && glob.IsMatch(text, ignoreCase: true) == lenient.IsMatch(text);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3_000));
    }

    [Fact]
    public void A_glob_does_not_match_a_text_that_only_adds_a_final_line_feed()
    {
        Glob.Compile("/api/admin").IsMatch("/api/admin\n").Should().BeFalse();
    }

    [Fact]
    public void Repeated_any_directory_groups_compile_to_one()
    {
        var glob = Glob.Compile(string.Concat(Enumerable.Repeat("/**", 2_000)) + "/x");

        glob.IsMatch("/a/b/x").Should().BeTrue();
        glob.IsMatch("/" + string.Join('/', Enumerable.Repeat("seg", 1_500)) + "/y").Should().BeFalse();
    }

    [Fact]
    public void Matching_a_hostile_path_against_a_hostile_glob_finishes()
    {
        var glob = Glob.Compile(string.Concat(Enumerable.Repeat("*a", 200)) + "b");

        glob.IsMatch(new string('a', 20_000)).Should().BeFalse();
    }

    private static string Oracle(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (string.CompareOrdinal(pattern, i, "<number>", 0, 8) == 0)
            {
                regex.Append("(?-i:[0-9]+)");
                i += 7;
            }
            else if (string.CompareOrdinal(pattern, i, "<name>", 0, 6) == 0)
            {
                regex.Append("(?-i:[A-Za-z_][A-Za-z0-9_.-]*)");
                i += 5;
            }
            else if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                if (i > 0 && pattern[i - 1] == '/' && i + 2 < pattern.Length && pattern[i + 2] == '/')
                {
                    regex.Append("(?:.*/)?");
                    i += 2;
                }
                else
                {
                    regex.Append(".*");
                    i++;
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                    }
                }
            }
            else
            {
                regex.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
            }
        }

        // \z, not $: a glob matches the whole text, and a final line feed is part of it.
        return regex.Append(@"\z").ToString();
    }
}
