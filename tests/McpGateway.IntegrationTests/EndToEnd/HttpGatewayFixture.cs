using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>One gateway process over HTTP, shared by a test class, with keys for each test identity.</summary>
public sealed class HttpGatewayFixture : IAsyncLifetime
{
    internal GatewayEnvironment Environment { get; private set; } = null!;

    internal GatewayServer Server { get; private set; } = null!;

    public string AgentKey { get; private set; } = null!;

    public string OutsiderKey { get; private set; } = null!;

    public string LimitedKey { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment = await GatewayEnvironment.CreateAsync();
        AgentKey = await Environment.CreateKeyAsync("test-agent");
        OutsiderKey = await Environment.CreateKeyAsync("outsider");
        LimitedKey = await Environment.CreateKeyAsync("limited-agent");
        Server = await GatewayServer.StartAsync(Environment);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Environment.DisposeAsync();
    }
}
