using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>The gateway started by a real MCP client as a stdio child process.</summary>
public sealed class StdioTransportTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await GatewayEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Theory]
    [InlineData(GatewayClients.Current)]
    [InlineData(GatewayClients.Sessions)]
    public async Task A_stdio_client_lists_calls_and_is_refused_as_policy_says(string version)
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var client = await GatewayClients.StdioAsync(_environment, key, version);

        var tools = await client.ListToolsAsync();
        var allowed = await client.HttpCallAsync("GET", "/api/echo/stdio");
        var denied = await client.HttpCallAsync("GET", "/api/admin");

        tools.Select(t => t.Name).Should().Equal("http_call", "approval_status");
        allowed.Structured().GetProperty("status").GetInt32().Should().Be(200);
        denied.IsError.Should().BeTrue();
        denied.Text().Should().Contain("off limits");
    }

    [Fact]
    public async Task Every_stdio_call_shares_one_session_id_per_process()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using (var client = await GatewayClients.StdioAsync(_environment, key, GatewayClients.Current))
        {
            await client.HttpCallAsync("GET", "/api/echo/1");
            await client.HttpCallAsync("GET", "/api/echo/2");
        }

        var sessions = (await _environment.AuditEntriesAsync()).Where(e => e.Type == "call.started").Select(e => e.Ids.SessionId).Distinct().ToList();
        var session = sessions.Should().ContainSingle().Which;
        session.Should().StartWith("s-");

        var transcript = await GatewayProcess.RunAsync(["audit", "session", session!, "--config", _environment.ConfigPath]);
        var unknown = await GatewayProcess.RunAsync(["audit", "session", "s-nothing", "--config", _environment.ConfigPath]);

        transcript.ExitCode.Should().Be(0, transcript.StandardError);
        var lines = transcript.StandardOutput.Trim().Split('\n');
        lines.Should().HaveCount(4);
        lines[0].Should().Contain("call.started").And.Contain("http_call loopback allow by [agent-reads-api]").And.Contain("/api/echo/1");
        lines[1].Should().Contain("call.finished").And.Contain("ok in");
        unknown.ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task Without_a_valid_key_the_stdio_gateway_refuses_to_start()
    {
        var missing = await GatewayProcess.RunAsync(["serve", "--stdio", "--config", _environment.ConfigPath]);
        var invalid = await GatewayProcess.RunAsync(["serve", "--stdio", "--config", _environment.ConfigPath], new Dictionary<string, string?> { ["MCPGW_API_KEY"] = "mgw_nope" });

        missing.ExitCode.Should().Be(2);
        missing.StandardError.Should().Contain("MCPGW_API_KEY").And.Contain("keys create");
        missing.StandardOutput.Should().BeEmpty("standard output is the protocol channel");
        invalid.ExitCode.Should().Be(2);
        invalid.StandardError.Should().Contain("not an McpGateway API key");
    }

    [Fact]
    public async Task An_operator_key_cannot_serve_stdio()
    {
        var key = await _environment.CreateKeyAsync("approver");

        var result = await GatewayProcess.RunAsync(["serve", "--stdio", "--config", _environment.ConfigPath], new Dictionary<string, string?> { ["MCPGW_API_KEY"] = key });

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("does not hold the 'agent' role");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task A_key_revoked_while_the_process_runs_stops_working_at_once()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var client = await GatewayClients.StdioAsync(_environment, key, GatewayClients.Current);
        (await client.HttpCallAsync("GET", "/api/echo")).IsError.Should().NotBe(true);

        await _environment.RevokeKeyAsync(key);
        var after = await client.HttpCallAsync("GET", "/api/echo");

        after.IsError.Should().BeTrue();
        after.Text().Should().Contain("not authenticated");
    }

    [Fact]
    public async Task Logs_go_to_standard_error_only()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var lines = new List<string>();
        await using (var client = await GatewayClients.StdioAsync(_environment, key, GatewayClients.Current, line => { lock (lines) { lines.Add(line); } }))
        {
            await client.HttpCallAsync("GET", "/api/echo");
        }

        lock (lines)
        {
            lines.Should().Contain(l => l.Contains("serving MCP on stdio as 'test-agent'", StringComparison.Ordinal));
        }
    }
}
