using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.IntegrationTests.Support;

/// <summary>Real MCP clients (the SDK's <see cref="McpClient"/>) for both transports and protocol versions.</summary>
internal static class GatewayClients
{
    public const string Current = "2026-07-28";
    public const string Sessions = "2025-11-25";

    public static Task<McpClient> HttpAsync(GatewayServer server, string? key, string protocolVersion)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = server.McpEndpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = key is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        });
        return McpClient.CreateAsync(transport, Options(protocolVersion));
    }

    public static Task<McpClient> StdioAsync(GatewayEnvironment environment, string key, string protocolVersion, Action<string>? stderr = null)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "mcp-gateway",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll"), "serve", "--stdio", "--config", environment.ConfigPath],
            WorkingDirectory = Path.GetTempPath(),
            EnvironmentVariables = new Dictionary<string, string?> { ["MCPGW_API_KEY"] = key, ["MCPGW_CONFIG"] = null },
            StandardErrorLines = stderr ?? (_ => { }),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        return McpClient.CreateAsync(transport, Options(protocolVersion));
    }

    public static async Task<CallToolResult> HttpCallAsync(this McpClient client, string method, string path, object? headers = null, string? body = null, string service = "loopback")
    {
        var arguments = new Dictionary<string, object?> { ["service"] = service, ["method"] = method, ["path"] = path };
        if (headers is not null)
        {
            arguments["headers"] = headers;
        }

        if (body is not null)
        {
            arguments["body"] = body;
        }

        return await client.CallToolAsync("http_call", arguments);
    }

    public static string Text(this CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    public static JsonElement Structured(this CallToolResult result)
    {
        result.IsError.Should().NotBe(true, result.Text());
        return result.StructuredContent!.Value;
    }

    public static string? CallId(this CallToolResult result) =>
        result.Meta?["io.mcpgateway/callId"]?.GetValue<string>();

    internal static McpClientOptions Options(string protocolVersion) => new()
    {
        ClientInfo = new Implementation { Name = "e2e-tests", Version = "1.0.0" },
        ProtocolVersion = protocolVersion,
        InitializationTimeout = TimeSpan.FromSeconds(30),
    };
}
