using System.Text.Json.Nodes;
using System.Text.Json;
using McpGateway.Pipeline;
using ModelContextProtocol;
using McpGateway.Runtime;
using McpGateway.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// The MCP surface: the server's identity and instructions, the handlers (see
/// <see cref="GatewayMcpHandlers"/>) and the message filter for malformed requests.
/// </summary>
public static class GatewayMcpServer
{
    public const string CallIdMeta = "io.mcpgateway/callId";

    public static IMcpServerBuilder AddGatewayMcpServer(this IServiceCollection services)
    {
        // The handlers are built by the container, with their dependencies, not looked up per request.
        services.AddSingleton<IConfigureOptions<McpServerOptions>, GatewayMcpHandlers>();
        services.AddSingleton<IConfigureOptions<McpServerOptions>, GatewayResourceHandlers>();
        return services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "mcp-gateway", Title = "McpGateway", Version = typeof(GatewayMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" };
                options.ServerInstructions = "Tools here act on real infrastructure through a policy gateway. The gateway holds all credentials: never pass secrets or credential headers. A refused call explains why and how to fix it; every result carries a callId.";
            })
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [] }))
            .WithCallToolHandler((request, _) => ValueTask.FromResult(Error($"Unknown tool '{request.Params?.Name}'.")))
            .WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult { Resources = [] }))
            .WithListResourceTemplatesHandler((_, _) => ValueTask.FromResult(new ListResourceTemplatesResult { ResourceTemplates = [] }))
            .WithReadResourceHandler((request, _) => throw new McpProtocolException($"There is no resource '{request.Params?.Uri}'.", McpErrorCode.ResourceNotFound))
            .WithMessageFilters(filters => filters.AddIncomingFilter(MalformedRequestFilter.Create));
    }

    public static CallToolResult ToResult(ToolCallOutcome outcome) => new()
    {
        IsError = outcome.IsError,
        Content = [new TextContentBlock { Text = outcome.Text }],
        StructuredContent = outcome.Structured is null ? null : JsonSerializer.SerializeToElement(outcome.Structured),
        Meta = outcome.CallId.Length == 0 ? null : new JsonObject { [CallIdMeta] = outcome.CallId },
    };

    internal static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    internal static Tool ToProtocol(ToolDeclaration declaration) => new()
    {
        Name = declaration.Name,
        Title = declaration.Title,
        Description = declaration.Description,
        InputSchema = declaration.InputSchema,
        OutputSchema = declaration.OutputSchema.ValueKind == JsonValueKind.Undefined ? null : declaration.OutputSchema,
        Annotations = new ToolAnnotations
        {
            Title = declaration.Title,
            ReadOnlyHint = declaration.ReadOnly,
            DestructiveHint = declaration.Destructive,
            IdempotentHint = declaration.Idempotent,
            OpenWorldHint = declaration.OpenWorld,
        },
    };
}
