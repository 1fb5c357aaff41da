using McpGateway.Policies.Classifiers.Shell;

namespace Policies.Tests.Classifiers.Shell;

public sealed class ShellParserTests
{
    [Theory]
    [InlineData("rm")]
    [InlineData("'rm'")]
    [InlineData("\"rm\"")]
    [InlineData("\\rm")]
    [InlineData("r\\m")]
    [InlineData("'r''m'")]
    [InlineData("r\"\"m")]
    [InlineData("$'rm'")]
    [InlineData("$'\\x72m'")]
    [InlineData("$'\\162\\155'")]
    [InlineData("r\\\nm")]
    public void Every_spelling_of_a_word_is_the_same_literal(string program)
    {
        ShellCalls.Parse(program + " -rf /").Should().Be(ShellCalls.Parse("rm -rf /"));
    }

    [Theory]
    [InlineData("echo a#b", "a#b")]
    [InlineData("echo 'a b'", "a b")]
    [InlineData("echo \"a\\nb\"", "a\\nb")]
    [InlineData("echo \"a\\$b\"", "a$b")]
    [InlineData("echo $'a\\nb'", "a\nb")]
    [InlineData("echo $'\\u00e9'", "\u00e9")]
    [InlineData("echo $'\\cA'", "\u0001")]
    [InlineData("echo $", "$")]
    [InlineData("echo a$", "a$")]
    [InlineData("echo {a,b}", "{a,b}")]
    [InlineData("echo ~+", "~+")]
    [InlineData("echo [", "[")]
    [InlineData("echo \"\"", "")]
    public void Quote_removal_gives_the_literal_value(string command, string argument)
    {
        var words = ShellParser.Parse(command).Script!.Items[0].Pipelines[0].Commands[0].Words;

        words[1].Literal.Should().Be(argument);
    }

    [Theory]
    [InlineData("echo $x", typeof(ShellParameter))]
    [InlineData("echo ${x:-y}", typeof(ShellParameter))]
    [InlineData("echo $((1+2))", typeof(ShellArithmetic))]
    [InlineData("echo $(ls)", typeof(ShellCommandSubstitution))]
    [InlineData("echo `ls`", typeof(ShellCommandSubstitution))]
    [InlineData("echo <(ls)", typeof(ShellProcessSubstitution))]
    [InlineData("echo *", typeof(ShellGlob))]
    [InlineData("echo [a-z]", typeof(ShellGlob))]
    [InlineData("echo ~/x", typeof(ShellTilde))]
    public void Expansions_are_parts_of_their_own(string command, Type kind)
    {
        var word = ShellParser.Parse(command).Script!.Items[0].Pipelines[0].Commands[0].Words[1];

        word.Parts[0].Should().BeOfType(kind);
        word.Literal.Should().BeNull();
    }

    [Fact]
    public void Operators_split_lists_pipelines_and_background_jobs()
    {
        var script = ShellParser.Parse("a | b && c || d; e & f\ng").Script!;

        script.Items.Should().HaveCount(4);
        script.Items[0].Pipelines.Should().HaveCount(3);
        script.Items[0].Pipelines[0].Commands.Should().HaveCount(2);
        script.Items[0].Connectors.Should().Equal(ShellConnector.And, ShellConnector.Or);
        script.Items[1].Background.Should().BeTrue();
        script.Items[2].Background.Should().BeFalse();
    }

    [Fact]
    public void Redirections_keep_their_descriptor_kind_and_order()
    {
        var command = ShellParser.Parse("ls 2>/dev/null >out 2>&1 <in >>log 3<&- 4<>rw 5>|c").Script!.Items[0].Pipelines[0].Commands[0];

        command.Redirections.Select(r => (r.Descriptor, r.Kind, r.Target.Literal)).Should().Equal(
            (2, ShellRedirectionKind.Write, "/dev/null"),
            (null, ShellRedirectionKind.Write, "out"),
            (2, ShellRedirectionKind.DuplicateOutput, "1"),
            (null, ShellRedirectionKind.Read, "in"),
            (null, ShellRedirectionKind.Append, "log"),
            (3, ShellRedirectionKind.DuplicateInput, "-"),
            (4, ShellRedirectionKind.ReadWrite, "rw"),
            (5, ShellRedirectionKind.Clobber, "c"));
    }

    [Fact]
    public void A_here_document_body_is_read_after_the_line_and_tabs_are_stripped_for_dash()
    {
        var script = ShellParser.Parse("cat <<-EOF | grep x; echo y\n\tline x\n\tEOF\necho z").Script!;

        script.Items.Should().HaveCount(3);
        script.Items[0].Pipelines[0].Commands[0].Redirections[0].Target.Literal.Should().Be("line x\n");
    }

    [Fact]
    public void A_quoted_here_document_delimiter_keeps_the_body_literal()
    {
        var body = ShellParser.Parse("cat <<'E'\n$(rm -rf /) `x` \\$\nE").Script!.Items[0].Pipelines[0].Commands[0].Redirections[0].Target;

        body.Literal.Should().Be("$(rm -rf /) `x` \\$\n");
    }

    [Fact]
    public void An_unquoted_here_document_expands_and_its_substitutions_are_parsed()
    {
        var body = ShellParser.Parse("cat <<E\n$(rm -rf /)\nE").Script!.Items[0].Pipelines[0].Commands[0].Redirections[0].Target;

        body.Parts.OfType<ShellCommandSubstitution>().Should().ContainSingle()
            .Which.Script.Items[0].Pipelines[0].Commands[0].Words[0].Literal.Should().Be("rm");
    }

