using McpGateway.Policies.Classifiers.Shell;

namespace Policies.Tests.Classifiers.Shell;

public sealed class ShellStageFactsTests
{
    [Fact]
    public void A_wrapper_and_the_program_it_runs_are_both_stages()
    {
        var result = ShellCalls.Classify("sudo -u root rm -rf /");
        var stages = result.Stages();

        result.Commands().Should().Equal("sudo", "rm");
        stages[0].List(SshExecTool.StageArguments).Should().Equal("-u", "root");
        stages[0].Get(SshExecTool.StageWraps)!.Flag.Should().BeTrue();
        stages[1].List(SshExecTool.StageArguments).Should().Equal("-rf", "/");
        stages[1].List(SshExecTool.StageWrappers).Should().Equal("sudo");
        result.Facts.Get(SshExecTool.Wrappers)!.Items.Should().Equal("sudo");
        result.IsComplex().Should().BeFalse();
    }

    [Theory]
    [InlineData("env -u HOME -- nice -n 5 timeout -k 1 10 nohup ls", "env,nice,timeout,nohup,ls")]
    [InlineData("timeout --signal=KILL 5s command -p busybox ls", "timeout,command,busybox,ls")]
    [InlineData("stdbuf -oL setsid -f ionice -c 3 time -p ls", "stdbuf,setsid,ionice,time,ls")]
    [InlineData("exec ls", "exec,ls")]
    [InlineData("sudo -E HOME=/root ls", "sudo,ls")]
    [InlineData("command -v ls", "command")]
    [InlineData("env", "env")]
    [InlineData("nice", "nice")]
    public void Wrappers_are_seen_through_to_the_program(string command, string programs)
    {
        ShellCalls.Classify(command).Stages().Select(s => s.Text(SshExecTool.StageProgram)).Should().Equal(programs.Split(','));
    }

    [Theory]
    [InlineData("env FOO=1 ls", "sets environment variables")]
    [InlineData("env -S 'rm x' ls", "env -S")]
    [InlineData("sudo LD_PRELOAD=/tmp/x.so ls", "'sudo' sets environment variables")]
    [InlineData("sudo -s ls", "sudo -s")]
    [InlineData("sudo --login ls", "sudo --login")]
    [InlineData("sudo --frobnicate ls", "--frobnicate")]
    [InlineData("nice -q ls", "(-q)")]
    [InlineData("xargs ls", "xargs runs its program")]
    [InlineData("sh", "commands read from its input")]
    [InlineData("bash x.sh", "script file")]
    [InlineData("sh -i", "reads commands")]
    [InlineData("sh -c \"$X\"", "not known")]
    [InlineData("sh -c 'if x'", "cannot be parsed")]
    [InlineData("eval $X", "not known")]
    [InlineData("watch ls", "watch")]
    [InlineData("trap 'rm x' EXIT", "trap")]
    [InlineData(". ./x", "runs the commands of a file")]
    [InlineData("$X", "program '$X'")]
    [InlineData("$(which ls)", "is not known")]
    [InlineData("ls /bin/../..", "climbs above")]
    [InlineData("cat ../x", "relative path")]
    [InlineData("../bin/ls", "climbs with '..'")]
    [InlineData("ls > $F", "redirection's file")]
    [InlineData("A=1 ls", "assigns variables (A)")]
    [InlineData("systemctl -H h status x", "options before the subcommand")]
    [InlineData("git -C /srv push", "options before the subcommand")]
    [InlineData("find / -exec rm {} +", "each file found")]
    [InlineData("find / -exec ls", "no command ended")]
    [InlineData("awk 'BEGIN{system(\"id\")}'", "awk program may run commands")]
    [InlineData("sed '1e id' x", "'e' command")]
    [InlineData("sed 's/a/b/w /tmp/x' y", "'s///w'")]
    [InlineData("sed 'k' y", "does not know")]
    public void What_cannot_be_resolved_before_the_command_runs_is_complex_and_says_why(string command, string reason)
    {
        var result = ShellCalls.Classify(command);

        result.IsComplex().Should().BeTrue();
        result.Facts.Get(SshExecTool.Complexity)!.Items.Should().Contain(r => r.Contains(reason, StringComparison.Ordinal));
        result.Request().Should().NotBeNull("a complex command still has one exact form to send if a rule allows it");
    }

