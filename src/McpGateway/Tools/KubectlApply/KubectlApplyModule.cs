using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Tools;
using McpGateway.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tools.KubectlApply;

/// <summary><c>kubectl_apply</c>: server-side apply of classified objects to registered clusters (<c>Targets:Kubernetes</c>).</summary>
public sealed class KubectlApplyModule : IGatewayToolModule
{
    public ToolDescriptor Policy { get; } = KubectlApplyTool.Create();

    public ITargetKind Targets { get; } = new KubernetesClusterReader();

    public ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => KubectlApplyDeclaration.Describe(usableTargets);

    /// <summary>The dry-run diff of every object against the live one, from the cluster of <paramref name="snapshot"/>; computed again at execution and must match.</summary>
    public async ValueTask<ToolPreview?> PreviewAsync(object request, RuntimeSnapshot snapshot, CancellationToken cancellationToken) =>
        request is KubectlApplyRequest apply
            ? await KubectlApplyPreview.DescribeAsync(apply, snapshot, force: false, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>The manifest recorded as its documents' JSON, so a Secret's data and stringData are masked as such.</summary>
    public System.Text.Json.Nodes.JsonNode? RecordableArguments(System.Text.Json.JsonElement arguments)
    {
        var recorded = Audit.RecordableJson.Sanitize(arguments);
        if (recorded is System.Text.Json.Nodes.JsonObject fields && fields["manifest"] is System.Text.Json.Nodes.JsonValue manifest && manifest.TryGetValue<string>(out var text))
        {
            fields["manifest"] = ManifestRecording.Recordable(text);
        }

        return recorded;
    }

    public void AddBackend(IServiceCollection services)
    {
        services.AddSingleton<KubernetesDiscoveryRefresher>();
        services.AddSingleton<IDecisionObserver>(provider => provider.GetRequiredService<KubernetesDiscoveryRefresher>());
        services.AddHostedService(provider => provider.GetRequiredService<KubernetesDiscoveryRefresher>());
        services.AddToolBackend<KubectlApplyRequest, KubectlApplyBackend>(KubectlApplyTool.Name);
    }
}
