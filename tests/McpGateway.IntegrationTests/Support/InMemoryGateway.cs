using System.IO.Pipelines;
using McpGateway.Configuration;
using McpGateway.Hosting;
using McpGateway.Hosting.Mcp;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// The gateway's whole MCP surface in this process, with a real <see cref="McpClient"/> talking
/// to it over a pair of in-memory pipes (the SDK's stream transports), as the identity of a
/// real API key in the real store. For pipeline and MCP-surface tests that need no process:
/// they start in milliseconds. Process tests remain for the CLI, TLS and the transports.
/// </summary>
internal sealed class InMemoryGateway : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly SqliteGatewayStore _store;
    private readonly Pipe _toServer;
    private readonly Pipe _toClient;

    private InMemoryGateway(IHost host, SqliteGatewayStore store, Pipe toServer, Pipe toClient, McpClient client, GatewayRuntime runtime)
    {
        _host = host;
        _store = store;
        _toServer = toServer;
        _toClient = toClient;
        Client = client;
        Runtime = runtime;
    }

    public McpClient Client { get; }

    public GatewayRuntime Runtime { get; }

    public static async Task<InMemoryGateway> StartAsync(GatewayEnvironment environment, string identity, string protocolVersion = GatewayClients.Current)
    {
        var key = await environment.CreateKeyAsync(identity);
        var runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(environment.ConfigPath), TimeProvider.System);
        var store = await SqliteGatewayStore.OpenAsync(environment.DataDirectory, TimeProvider.System, CancellationToken.None);
        var toServer = new Pipe();
        var toClient = new Pipe();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGatewayCore(runtime, store);
        builder.Services.AddSingleton(new StdioCredential(key));
        builder.Services.AddSingleton<ICallerResolver, StdioCallerResolver>();
        builder.Services.AddGatewayMcpServer().WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        var host = builder.Build();
        await host.StartAsync();

        var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), GatewayClients.Options(protocolVersion));
        return new InMemoryGateway(host, store, toServer, toClient, client, runtime);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _toServer.Writer.CompleteAsync();
        await _toClient.Writer.CompleteAsync();
        await _host.StopAsync();
        _host.Dispose();
        await _store.DisposeAsync();
    }
}