    [Fact]
    public void Sh_c_scripts_are_classified_recursively_and_sent_rebuilt()
    {
        var result = ShellCalls.Classify("timeout 5 bash -c 'ls /; sh -c \"rm -rf /\"'");
        var stages = result.Stages();

        result.Commands().Should().Equal("timeout", "bash", "ls", "sh", "rm");
        stages[4].List(SshExecTool.StageWrappers).Should().Equal("timeout", "bash -c", "sh -c");
        result.Request()!.Command.Should().Be("'timeout' '5' 'bash' '-c' ''\\''ls'\\'' '\\''/'\\''; '\\''sh'\\'' '\\''-c'\\'' '\\'''\\''\\'\\'''\\''rm'\\''\\'\\'''\\'' '\\''\\'\\'''\\''-rf'\\''\\'\\'''\\'' '\\''\\'\\'''\\''/'\\''\\'\\'''\\'''\\'''");
    }

    [Fact]
    public void Eval_words_are_joined_parsed_and_sent_as_one_rebuilt_script()
    {
        var result = ShellCalls.Classify("eval ls ';' rm x");

        result.Commands().Should().Equal("eval", "ls", "rm");
        result.Request()!.Command.Should().Be("'eval' ''\\''ls'\\''; '\\''rm'\\'' '\\''x'\\'''");
    }

    [Fact]
    public void Find_exec_commands_and_deletes_are_seen()
    {
        var result = ShellCalls.Classify("find /var/log -name '*.gz' -exec gzip -t {} \\; -delete -fprint /tmp/list");
        var find = result.Stages()[0];

        result.Commands().Should().Equal("find", "gzip");
        result.Stages()[1].List(SshExecTool.StageWrappers).Should().Equal("find -exec");
        result.Facts.Get(SshExecTool.Wrappers)!.Items.Should().Equal("find -delete", "find -exec");
        find.List(SshExecTool.StageWrites).Should().Equal("/tmp/list");
        result.Flag(SshExecTool.Writes).Should().BeTrue();
    }

    [Theory]
    [InlineData("systemctl restart nginx", "systemctl restart", "restart")]
    [InlineData("systemctl status nginx --no-pager", "systemctl status", "status")]
    [InlineData("/usr/bin/systemctl stop x", "/usr/bin/systemctl stop", "stop")]
    [InlineData("git remote add o u", "git remote add", "remote add")]
    [InlineData("git push --force", "git push", "push")]
    [InlineData("kubectl rollout restart deploy/x", "kubectl rollout restart", "rollout restart")]
    [InlineData("kubectl delete pod x", "kubectl delete", "delete")]
    [InlineData("service nginx reload", "service reload", "reload")]
    [InlineData("ip addr add 10.0.0.1 dev eth0", "ip addr add", "addr add")]
    [InlineData("systemctl", "systemctl", "")]
    [InlineData("ls -la", "ls", "")]
    public void Programs_with_subcommands_name_them(string command, string expected, string subcommand)
    {
        var stage = ShellCalls.Classify(command).Stages()[0];

        stage.Text(SshExecTool.StageCommand).Should().Be(expected);
        stage.Text(SshExecTool.StageSubcommand).Should().Be(subcommand);
    }

    [Fact]
    public void Flags_paths_and_program_forms_are_listed()
    {
        var stage = ShellCalls.Classify("/usr/bin/journalctl -rf --vacuum-size=1G --since=/x -- -notaflag /var/log/../../etc/./shadow").Stages()[0];

        stage.Text(SshExecTool.StageProgram).Should().Be("/usr/bin/journalctl");
        stage.Text(SshExecTool.StageProgramName).Should().Be("journalctl");
        stage.Get(SshExecTool.StagePathForm)!.Flag.Should().BeTrue();
        stage.List(SshExecTool.StageFlags).Should().Equal("-rf", "-r", "-f", "--vacuum-size", "--since");
        stage.List(SshExecTool.StagePaths).Should().Equal("/x", "/etc/shadow");
        stage.List(SshExecTool.StageArguments).Should().Equal("-rf", "--vacuum-size=1G", "--since=/x", "--", "-notaflag", "/var/log/../../etc/./shadow");
    }

