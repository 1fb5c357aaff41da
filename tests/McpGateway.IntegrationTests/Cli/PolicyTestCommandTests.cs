namespace McpGateway.IntegrationTests.Cli;

public sealed class PolicyTestCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-policytest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_reference_bundle_passes_its_own_tests()
    {
        var result = await GatewayProcess.RunAsync(["policy", "test", Path.Combine(GatewayProcess.RepositoryRoot, "samples", "policies", "reference.tests.yaml"), "--config", GatewayProcess.ReferenceConfig]);

        result.ExitCode.Should().Be(0, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().MatchRegex(@"(?m)^\d+ passed, 0 failed$");
    }

    [Fact]
    public async Task A_mismatch_fails_with_exit_one_and_says_what_differed()
    {
        var file = Write("""
            cases:
              - name: expected wrongly
                identity: billing-agent
                tool: http_call
                args: { service: billing, method: GET, path: /metrics }
                expect: allow
              - name: expected rightly
                identity: billing-agent
                tool: http_call
                args: { service: billing, method: GET, path: /api/a }
                expect: { decision: allow, obligations: { timeout: 30s } }
            """);

        var result = await GatewayProcess.RunAsync(["policy", "test", file, "--config", GatewayProcess.ReferenceConfig]);

        result.ExitCode.Should().Be(1);
        result.StandardOutput.Should().Contain("FAIL  expected wrongly").And.Contain("expected decision allow, got deny")
            .And.Contain("1 passed, 1 failed");
    }

    [Theory]
    [InlineData("matchedRules: [other-rule]", "expected matched rules [other-rule]")]
    [InlineData("reasons: [no such words]", "expected a reason containing 'no such words'")]
    [InlineData("obligations: { timeout: 5s }", "expected obligation timeout = \"5s\"")]
    [InlineData("obligations: { maxRows: 5 }", "expected obligation maxRows, which the decision does not carry")]
    public async Task Each_expectation_is_checked(string expectation, string message)
    {
        var file = Write($$"""
            cases:
              - name: case
                identity: billing-agent
                tool: http_call
                args: { service: billing, method: GET, path: /api/a }
                expect: { decision: allow, {{expectation}} }
            """);

        var result = await GatewayProcess.RunAsync(["policy", "test", file, "--config", GatewayProcess.ReferenceConfig]);

        result.ExitCode.Should().Be(1);
        result.StandardOutput.Should().Contain(message);
    }

    [Theory]
    [InlineData("cases: []", "holds no test cases")]
    [InlineData("cases:\n  - name: x\n    identity: a\n    tool: http_call\n    expect: allow", "needs 'args'")]
    [InlineData("cases:\n  - name: x\n    identity: a\n    tool: http_call\n    args: {}\n    expect: maybe", "unknown decision 'maybe'")]
    [InlineData("cases: [", "Not valid YAML")]
    [InlineData("cases:\n  - name: [a, b\n    identity: a\n  - name: x\n", "Not valid YAML")]
    [InlineData("cases:\n  - name: x\n    identity: a\n    tool: http_call\n    args: { [a]: 1 }\n    expect: allow", "a key must be a plain name")]
    [InlineData("cases:\n  - name: x\n    identity: a\n    tool: http_call\n    args: { a: 1, 'a': 2 }\n    expect: allow", "Duplicate key")]
    [InlineData("cases:\n  - name: x\n    identity: a\n    tool: http_call\n    args: {}\n    expect: { decision: allow, obligations: { [t]: 1 } }", "a key must be a plain name")]
    [InlineData("cases: &c [ { name: x, args: *c } ]", "refers to a node that contains it")]
    public async Task A_malformed_test_file_is_misuse(string content, string message)
    {
        var result = await GatewayProcess.RunAsync(["policy", "test", Write(content), "--config", GatewayProcess.ReferenceConfig]);

        result.ExitCode.Should().Be(2, result.StandardError);
        result.StandardError.Should().StartWith("error: ").And.Contain(message).And.NotContain("   at ");
    }

    [Fact]
    public async Task A_missing_test_file_is_misuse()
    {
        var result = await GatewayProcess.RunAsync(["policy", "test", Path.Combine(_folder, "none.yaml"), "--config", GatewayProcess.ReferenceConfig]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("does not exist");
    }

    private string Write(string content)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, content);
        return path;
    }
}
