using McpGateway.Hosting.Authentication;
using McpGateway.Hosting.Mcp;
using McpGateway.Runtime;
using McpGateway.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpGateway.Hosting;

/// <summary><c>serve --stdio</c>: MCP over standard input and output, as the identity of <c>MCPGW_API_KEY</c>.</summary>
internal static class StdioGatewayHost
{
    public static async Task<int> RunAsync(GatewayRuntime runtime, IGatewayStore store, Audit.Checkpoints.AuditSigningKey signingKey, TextWriter error, CancellationToken cancellationToken)
    {
        var key = Environment.GetEnvironmentVariable(StdioCredential.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            await error.WriteLineAsync($"error: serve --stdio runs as the identity of an API key: set {StdioCredential.EnvironmentVariable} to a key from 'mcp-gateway keys create --identity NAME'.").ConfigureAwait(false);
            return McpGateway.Cli.GatewayCli.Misuse;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddGatewayLogging();
        builder.Services.AddGatewayCore(runtime, store, signingKey);
        builder.Services.AddSingleton(new StdioCredential(key.Trim()));
        builder.Services.AddSingleton<ICallerResolver, StdioCallerResolver>();
        builder.Services.AddGatewayMcpServer().WithStdioServerTransport();
        using var host = builder.Build();

        // The key is checked before anything is served, with the same services that serve.
        var check = await host.Services.GetRequiredService<ApiKeyService>().AuthenticateAsync(key.Trim(), cancellationToken).ConfigureAwait(false);
        if (!check.Succeeded)
        {
            await error.WriteLineAsync($"error: {StdioCredential.EnvironmentVariable} is not usable: {check.Failure}").ConfigureAwait(false);
            return McpGateway.Cli.GatewayCli.Misuse;
        }

        if (!check.Identity!.Roles.Contains(Policies.Roles.Agent))
        {
            await error.WriteLineAsync($"error: {StdioCredential.EnvironmentVariable} belongs to identity '{check.Identity.Name}', which does not hold the 'agent' role; serve --stdio serves only agents. Use a key of an identity with the agent role.").ConfigureAwait(false);
            return McpGateway.Cli.GatewayCli.Misuse;
        }

        await error.WriteLineAsync($"mcp-gateway serving MCP on stdio as '{check.Identity!.Name}' (policy revision {runtime.Engine.Revision[..12]})").ConfigureAwait(false);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return await HostFailures.ExitStatusAsync(host.Services, error, McpGateway.Cli.GatewayCli.Success).ConfigureAwait(false);
    }
}