    [Fact]
    public void Redirections_say_what_is_read_and_written()
    {
        var result = ShellCalls.Classify("grep x < /var/log//syslog 2>/dev/null >> /tmp/../tmp/out 2>&1 3>&-");
        var stage = result.Stages()[0];

        stage.List(SshExecTool.StageRedirections).Should().Equal("read", "write", "append", "duplicate", "close");
        stage.List(SshExecTool.StageReads).Should().Equal("/var/log/syslog");
        stage.List(SshExecTool.StageWrites).Should().Equal("/dev/null", "/tmp/out");
        result.Flag(SshExecTool.Writes).Should().BeTrue();
        ShellCalls.Classify("ls 2>/dev/null").Flag(SshExecTool.Writes).Should().BeFalse();
    }

    [Fact]
    public void Substitutions_add_their_programs_and_mark_the_word()
    {
        var result = ShellCalls.Classify("ls $(id -u) <(whoami) \"`hostname`\"");
        var stages = result.Stages();

        result.Commands().Should().Equal("ls", "id", "whoami", "hostname");
        stages[0].List(SshExecTool.StageSubstitutions).Should().Equal("command", "process");
        stages.Skip(1).Should().OnlyContain(s => s.Get(SshExecTool.StageSubstituted)!.Flag);
        result.Flag(SshExecTool.Substitution).Should().BeTrue();
        result.IsComplex().Should().BeTrue();
    }

    [Fact]
    public void Expansions_are_named()
    {
        var stage = ShellCalls.Classify("ls $A ${B} $((1)) /v/* ~/x {a,b}").Stages()[0];

        stage.List(SshExecTool.StageExpansions).Should().Equal("arithmetic", "brace", "glob", "parameter", "tilde");
    }

    [Fact]
    public void A_brace_word_runs_literally_and_is_not_complex()
    {
        var result = ShellCalls.Classify("echo {a,b}");

        result.IsComplex().Should().BeFalse();
        result.Request()!.Command.Should().Be("'echo' '{a,b}'");
        result.Flag(SshExecTool.Expansion).Should().BeTrue();
    }

    [Fact]
    public void Background_and_operators_are_facts()
    {
        var result = ShellCalls.Classify("ls & ls | grep x && ! df || uptime; free");

        result.Flag(SshExecTool.Background).Should().BeTrue();
        result.Stages()[0].Get(SshExecTool.StageBackground)!.Flag.Should().BeTrue();
        result.Stages()[1].Get(SshExecTool.StageBackground)!.Flag.Should().BeFalse();
        result.Facts.Get(SshExecTool.Operators)!.Items.Should().Equal("!", "&", "&&", ";", "|", "||");
        result.Facts.Get(SshExecTool.StageCount)!.Number.Should().Be(6);
    }

    [Fact]
    public void A_command_of_only_redirections_is_a_stage_without_a_program()
    {
        var result = ShellCalls.Classify("> /etc/motd");

        result.Commands().Should().Equal(string.Empty);
        result.Stages()[0].List(SshExecTool.StageWrites).Should().Equal("/etc/motd");
    }

    [Fact]
    public void Sed_in_place_lists_the_files_it_writes()
    {
        var stage = ShellCalls.Classify("sed -i 's/a/b/' /etc/hosts /etc/motd").Stages()[0];

        stage.List(SshExecTool.StageWrites).Should().Equal("/etc/hosts", "/etc/motd");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# nothing\n")]
    public void No_commands_is_unparsed(string command)
    {
        var result = command.Length == 0
            ? ShellCalls.ClassifyJson("""{"host": "web-1", "command": ""}""")
            : ShellCalls.Classify(command);

        (result.IsUnparsed || !result.Refusals.IsEmpty).Should().BeTrue();
        result.Request().Should().BeNull();
    }

    [Fact]
    public void An_unparsed_command_says_why_and_sends_nothing()
    {
        var result = ShellCalls.Classify("if true; then ls; fi");

        result.IsUnparsed.Should().BeTrue();
        result.UnparsedReasons.Should().ContainSingle().Which.Should().Contain("compound command");
        result.Request().Should().BeNull();
    }

    [Fact]
    public void The_request_carries_the_stages_for_the_approval_preview()
    {
        var request = ShellCalls.ClassifyJson("""{"host": "web-1", "command": "ls | wc -l", "timeoutSeconds": 30}""").Request()!;

        request.Host.Should().Be("web-1");
        request.TimeoutSeconds.Should().Be(30);
        request.Stages.Select(s => (s.Program, string.Join(' ', s.Arguments))).Should().Equal(("ls", string.Empty), ("wc", "-l"));
    }
}
