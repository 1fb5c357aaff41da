using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>The MCP surface and the pipeline in one process, through a real client over in-memory pipes.</summary>
public sealed class InMemoryMcpTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await GatewayEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Theory]
    [InlineData(GatewayClients.Current)]
    [InlineData(GatewayClients.Sessions)]
    public async Task An_allowed_call_runs_and_is_recorded(string version)
    {
        await using var gateway = await InMemoryGateway.StartAsync(_environment, "test-agent", version);

        var tools = await gateway.Client.ListToolsAsync();
        var result = await gateway.Client.HttpCallAsync("GET", "/api/echo");

        tools.Select(t => t.Name).Should().Equal("http_call", "approval_status");
        result.IsError.Should().NotBe(true, result.Text());
        var entries = await _environment.AuditEntriesAsync();
        entries.Where(e => e.Ids.CallId == result.CallId()).Select(e => e.Type).Should().Equal("call.started", "call.finished");
    }

    [Fact]
    public async Task An_identity_no_policy_allows_sees_no_tools_and_its_calls_are_refused_and_recorded()
    {
        await using var gateway = await InMemoryGateway.StartAsync(_environment, "outsider");

        var tools = await gateway.Client.ListToolsAsync();
        var result = await gateway.Client.HttpCallAsync("GET", "/api/echo");

        tools.Should().BeEmpty();
        result.IsError.Should().BeTrue();
        (await _environment.AuditEntriesAsync()).Should().ContainSingle(e => e.Type == "call.refused" && e.Ids.Identity == "outsider");
    }
}
