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
    ApprovalStatusTool approvalStatus,
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
            var targets = engine.UsableTargets(caller.Identity, tool.Policy.Name);
            if (targets.Count > 0)
            {
                result.Tools.Add(GatewayMcpServer.ToProtocol(GatewayTools.ForTargets(tool.Describe(targets))));
            }
        }

        if (engine.MayNeedApproval(caller.Identity))
        {
            result.Tools.Add(GatewayMcpServer.ToProtocol(ApprovalStatusTool.Declaration));
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
        var name = request.Params?.Name ?? string.Empty;
        if (name == ApprovalStatusTool.Name && malformed is null)
        {
            return GatewayMcpServer.ToResult(await approvalStatus.CallAsync(caller, arguments, cancellationToken).ConfigureAwait(false));
        }

        var outcome = await pipeline
            .RunAsync(new ToolCallRequest(caller, name, arguments) { Malformed = malformed?.Problem, Progress = Progress(request) }, cancellationToken)
            .ConfigureAwait(false);
        return GatewayMcpServer.ToResult(outcome);
    }

    /// <summary>Progress notifications for a client that sent a progress token: a call waiting for approval says so at least every 10 s.</summary>
    private static Func<string, CancellationToken, Task>? Progress(RequestContext<CallToolRequestParams> request)
    {
        if (request.Params?.ProgressToken is not { } token)
        {
            return null;
        }

        var step = 0;
        return async (message, cancellationToken) =>
        {
            try
            {
                await request.Server.NotifyProgressAsync(token, new ModelContextProtocol.ProgressNotificationValue { Progress = ++step, Message = message }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A client that cannot be told still gets its answer at the end of the wait.
            }
        };
    }
}
