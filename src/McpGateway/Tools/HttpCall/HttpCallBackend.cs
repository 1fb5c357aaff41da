using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Http;

namespace McpGateway.Tools.HttpCall;

/// <summary>Runs allowed <c>http_call</c>s: the classified request, within its own obligation (<c>maxResponseBytes</c>).</summary>
public sealed class HttpCallBackend(HttpCallExecutor executor) : IToolBackend<HttpRequestSpec>
{
    public async Task<ToolResult> ExecuteAsync(ExecutionRecord<HttpRequestSpec> record, CancellationToken cancellationToken)
    {
        var spec = record.Request;
        if (record.Snapshot.Configuration.Target<Configuration.HttpServiceOptions>(Policies.TargetKinds.Http, spec.Service) is not { } service)
        {
            throw new ToolCallException($"Service '{spec.Service}' is no longer configured.");
        }

        var limits = new HttpCallLimits(record.Obligations.TryGetValue(HttpCallTool.MaxResponseBytes, out var cap) ? cap.Number : HttpCallLimits.Default.MaxResponseBytes);
        var result = await executor.ExecuteAsync(spec, service, limits, cancellationToken).ConfigureAwait(false);
        var summary = $"HTTP {result.Status} from {spec.Service} {spec.Method} {spec.RelativeTarget}{(result.Truncated ? $" (body truncated at {result.BodyBytes} bytes)" : string.Empty)}\n{result.Body}";
        return new ToolResult(result.ToJson(), summary);
    }
}