    [Fact]
    public void Assignments_are_recognised_only_before_the_program()
    {
        var command = ShellParser.Parse("A=1 B='x y' env C=2").Script!.Items[0].Pipelines[0].Commands[0];

        command.Assignments.Select(a => (a.Name, a.Value.Literal)).Should().Equal(("A", "1"), ("B", "x y"));
        command.Words.Select(w => w.Literal).Should().Equal("env", "C=2");
    }

    [Theory]
    [InlineData("if true; then ls; fi", "compound command")]
    [InlineData("while true; do ls; done", "compound command")]
    [InlineData("for f in a; do ls; done", "compound command")]
    [InlineData("case x in a) ls;; esac", "compound command")]
    [InlineData("{ ls; }", "compound command")]
    [InlineData("(ls)", "subshells")]
    [InlineData("f() { ls; }", "function definitions")]
    [InlineData("ls &> x", "'&>'")]
    [InlineData("ls |& cat", "'|&'")]
    [InlineData("cat <<< x", "'<<<'")]
    [InlineData("ls 'x", "single quote")]
    [InlineData("ls \"x", "double quote")]
    [InlineData("ls `x", "backquote")]
    [InlineData("ls $(x", "not closed")]
    [InlineData("ls ${x", "not closed")]
    [InlineData("ls ${x/a/b}", "parameter expansion")]
    [InlineData("ls ${!x}", "parameter expansion")]
    [InlineData("ls ${x:-$(rm)}", "parameter expansion")]
    [InlineData("ls $((`rm`))", "arithmetic")]
    [InlineData("ls $\"x\"", "locale")]
    [InlineData("ls $'\\0'", "NUL")]
    [InlineData("ls $'\\xff'", "UTF-8")]
    [InlineData("ls $'\\ud800'", "invalid character")]
    [InlineData("ls >", "target")]
    [InlineData("ls >&file", "descriptor")]
    [InlineData("ls 10>x", "descriptors 0 to 9")]
    [InlineData("cat <<EOF", "no body")]
    [InlineData("cat <<EOF\nx", "no line 'EOF'")]
    [InlineData("ls |", "missing")]
    [InlineData("| ls", "missing")]
    [InlineData("ls && ; ls", "missing")]
    [InlineData("ls )", "unexpected")]
    [InlineData(";", "missing")]
    public void Unsupported_or_broken_syntax_is_an_error_that_says_why(string command, string reason)
    {
        var result = ShellParser.Parse(command);

        result.Script.Should().BeNull();
        result.Error.Should().Contain(reason);
    }

    [Fact]
    public void Nesting_is_bounded()
    {
        var ok = string.Concat(Enumerable.Repeat("$(echo ", ShellParser.MaxDepth)) + "x" + new string(')', ShellParser.MaxDepth);
        var deep = string.Concat(Enumerable.Repeat("$(echo ", ShellParser.MaxDepth + 1)) + "x" + new string(')', ShellParser.MaxDepth + 1);
        var backquotes = "echo `echo \\`echo \\\\\\`echo \\\\\\\\\\\\\\`x\\\\\\\\\\\\\\`\\\\\\`\\``";

        ShellParser.Parse("echo " + ok).Error.Should().BeNull();
        ShellParser.Parse("echo " + deep).Error.Should().Contain("nests");
        ShellParser.Parse(backquotes).Error.Should().BeNull();
        ShellParser.Parse(string.Concat(Enumerable.Repeat("sh -c '", 1)) + "ls'").Error.Should().BeNull();
    }

    [Fact]
    public void Deeply_nested_shell_scripts_are_unparsed_not_a_stack_overflow()
    {
        var command = "ls";
        for (var i = 0; i < 12; i++)
        {
            command = "sh -c " + ShellWriter.Quote(command);
        }

        var result = ShellCalls.Classify(command);
        var substitutions = ShellCalls.Classify("sh -c 'echo " + string.Concat(Enumerable.Repeat("$(echo ", ShellParser.MaxDepth)) + "x" + new string(')', ShellParser.MaxDepth) + "'");

        (result.IsComplex() || result.IsUnparsed || !result.Refusals.IsEmpty).Should().BeTrue();
        substitutions.IsComplex().Should().BeTrue();
        substitutions.Facts.Get("shell.complexity")!.Items.Should().Contain(r => r.Contains("nests", StringComparison.Ordinal));
    }

    [Fact]
    public void Word_and_here_document_counts_are_bounded()
    {
        ShellParser.Parse(string.Join(' ', Enumerable.Repeat("a", ShellParser.MaxWords + 1))).Error.Should().Contain("words");
        ShellParser.Parse(string.Concat(Enumerable.Repeat("cat <<E; ", ShellParser.MaxHereDocuments + 1)) + "\n").Error.Should().Contain("here-documents");
    }

    [Fact]
    public void Hostile_repetition_parses_in_linear_time()
    {
        var inputs = new[]
        {
            new string('\\', 16_000),
            string.Concat(Enumerable.Repeat("'a'", 5_000)),
            string.Concat(Enumerable.Repeat("\"$x\"", 3_000)),
            string.Concat(Enumerable.Repeat("[a-", 5_000)),
            string.Concat(Enumerable.Repeat("${", 5_000)),
            string.Concat(Enumerable.Repeat("$((", 5_000)),
            string.Concat(Enumerable.Repeat("[[:", 5_000)),
            "cat <<E\n" + string.Concat(Enumerable.Repeat("x\n", 8_000)),
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();

        foreach (var input in inputs)
        {
            _ = ShellCalls.Classify(input);
        }

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }
}
