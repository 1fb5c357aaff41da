using McpGateway.Configuration;
using McpGateway.Policies.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tools;

/// <summary>
/// One tool, whole: what the policy layer knows of it, the kind of target it acts on, how MCP
/// clients see it, and what executes it. A tool is added to the gateway by adding its module to
/// <see cref="GatewayTools"/>; the catalog, the configuration's target kinds, the policy
/// environment, the watched secrets, the MCP tool list and the backends are all built from the
/// registered modules, and start-up refuses a module with a missing or mismatched part.
/// </summary>
public interface IGatewayToolModule
{
    /// <summary>The tool's name, facts, obligations and classifier (<c>src/Policies</c>).</summary>
    ToolDescriptor Policy { get; }

    /// <summary>The kind of target the tool acts on (<c>Targets:&lt;Kind&gt;</c> in configuration).</summary>
    ITargetKind Targets { get; }

    /// <summary>How the tool presents itself to one caller; descriptions may name the targets it can use.</summary>
    ToolDeclaration Describe(IReadOnlyList<string> usableTargets);

    /// <summary>
    /// What an approver sees of a call of this tool, built from the classified request (the same
    /// object the backend would execute); null when the tool has no preview beyond its arguments.
    /// </summary>
    Pipeline.ToolPreview? Preview(object request) => null;

    /// <summary>
    /// The preview when it needs the target (a database's estimate, a dry run): computed with the
    /// clients of <paramref name="snapshot"/>, the snapshot the call was admitted with. Without an
    /// override, the same as <see cref="Preview"/>. It never changes the target, and a target that
    /// cannot be reached gives a preview that says so rather than an exception.
    /// </summary>
    ValueTask<Pipeline.ToolPreview?> PreviewAsync(object request, Runtime.RuntimeSnapshot snapshot, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Preview(request));

    /// <summary>
    /// The call's arguments as the audit log and the approval's masked view record them (the
    /// masker runs over this tree afterwards). By default the arguments as sent; a tool whose
    /// arguments carry structure in a string (a Kubernetes manifest) records that structure, so
    /// masking rules see it.
    /// </summary>
    System.Text.Json.Nodes.JsonNode? RecordableArguments(System.Text.Json.JsonElement arguments) => Audit.RecordableJson.Sanitize(arguments);

    /// <summary>Registers the tool's backend (with <see cref="Pipeline.ToolBackendRegistration.AddToolBackend{TRequest, TBackend}"/>) and its clients.</summary>
    void AddBackend(IServiceCollection services);
}
