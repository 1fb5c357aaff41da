using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Classifiers.Shell;

namespace Policies.Tests.Classifiers.Shell;

/// <summary>
/// What is sent is what was checked: the rebuilt command parses to the same tree, classifies to
/// the same stages, and rebuilds to itself; and no input makes the classifier throw.
/// </summary>
public sealed class ShellRoundTripTests
{
    private static readonly string[] Pieces =
    [
        "ls", "rm", "cat", "x", "/", "/var/log", "..", " ", " ", "\t", "\n", ";", "&", "&&", "|", "||", "!", "'", "\"", "\\", "$", "$(", "(", ")",
        "`", "${", "}", "{", ",", "$((", "))", "<", ">", ">>", ">|", "<>", "2>&1", ">&-", "<<", "<<-", "EOF", "EOF\n", "#", "*", "?", "[a-z]", "[", "]",
        "~", "~/", "=", "a=", "X=1 ", "$'", "\\x41", "\\n", "sh -c ", "bash -c '", "sudo ", "env ", "find . -exec ", " {} \\;", "eval ", "xargs ", "-",
        "--", "-rf", "\r", "\u00e9", "\ud83d\ude00", "\0", "<(", ">(", "$1", "$@", "$x", "${x:-y}", "${#x}", "if ", "then ", "fi", "sed 's/a/b/' ",
        "awk '{print}' ", "timeout 5 ", "nice ", "busybox ", "systemctl ", "restart ", "status ", "'\\''", "\"$x\"", "\\\n",
    ];

