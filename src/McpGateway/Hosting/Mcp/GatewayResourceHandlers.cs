using McpGateway.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// <c>resources/list</c>, <c>resources/templates/list</c> and <c>resources/read</c>, answered per
/// caller from the registered resource families. An unauthenticated caller sees nothing; an
/// unknown URI is <c>-32002</c> (resource not found), as the specification says.
/// </summary>
internal sealed class GatewayResourceHandlers(
    ICallerResolver callers,
    IEnumerable<IGatewayResources> families,
    ILogger<GatewayResourceHandlers> logger) : IConfigureOptions<McpServerOptions>
{
    private readonly IGatewayResources[] _families = [.. families];

    public void Configure(McpServerOptions options)
    {
        options.Filters.Request.ListResourcesFilters.Add(_ => ListAsync);
        options.Filters.Request.ListResourceTemplatesFilters.Add(_ => TemplatesAsync);
        options.Filters.Request.ReadResourceFilters.Add(_ => ReadAsync);
    }

    private async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken) =>
        new() { Resources = await ForCallerAsync(request, (f, caller) => f.List(caller), cancellationToken).ConfigureAwait(false), CacheScope = CacheScope.Private };

    private async ValueTask<ListResourceTemplatesResult> TemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request, CancellationToken cancellationToken) =>
        new() { ResourceTemplates = await ForCallerAsync(request, (f, caller) => f.Templates(caller), cancellationToken).ConfigureAwait(false), CacheScope = CacheScope.Private };

    /// <summary>What every family lists for the caller; nothing when the caller cannot be established or a family fails.</summary>
    private async Task<List<T>> ForCallerAsync<TParams, T>(RequestContext<TParams> request, Func<IGatewayResources, CallerInfo, IEnumerable<T>> list, CancellationToken cancellationToken)
        where TParams : RequestParams
    {
        try
        {
            if (await callers.ResolveAsync(request.Server, request.JsonRpcRequest, request.User, cancellationToken).ConfigureAwait(false) is { } caller)
            {
                return [.. _families.SelectMany(f => list(f, caller))];
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            McpLog.RequestFailed(logger, ex);
        }

        return [];
    }

    private async ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken)
    {
        var uri = request.Params?.Uri ?? string.Empty;
        CallerInfo? caller;
        try
        {
            caller = await callers.ResolveAsync(request.Server, request.JsonRpcRequest, request.User, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            McpLog.RequestFailed(logger, ex);
            throw new McpException("The gateway could not read this resource; retry later.");
        }

        if (caller is null)
        {
            throw new McpException("The caller is not authenticated: the API key is missing, invalid, expired or revoked.");
        }

        if (_families.FirstOrDefault(f => f.Handles(uri)) is not { } family)
        {
            throw new McpProtocolException($"There is no resource '{Policies.Text.PrintableText.Escape(uri, 200)}'. List the resources (resources/list) and their templates to see what you may read.", McpErrorCode.ResourceNotFound);
        }

        try
        {
            return await family.ReadAsync(caller, uri, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (McpException or OperationCanceledException))
        {
            McpLog.RequestFailed(logger, ex);
            throw new McpException("The gateway could not read this resource; retry later.");
        }
    }
}
