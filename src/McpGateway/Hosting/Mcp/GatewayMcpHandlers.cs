using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// <c>tools/list</c> answered per caller (only tools the caller's policies can allow on a
/// configured target), and every <c>tools/call</c> — known tool or not — run through the
/// pipeline. Built by the container with what it needs; nothing reaches the SDK's own error path.
/// </summary>
internal sealed class GatewayMcpHandlers(
    ICallerResolver callers,
    GatewayRuntime runtime,
    IEnumerable<IGatewayToolModule> tools,
    ToolCallPipeline pipeline,
    ILogger<GatewayMcpHandlers> logger) : IConfigureOptions<McpServerOptions>
{
    private readonly IGatewayToolModule[] _tools = [.. tools];

    public void Configure(McpServerOptions options)
    {
        options.Filters.Request.ListToolsFilters.Add(_ => GuardedListToolsAsync);
        options.Filters.Request.CallToolFilters.Add(_ => GuardedCallToolAsync);
    }

    /// <summary>Lists nothing rather than fail open or leak an exception when the caller cannot be established.</summary>
    private async ValueTask<ListToolsResult> GuardedListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        try
        {
            return await ListToolsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            McpLog.RequestFailed(logger, ex);
            return new ListToolsResult { Tools = [], CacheScope = CacheScope.Private };
        }
    }

    /// <summary>Nothing reaches the SDK's generic error path: any failure outside the pipeline is an error result.</summary>
    private async ValueTask<CallToolResult> GuardedCallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        try
        {
            return await CallToolAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            McpLog.RequestFailed(logger, ex);
            return GatewayMcpServer.Error("The gateway could not handle this call (it was not executed); retry later.");
        }
    }

    private async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request.Server, request.JsonRpcRequest, request.User, cancellationToken).ConfigureAwait(false);
        var result = new ListToolsResult { Tools = [], CacheScope = CacheScope.Private };
        if (caller is null)
        {
            return result;
        }

        var engine = runtime.Engine;
        foreach (var tool in _tools)
        {
            var targets = engine.UsableTargets(caller.Identity.Name, tool.Policy.Name);
            if (targets.Count > 0)
            {
                result.Tools.Add(GatewayMcpServer.ToProtocol(tool.Describe(targets)));
            }
        }

        return result;
    }

    private async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = await callers.ResolveAsync(request.Server, request.JsonRpcRequest, request.User, cancellationToken).ConfigureAwait(false);
        if (caller is null)
        {
            return GatewayMcpServer.Error("The caller is not authenticated: the API key is missing, invalid, expired or revoked.");
        }

        var malformed = request.Items.TryGetValue(MalformedRequestFilter.ItemKey, out var item) ? item as MalformedCall : null;
        var arguments = malformed?.Arguments ?? (request.Params?.Arguments is { } given
            ? JsonSerializer.SerializeToElement(given)
            : JsonSerializer.SerializeToElement(new JsonObject()));
        var outcome = await pipeline
            .RunAsync(new ToolCallRequest(caller, request.Params?.Name ?? string.Empty, arguments) { Malformed = malformed?.Problem }, cancellationToken)
            .ConfigureAwait(false);
        return GatewayMcpServer.ToResult(outcome);
    }
}
