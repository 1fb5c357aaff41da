using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Tools;

namespace McpGateway.Tools.HttpCall;

/// <summary>Runs allowed <c>http_call</c>s: the classified request, within the decision's limits.</summary>
public sealed class HttpCallBackend(HttpCallExecutor executor) : IToolBackend
{
    public string Tool => HttpCallTool.Name;

    public async Task<ToolResult> ExecuteAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        var decision = context.Decision!;
        if (decision.Classification?.Request is not HttpRequestSpec spec)
        {
            // A rule may allow 'unparsed' calls, but the gateway only sends what it fully understood.
            var why = decision.Classification is { IsUnparsed: true } c ? " " + string.Join(" ", c.UnparsedReasons) : string.Empty;
            throw new ToolCallException("The policy allows this call, but the gateway sends only requests it fully understood, and it did not understand this one." + why);
        }

        if (!context.Snapshot.Configuration.HttpServices.TryGetValue(spec.Service, out var service))
        {
            throw new ToolCallException($"Service '{spec.Service}' is no longer configured.");
        }

        var limits = new HttpCallLimits(
            decision.Obligations.TryGetValue(CommonObligations.Timeout, out var timeout) ? timeout.Duration : HttpCallLimits.Default.Timeout,
            decision.Obligations.TryGetValue(HttpCallTool.MaxResponseBytes, out var cap) ? cap.Number : HttpCallLimits.Default.MaxResponseBytes);
        var result = await executor.ExecuteAsync(spec, service, limits, cancellationToken).ConfigureAwait(false);
        var summary = $"HTTP {result.Status} from {spec.Service} {spec.Method} {spec.RelativeTarget}{(result.Truncated ? $" (body truncated at {result.BodyBytes} bytes)" : string.Empty)}\n{result.Body}";
        return new ToolResult(result.ToJson(), summary);
    }
}
