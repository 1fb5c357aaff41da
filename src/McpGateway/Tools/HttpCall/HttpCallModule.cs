using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Configuration;
using McpGateway.Policies.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tools.HttpCall;

/// <summary><c>http_call</c>: calls to registered HTTP services (<c>Targets:Http</c>).</summary>
public sealed class HttpCallModule : IGatewayToolModule
{
    public ToolDescriptor Policy { get; } = HttpCallTool.Create();

    public ITargetKind Targets { get; } = new HttpServiceReader();

    public ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => HttpCallDeclaration.Describe(usableTargets);

    /// <summary>The request exactly as it would be sent: method, normalised path and query, the agent's headers and body.</summary>
    public ToolPreview? Preview(object request)
    {
        if (request is not HttpRequestSpec spec)
        {
            return null;
        }

        var headers = new System.Text.Json.Nodes.JsonObject();
        foreach (var (name, value) in spec.Headers)
        {
            headers[name] = value;
        }

        return new ToolPreview(
            $"{spec.Method} {spec.Service}{spec.RelativeTarget}{(spec.Body is null ? string.Empty : $" with a {System.Text.Encoding.UTF8.GetByteCount(spec.Body):N0}-byte body")}",
            new System.Text.Json.Nodes.JsonObject
            {
                ["service"] = spec.Service,
                ["method"] = spec.Method,
                ["path"] = spec.Path,
                ["query"] = spec.Query,
                ["headers"] = headers,
                ["body"] = spec.Body,
            },
            MustMatchAtExecution: false);
    }

    public void AddBackend(IServiceCollection services)
    {
        services.AddHttpCallBackend();
        services.AddToolBackend<HttpRequestSpec, HttpCallBackend>(HttpCallTool.Name);
    }
}
