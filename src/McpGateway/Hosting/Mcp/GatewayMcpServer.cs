using System.Text.Json.Nodes;
using System.Text.Json;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Tools;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// The MCP surface: <c>tools/list</c> answered per caller by a list filter (only tools the caller's
/// policies can allow on a configured target), and every <c>tools/call</c> — known tool or not —
/// answered by one call-tool filter that runs the pipeline. Nothing reaches the SDK's own error path.
/// </summary>
public static class GatewayMcpServer
{
    public const string CallIdMeta = "io.mcpgateway/callId";

    public static IMcpServerBuilder AddGatewayMcpServer(this IServiceCollection services)
    {
        return services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "mcp-gateway", Title = "McpGateway", Version = typeof(GatewayMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" };
                options.ServerInstructions = "Tools here act on real infrastructure through a policy gateway. The gateway holds all credentials: never pass secrets or credential headers. A refused call explains why and how to fix it; every result carries a callId.";
            })
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [] }))
            .WithCallToolHandler((request, _) => ValueTask.FromResult(Error($"Unknown tool '{request.Params?.Name}'.")))
            .WithMessageFilters(filters => filters.AddIncomingFilter(MalformedRequestFilter.Create))
            .WithRequestFilters(filters =>
            {
                filters.AddListToolsFilter(_ => GuardedListToolsAsync);
                filters.AddCallToolFilter(_ => GuardedCallToolAsync);
            });
    }

    /// <summary>Lists nothing rather than fail open or leak an exception when the caller cannot be established.</summary>
    private static async ValueTask<ListToolsResult> GuardedListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        try
        {
            return await ListToolsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log(request.Services, ex);
            return new ListToolsResult { Tools = [], CacheScope = CacheScope.Private };
        }
    }

    /// <summary>Nothing reaches the SDK's generic error path: any failure outside the pipeline is an error result.</summary>
    private static async ValueTask<CallToolResult> GuardedCallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        try
        {
            return await CallToolAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log(request.Services, ex);
            return Error("The gateway could not handle this call (it was not executed); retry later.");
        }
    }

    private static void Log(IServiceProvider? services, Exception exception)
    {
        if (services?.GetService<Microsoft.Extensions.Logging.ILoggerFactory>() is { } factory)
        {
            McpLog.RequestFailed(factory.CreateLogger("McpGateway.Hosting.Mcp.GatewayMcpServer"), exception);
        }
    }

    private static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var services = request.Services!;
        var caller = await services.GetRequiredService<ICallerResolver>().ResolveAsync(request.Server, request.JsonRpcRequest, request.User, cancellationToken).ConfigureAwait(false);
        var result = new ListToolsResult { Tools = [], CacheScope = CacheScope.Private };
        if (caller is null)
        {
            return result;
        }

        var engine = services.GetRequiredService<GatewayRuntime>().Engine;
        foreach (var tool in services.GetServices<IGatewayToolModule>())
        {
            var targets = engine.UsableTargets(caller.Identity.Name, tool.Policy.Name);
            if (targets.Count > 0)
            {
                result.Tools.Add(ToProtocol(tool.Describe(targets)));
            }
        }

        return result;
    }

    private static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var services = request.Services!;
        var caller = await services.GetRequiredService<ICallerResolver>().ResolveAsync(request.Server, request.JsonRpcRequest, request.User, cancellationToken).ConfigureAwait(false);
        if (caller is null)
        {
            return Error("The caller is not authenticated: the API key is missing, invalid, expired or revoked.");
        }

        var malformed = request.Items.TryGetValue(MalformedRequestFilter.ItemKey, out var item) ? item as MalformedCall : null;
        var arguments = malformed?.Arguments ?? (request.Params?.Arguments is { } given
            ? JsonSerializer.SerializeToElement(given)
            : JsonSerializer.SerializeToElement(new JsonObject()));
        var outcome = await services.GetRequiredService<ToolCallPipeline>()
            .RunAsync(new ToolCallRequest(caller, request.Params?.Name ?? string.Empty, arguments) { Malformed = malformed?.Problem }, cancellationToken)
            .ConfigureAwait(false);
        return ToResult(outcome);
    }

    public static CallToolResult ToResult(ToolCallOutcome outcome) => new()
    {
        IsError = outcome.IsError,
        Content = [new TextContentBlock { Text = outcome.Text }],
        StructuredContent = outcome.Structured is null ? null : JsonSerializer.SerializeToElement(outcome.Structured),
        Meta = new JsonObject { [CallIdMeta] = outcome.CallId },
    };

    private static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    private static Tool ToProtocol(ToolDeclaration declaration) => new()
    {
        Name = declaration.Name,
        Title = declaration.Title,
        Description = declaration.Description,
        InputSchema = declaration.InputSchema,
        OutputSchema = declaration.OutputSchema,
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
