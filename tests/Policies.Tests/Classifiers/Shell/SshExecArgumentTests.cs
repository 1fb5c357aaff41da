using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Shell;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Shell;

public sealed class SshExecArgumentTests
{
    [Theory]
    [InlineData("""{"command": "ls"}""", "'host' is required")]
    [InlineData("""{"host": "web-1"}""", "'command' is required")]
    [InlineData("""{"host": 1, "command": "ls"}""", "'host' must be a string")]
    [InlineData("""{"host": "web-1", "command": ["ls"]}""", "'command' must be a string")]
    [InlineData("""{"host": "web-1", "command": "ls", "timeoutSeconds": 0}""", "'timeoutSeconds' must be a whole number")]
    [InlineData("""{"host": "web-1", "command": "ls", "timeoutSeconds": 1.5}""", "'timeoutSeconds' must be a whole number")]
    [InlineData("""{"host": "web-1", "command": "ls", "timeoutSeconds": "30"}""", "'timeoutSeconds' must be a whole number")]
    [InlineData("""{"host": "web-1", "command": "ls", "timeoutSeconds": 86401}""", "'timeoutSeconds' must be a whole number")]
    [InlineData("""{"host": "web-1", "command": "ls", "justification": "why"}""", "'justification' is not accepted")]
    [InlineData("""{"host": "web-1", "command": "ls", "user": "root"}""", "'user' is not accepted")]
    [InlineData("""{"host": "web-1", "command": "ls", "host": "db-1"}""", "more than once")]
    [InlineData("""["ls"]""", "must be a JSON object")]
    public void Bad_arguments_are_refused_with_the_fix(string json, string reason)
    {
        var result = ShellCalls.ClassifyJson(json);

        result.Refusals.Should().Contain(r => r.Code == ToolArguments.RefusalCode && r.Reason.Contains(reason, StringComparison.Ordinal));
        result.Request().Should().BeNull();
    }

    [Fact]
    public void An_unknown_host_is_refused_naming_the_configured_ones()
    {
        var result = ShellCalls.ClassifyJson("""{"host": "web-9", "command": "ls"}""");

        result.Refusals.Should().ContainSingle().Which.Reason.Should().Contain("db-1, web-1");
        result.Target.Should().Be("web-9");
    }

    [Fact]
    public void An_overlong_command_is_refused_before_it_is_parsed()
    {
        var result = ShellCalls.Classify("echo " + new string('a', SshExecClassifier.MaxCommandLength));

        result.Refusals.Should().ContainSingle().Which.Reason.Should().Contain("at most");
    }

    [Fact]
    public void The_descriptor_declares_the_ssh_target_kind_every_fact_and_the_stage_list()
    {
        var tool = SshExecTool.Create();

        tool.Name.Should().Be("ssh_exec");
        tool.TargetKind.Should().Be(TargetKinds.Ssh);
        tool.Arguments.Should().BeEquivalentTo(["host", "command", "timeoutSeconds"], "the pipeline takes 'justification' out before classification");
        tool.ElementLists.Keys.Should().Equal(SshExecTool.Stages);
        tool.Obligations.Keys.Should().Contain(SshExecTool.MaxOutputBytes);

        var facts = ShellCalls.Classify("sudo ls > /tmp/x &").Facts;
        facts.Values.Keys.Should().OnlyContain(name => tool.Facts.ContainsKey(name));
        facts.ElementsOf(SshExecTool.Stages).SelectMany(e => e.Values.Keys).Distinct().Should()
            .BeEquivalentTo(tool.Facts.Values.Where(f => f.ElementList == SshExecTool.Stages).Select(f => f.Name));
    }

    [Fact]
    public void A_bundle_can_name_every_shell_fact()
    {
        var tool = SshExecTool.Create();
        var conditions = string.Join(", ", tool.Facts.Values.Where(f => f.Name.StartsWith("shell.", StringComparison.Ordinal) && f.ElementList is null)
            .Select(f => $"\"{f.Name}\": {Sample(f.Type)}"));
        var elements = string.Join(", ", tool.Facts.Values.Where(f => f.ElementList is not null).Select(f => $"\"{f.Name}\": {Sample(f.Type)}"));

        var act = () => ShellCalls.Engine($$"""
            rules:
              - name: calls
                when: { tool: ssh_exec, facts: { {{conditions}} } }
                effect: deny
              - name: stages
                when: { tool: ssh_exec, facts: { {{elements}} } }
                effect: deny
            """);

        act.Should().NotThrow();

        static string Sample(McpGateway.Policies.Facts.FactType type) => type switch
        {
            McpGateway.Policies.Facts.FactType.Flag => "true",
            McpGateway.Policies.Facts.FactType.Number => "{ greaterThan: 1 }",
            _ => "x",
        };
    }
}
