using System.Text.Json;

namespace McpGateway.IntegrationTests.Cli;

public sealed class PolicyEvalCommandTests
{
    private static Task<ProcessResult> EvalAsync(string identity, string args, params string[] extra) =>
        GatewayProcess.RunAsync(["policy", "eval", "--config", GatewayProcess.ReferenceConfig, "--identity", identity, "--tool", "http_call", "--args", args, .. extra]);

    [Fact]
    public async Task An_allowed_call_prints_the_decision_with_every_documented_key()
    {
        var result = await EvalAsync("billing-agent", """{"service":"billing","method":"GET","path":"/api/./invoices/%7e42?b=2&a=1"}""");

        result.ExitCode.Should().Be(0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["decision", "reasons", "matchedRules", "obligations", "facts", "revision"]);
        root.GetProperty("decision").GetString().Should().Be("allow");
        root.GetProperty("matchedRules")[0].GetString().Should().Be("billing-agent-reads");
        root.GetProperty("facts").GetProperty("http.path").GetString().Should().Be("/api/invoices/~42");
        root.GetProperty("facts").GetProperty("http.query").GetString().Should().Be("b=2&a=1");
        root.GetProperty("obligations").GetProperty("maxResponseBytes").GetInt64().Should().Be(1024 * 1024);
        root.GetProperty("revision").GetString().Should().MatchRegex("^[0-9a-f]{64}$");
    }

