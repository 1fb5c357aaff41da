using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;

namespace McpGateway.IntegrationTests.Approvals;

/// <summary>
/// The README's demo on the reference configuration and bundle: a stdio agent's billing write
/// waits while an operator, on a <c>serve --http</c> over the same data folder, approves it
/// with the <c>approvals</c> CLI; the agent then gets the service's answer.
/// </summary>
public sealed class ReferenceApprovalDemoTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcpgw-demo-").FullName;
    private LoopbackService _billing = null!;
    private string _config = null!;

    public async Task InitializeAsync()
    {
        _billing = await LoopbackService.StartAsync();
        File.WriteAllText(Path.Combine(_root, "billing.token"), "demo-billing-token-0f4e2a9c71");
        var config = JsonNode.Parse(File.ReadAllText(GatewayProcess.ReferenceConfig))!;
        var gateway = config["McpGateway"]!;
        gateway["DataDirectory"] = Path.Combine(_root, "data");
        gateway["Policies"] = Path.Combine(GatewayProcess.RepositoryRoot, "samples", "policies", "reference");
        gateway["Targets"]!["Http"]!["billing"]!["BaseUrl"] = _billing.BaseUrl.ToString();
        gateway["Targets"]!["Http"]!["billing"]!["Auth"]!["Bearer"] = "{file:billing.token}";
        gateway["Timings"] = new JsonObject { ["ApprovalPoll"] = "100ms", ["ApprovalProgress"] = "1s" };
        _config = Path.Combine(_root, "gateway.json");
        File.WriteAllText(_config, config.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await _billing.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_billing_write_is_approved_from_the_cli_while_the_stdio_agent_waits()
    {
        var agentKey = (await GatewayProcess.RunAsync(["keys", "create", "--identity", "billing-agent", "--config", _config])).StandardOutput.Trim();
        var adminKey = (await GatewayProcess.RunAsync(["keys", "create", "--identity", "billing-admin", "--config", _config])).StandardOutput.Trim();
        await using var server = await GatewayServer.StartAsync(_config, _root, "http://127.0.0.1:0");
        await using var agent = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-gateway",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll"), "serve", "--stdio", "--config", _config],
            EnvironmentVariables = new Dictionary<string, string?> { ["MCPGW_API_KEY"] = agentKey, ["MCPGW_CONFIG"] = null },
        }), GatewayClients.Options(GatewayClients.Current));
        var progress = new ConcurrentQueue<string>();
        var operatorEnvironment = new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = adminKey };
        var url = server.BaseUrl.ToString();

        var write = agent.HttpCallWithProgressAsync("POST", "/api/echo/invoices", progress, body: "{\"customer\":\"customer-9\",\"amount\":950}", justification: "customer-9 asked for an invoice", service: "billing");
        string? id = null;
        var seen = string.Empty;
        for (var attempt = 0; id is null && attempt < 60 && !write.IsCompleted; attempt++)
        {
            var list = await GatewayProcess.RunAsync(["approvals", "list", "--url", url, "--status", "pending"], operatorEnvironment);
            seen = list.StandardOutput + list.StandardError;
            id = list.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("billing-agent", StringComparison.Ordinal))?.Split(' ')[0];
            await Task.Delay(200);
        }

        var early = write.IsCompleted ? (await write).Text() : "still waiting";
        id.Should().NotBeNull($"the write should wait for approval; the CLI said: {seen}; the call: {early}");

        var approve = await GatewayProcess.RunAsync(["approvals", "approve", id!, "--url", url, "--reason", "matches the ticket"], operatorEnvironment);
        var result = await write;

        approve.ExitCode.Should().Be(0, approve.StandardError);
        progress.Should().Contain(m => m.Contains(id, StringComparison.Ordinal) && m.Contains("billing-admins", StringComparison.Ordinal));
        result.Text().Should().StartWith("HTTP 200 from billing POST /api/echo/invoices");
        _billing.Requests.Should().ContainSingle(r => r.Target == "/api/echo/invoices").Which.Headers["authorization"].Should().Be("Bearer demo-billing-token-0f4e2a9c71");
        result.Text().Should().NotContain("demo-billing-token", "the echoed token is redacted");
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", _config]);
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
    }
}
