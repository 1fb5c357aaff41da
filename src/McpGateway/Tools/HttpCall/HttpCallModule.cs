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

    public void AddBackend(IServiceCollection services)
    {
        services.AddHttpCallBackend();
        services.AddToolBackend<HttpRequestSpec, HttpCallBackend>(HttpCallTool.Name);
    }
}