    [Fact]
    public async Task A_write_needs_approval_and_names_the_approvers()
    {
        var result = await EvalAsync("billing-agent", """{"service":"billing","method":"PATCH","path":"/api/invoices/42","body":"{}"}""");

        result.ExitCode.Should().Be(0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("decision").GetString().Should().Be("approval");
        json.RootElement.GetProperty("approvers")[0].GetProperty("groups")[0].GetString().Should().Be("billing-admins");
    }

    [Theory]
    [InlineData("nobody", """{"service":"billing","method":"GET","path":"/api/x"}""", "builtin:unknown-identity")]
    [InlineData("billing-agent", """{"service":"billing","method":"GET"}""", "builtin:arguments")]
    [InlineData("billing-agent", """[1,2]""", "builtin:arguments")]
    [InlineData("billing-agent", """{"service":"payroll","method":"GET","path":"/api/x"}""", "builtin:unknown-target")]
    [InlineData("billing-agent", """{"service":"billing","method":"GET","path":"//evil.example/api/x"}""", "builtin:leaves-service")]
    [InlineData("billing-agent", """{"service":"billing","method":"GET","path":"/api/x","headers":{"Cookie":"a=b"}}""", "builtin:forbidden-header")]
    [InlineData("billing-agent", """{"service":"billing","method":"GET","path":"/api/x","headers":{"X-Note":"a\r\nHost: evil"}}""", "builtin:header-injection")]
    public async Task Anything_wrong_with_the_call_is_a_deny_with_a_reason_and_exit_zero(string identity, string args, string rule)
    {
        var result = await EvalAsync(identity, args);

        result.ExitCode.Should().Be(0, result.StandardError);
        using var json = JsonDocument.Parse(result.StandardOutput);
        json.RootElement.GetProperty("decision").GetString().Should().Be("deny");
        json.RootElement.GetProperty("matchedRules").EnumerateArray().Select(r => r.GetString()).Should().Contain(rule);
        json.RootElement.GetProperty("reasons").GetArrayLength().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task An_unknown_tool_is_a_deny_too()
    {
        var result = await GatewayProcess.RunAsync(["policy", "eval", "--config", GatewayProcess.ReferenceConfig, "--identity", "dba", "--tool", "drop_everything", "--args", "{}"]);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("\"deny\"").And.Contain("builtin:unknown-tool");
    }

    [Fact]
    public async Task Malformed_args_json_is_misuse_with_exit_two()
    {
        var result = await EvalAsync("billing-agent", "{not json");

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("--args is not valid JSON");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task Malformed_args_json_names_the_line_and_column_of_the_mistake()
    {
        var result = await EvalAsync("billing-agent", """{"service": "billing" "method": "GET"}""");

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().StartWith("error: --args is not valid JSON at line 1, column 23: ").And.NotContain("BytePositionInLine");
    }

    [Fact]
    public async Task A_missing_option_is_misuse_with_exit_two()
    {
        var result = await GatewayProcess.RunAsync(["policy", "eval", "--config", GatewayProcess.ReferenceConfig, "--tool", "http_call", "--args", "{}"]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("--identity").And.Contain("--help");
    }

    [Fact]
    public async Task Client_decides_as_if_the_identity_called_through_that_application()
    {
        var folder = Directory.CreateTempSubdirectory("mcpgw-eval-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "client.yaml"), "rules:\n  - name: reports-app-reads\n    when: { identity: billing-agent, client: reports-app, tool: http_call }\n    effect: allow\n");
            const string Args = """{"service":"billing","method":"GET","path":"/api/invoices"}""";

            var through = await EvalAsync("billing-agent", Args, "--policies", folder, "--client", "reports-app");
            var other = await EvalAsync("billing-agent", Args, "--policies", folder, "--client", "other-app");
            var none = await EvalAsync("billing-agent", Args, "--policies", folder);

            JsonDocument.Parse(through.StandardOutput).RootElement.GetProperty("decision").GetString().Should().Be("allow", through.StandardError);
            JsonDocument.Parse(other.StandardOutput).RootElement.GetProperty("decision").GetString().Should().Be("deny");
            JsonDocument.Parse(none.StandardOutput).RootElement.GetProperty("decision").GetString().Should().Be("deny", "a caller without an application matches no client rule");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_bundle_with_errors_is_misuse_and_every_error_is_listed_with_file_and_line()
    {
        var folder = Directory.CreateTempSubdirectory("mcpgw-eval-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "bad.yaml"), "rules:\n  - name: a\n    when: { tool: http_call, facts: { http.verb: GET } }\n    effect: allow\n  - name: b\n    effect: approval\n");
            var result = await EvalAsync("billing-agent", """{"service":"billing","method":"GET","path":"/"}""", "--policies", folder);

            result.ExitCode.Should().Be(2);
            result.StandardError.Should().Contain("bad.yaml:3:").And.Contain("Unknown fact 'http.verb'")
                .And.Contain("bad.yaml:5:").And.Contain("needs 'approvers");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("rules:\n  - name: [a, b\n    effect: allow\n  - name: x\n", "bad.yaml:2:")]
    [InlineData("deep", "Nesting deeper than 64 levels")]
    [InlineData("rules: &r [ { name: a, effect: allow }, *r ]\n", "refers to a node that contains it")]
    public async Task A_bundle_that_is_not_yaml_gives_a_located_error_and_no_stack_trace(string content, string message)
    {
        var folder = Directory.CreateTempSubdirectory("mcpgw-eval-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "bad.yaml"), content == "deep" ? "rules: " + new string('[', 100_000) + new string(']', 100_000) : content);
            var result = await EvalAsync("billing-agent", """{"service":"billing","method":"GET","path":"/"}""", "--policies", folder);

            result.ExitCode.Should().Be(2, result.StandardError);
            result.StandardError.Should().StartWith("error: ").And.Contain("bad.yaml:").And.Contain(message).And.NotContain("   at ");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_configuration_is_found_through_MCPGW_CONFIG()
    {
        var result = await GatewayProcess.RunAsync(
            ["policy", "eval", "--identity", "billing-agent", "--tool", "http_call", "--args", """{"service":"billing","method":"GET","path":"/api/a"}"""],
            new Dictionary<string, string?> { ["MCPGW_CONFIG"] = GatewayProcess.ReferenceConfig },
            workingDirectory: Path.GetTempPath());

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("\"allow\"");
    }

    [Fact]
    public async Task Without_a_configuration_the_default_beside_the_app_is_used_and_its_problem_explained()
    {
        var result = await GatewayProcess.RunAsync(
            ["policy", "eval", "--identity", "billing-agent", "--tool", "http_call", "--args", "{}"],
            workingDirectory: Path.GetTempPath());

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).And.Contain("configures no identities")
            .And.Contain("hint: no --config was given");
    }

    [Fact]
    public async Task A_config_file_that_does_not_exist_is_misuse()
    {
        var result = await GatewayProcess.RunAsync(["policy", "eval", "--config", "/nonexistent/gw.json", "--identity", "a", "--tool", "http_call", "--args", "{}"]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("/nonexistent/gw.json").And.Contain("does not exist");
    }

    [Fact]
    public async Task Environment_variables_override_the_configuration()
    {
        var result = await GatewayProcess.RunAsync(
            ["policy", "eval", "--config", GatewayProcess.ReferenceConfig, "--identity", "billing-agent", "--tool", "http_call", "--args", """{"service":"billing","method":"GET","path":"/api/a"}"""],
            new Dictionary<string, string?> { ["McpGateway__Policies"] = "/nonexistent-bundle" });

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("/nonexistent-bundle");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("policy", "--help")]
    [InlineData("policy", "eval", "--help")]
    [InlineData("policy", "test", "--help")]
    [InlineData("serve", "--help")]
    [InlineData("keys", "create", "--help")]
    [InlineData("audit", "session", "--help")]
    [InlineData("mask", "--help")]
    public async Task Every_verb_has_help(params string[] args)
    {
        var result = await GatewayProcess.RunAsync(args);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("Usage:").And.Contain("--config");
    }

    [Fact]
    public async Task An_unknown_verb_is_misuse()
    {
        var result = await GatewayProcess.RunAsync(["polcy", "eval"]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().NotBeEmpty();
    }
}