    private static Arbitrary<string> Shellish { get; } =
        Gen.Frequency((6, Gen.Elements(Pieces)), (1, Gen.Choose(0, 0x7F).Select(c => ((char)c).ToString())), (1, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())))
            .ArrayOf()
            .Select(parts => string.Concat(parts))
            .ToArbitrary();

    public static TheoryData<string> Tricky { get; } =
    [
        "ls -la /var/log",
        "echo 'a'\\''b'",
        "echo \"a\\\"b\\\\c\\$d\\`e\"",
        "echo $'a\\tb\\'c\\x41\\101\\u00e9\\cA'",
        "ls \"\" ''",
        "ls \"\"$x ''\"$y\" $x''",
        "a= ls",
        "a=b c=\"d e\" ls",
        "echo \"$x\"y$z\"w\"",
        "echo ~ ~/a ~b/c ~+ a~",
        "x=~/y ls",
        "cat <<'EOF'\n$x `y` \\z\nEOF",
        "cat <<EOF\n\\$x $y \\\\ `id` \"q\" ${z}\nEOF",
        "cat <<-EOF\n\tx\n\t\tEOF\n\tEOF",
        "cat <<A <<B\na\nA\nb\nB\nls",
        "cat <<EOF | grep a && ls <<X\n1\nEOF\n2\nX\n",
        "echo $(cat <<EOF\nx\nEOF\n)",
        "cat <<EOF\nEOF1\nEOF\n\nEOF\n",
        "cat <<EOF\n$(cat <<X\ny\nX\n)\nEOF",
        "ls > /tmp/x 2>&1 <&0 3<&- 4<>f 5>|g >>h",
        "sh -c 'cat <<EOF\nx\nEOF'",
        "echo [a-z]* [[:digit:]]? [!x] [^y] a[b",
        "echo ${#x} ${x:-a b} ${x%%.*} ${x#*/} ${1} ${10} $# $? $$ $! $@ $* $- $0",
        "echo $((1 + 2*3)) \"$(( x << 2 ))\"",
        "ls | grep -v x || echo no && true &",
        "! ls | grep x",
        "echo a\\\nb",
        "echo a#b # comment",
        "ls & ls & ls",
        "ls;ls&&ls||ls|ls",
        "echo `echo \\`echo x\\``",
        "echo \"`echo \\\"q\\\"`\"",
        "cat <(ls) > >(cat)",
        "sudo -u root sh -c 'ls; sh -c \"echo '\\''deep'\\''\"'",
        "eval 'ls' ';' 'echo' x",
        "find . -name '*.log' -exec sh -c 'echo \"$1\"' _ {} \\;",
        "echo $'it\\'s'",
        "echo {a,b} '{c,d}'",
        "echo 'tab\there' \"new\nline\"",
        "ls\r",
        "echo \u00e9\ud83d\ude00",
        "2>/dev/null ls",
        "echo a=b",
        "echo -- -x",
        "exec 3>&1",
        "ls #",
        "echo '#'x",
        "printf '%s\\n' \"$@\"",
    ];

    [Theory]
    [MemberData(nameof(Tricky))]
    public void A_rebuilt_command_parses_to_the_same_tree(string command)
    {
        var parsed = ShellParser.Parse(command);
        parsed.Error.Should().BeNull();

        var rebuilt = ShellWriter.Write(parsed.Script!);
        var again = ShellParser.Parse(rebuilt);

        again.Error.Should().BeNull(rebuilt);
        again.Script!.ToString().Should().Be(parsed.Script!.ToString(), rebuilt);
        ShellWriter.Write(again.Script!).Should().Be(rebuilt);
    }

    [Theory]
    [MemberData(nameof(Tricky))]
    public void A_classified_command_rebuilds_to_a_fixed_point_with_the_same_stages(string command)
    {
        var first = ShellCalls.Classify(command);
        var request = first.Request();
        request.Should().NotBeNull(string.Join(" ", first.UnparsedReasons));

        var second = ShellCalls.Classify(request!.Command);

        second.Request()!.Command.Should().Be(request.Command);
        second.Request()!.Script.ToString().Should().Be(request.Script.ToString());
        second.Facts.ToJson().ToJsonString().Should().Be(first.Facts.ToJson().ToJsonString());
    }

    [Theory]
    [InlineData("ls -la /var/log", "'ls' '-la' '/var/log'")]
    [InlineData("echo it\\'s \"a b\"", "'echo' 'it'\\''s' 'a b'")]
    [InlineData("l\\s $'\\x2f'", "'ls' '/'")]
    [InlineData("ls /var/*.log ~/x", "'ls' '/var/'*'.log' ~/'x'")]
    [InlineData("ls | grep x && df; uptime &", "'ls' | 'grep' 'x' && 'df'; 'uptime' &")]
    [InlineData("ls 2>/dev/null >&2", "'ls' 2> '/dev/null' >&2")]
    [InlineData("echo \"$HOME\"/x $(id -u)", "'echo' \"$HOME\"'/x' $( 'id' '-u' )")]
    [InlineData("cat <<EOF\nhi\nEOF", "'cat' <<'EOF'\nhi\nEOF\n")]
    [InlineData("if=1 ls", "if='1' 'ls'")]
    [InlineData("bash -c 'ls  -l'", "'bash' '-c' ''\\''ls'\\'' '\\''-l'\\'''")]
    [InlineData("eval 'ls' -l", "'eval' ''\\''ls'\\'' '\\''-l'\\'''")]
    public void Every_literal_is_sent_single_quoted(string command, string sent)
    {
        ShellCalls.Classify(command).Request()!.Command.Should().Be(sent);
    }

    [Fact]
    public void The_remote_command_runs_the_rebuilt_command_with_sh()
    {
        var request = ShellCalls.Classify("echo it\\'s").Request()!;

        request.RemoteCommand.Should().Be("exec /bin/sh -c ''\\''echo'\\'' '\\''it'\\''\\'\\'''\\''s'\\'''");
        ShellParser.Parse(request.RemoteCommand).Script!.Items[0].Pipelines[0].Commands[0].Words.Select(w => w.Literal)
            .Should().Equal("exec", "/bin/sh", "-c", request.Command);
    }

    [Fact]
    public void Arbitrary_text_never_throws_and_every_accepted_command_is_a_fixed_point()
    {
        Prop.ForAll(Shellish, CheckOne).Check(Config.QuickThrowOnFailure.WithMaxTest(4_000));
    }

    [Fact]
    public void Arbitrary_unicode_never_throws()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), text => CheckOne(text ?? string.Empty)).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void Enough_generated_commands_are_accepted_for_the_round_trip_to_mean_something()
    {
        var accepted = Gen.Sample(Shellish.Generator, 2_000, 30).Count(text => ShellCalls.Classify(text).Request() is not null);

        accepted.Should().BeGreaterThan(200);
    }

    private static bool CheckOne(string text)
    {
        var classification = ShellCalls.Classify(text);
        if (classification.Request() is not { } request)
        {
            return classification.UnparsedReasons.Length + classification.Refusals.Length > 0;
        }

        var again = ShellCalls.Classify(request.Command).Request();
        if (again is null || again.Command != request.Command || again.Script.ToString() != request.Script.ToString())
        {
            throw new InvalidOperationException($"Not a fixed point: {text} -> {request.Command} -> {again?.Command}");
        }

        var parsed = ShellParser.Parse(text);
        var reparsed = ShellParser.Parse(ShellWriter.Write(parsed.Script!));
        if (reparsed.Script?.ToString() != parsed.Script!.ToString())
        {
            throw new InvalidOperationException($"Parse differs after rebuilding: {text}");
        }

        return true;
    }
}
