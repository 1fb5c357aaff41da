using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;

namespace McpGateway.IntegrationTests.Approvals;

/// <summary>
/// A real <c>serve --http</c> gateway with approval rules, short waits and keys for an agent and
/// for operators in and out of the approver group (one of them the agent's owner).
/// </summary>
public sealed class ApprovalFixture : IAsyncLifetime
{
    internal GatewayEnvironment Environment { get; private set; } = null!;

    internal GatewayServer Server { get; private set; } = null!;

    public string AgentKey { get; private set; } = null!;

    public string OtherAgentKey { get; private set; } = null!;

    public string ApproverKey { get; private set; } = null!;

    public string Approver2Key { get; private set; } = null!;

    public string OutsideOperatorKey { get; private set; } = null!;

    public string OwnerKey { get; private set; } = null!;

    public string ApprovingAgentKey { get; private set; } = null!;

    public string AuditorKey { get; private set; } = null!;

    public static JsonObject Timings => new() { ["ApprovalPoll"] = "100ms", ["ApprovalProgress"] = "1s", ["ApprovalSweep"] = "500ms", ["ReloadPoll"] = "200ms" };

    public async Task InitializeAsync()
    {
        Environment = await GatewayEnvironment.CreateAsync();
        Environment.WriteConfiguration(false, timings: Timings, approvals: new JsonObject { ["Wait"] = "20s", ["WaitWithoutProgress"] = "500ms", ["MaxPendingPerIdentity"] = 500 });
        AgentKey = await Environment.CreateKeyAsync("test-agent");
        OtherAgentKey = await Environment.CreateKeyAsync("limited-agent");
        ApproverKey = await Environment.CreateKeyAsync("approver");
        Approver2Key = await Environment.CreateKeyAsync("approver2");
        OutsideOperatorKey = await Environment.CreateKeyAsync("outside-operator");
        OwnerKey = await Environment.CreateKeyAsync("agent-owner");
        ApprovingAgentKey = await Environment.CreateKeyAsync("approving-agent");
        AuditorKey = await Environment.CreateKeyAsync("auditor");
        Server = await GatewayServer.StartAsync(Environment);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Environment.DisposeAsync();
    }

    internal Task<McpClient> AgentAsync(string? key = null) => GatewayClients.HttpAsync(Server, key ?? AgentKey, GatewayClients.Current);

    internal OperatorApi Operator(string key) => new(Server, key);

    /// <summary>How many requests with this method and path reached the service.</summary>
    internal int Hits(string method, string path) => Environment.Service.Requests.Count(r => r.Method == method && r.Target == path);
}
