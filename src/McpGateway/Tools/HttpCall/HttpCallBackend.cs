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
        var request = $"{spec.Service} {spec.Method} {spec.RelativeTarget}";
        return new ToolResult(result.ToJson(), masked => Summarize(request, masked));
    }

    /// <summary>The text form, from the masked result: the status line, then the body.</summary>
    private static string Summarize(string request, System.Text.Json.Nodes.JsonObject masked)
    {
        var truncated = masked["truncated"]?.GetValue<bool>() == true ? $" (body truncated at {masked["bodyBytes"]} bytes)" : string.Empty;
        return $"HTTP {masked["status"]} from {request}{truncated}\n{masked["body"]?.GetValue<string>()}";
    }
}
