using McpGateway.Configuration;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace McpGateway.Runtime;

/// <summary>Builds policy snapshots from the configuration: the tool catalog plus the validated bundle.</summary>
public static class GatewayPolicies
{
    /// <summary>Every tool this version offers, with its facts, obligations and classifier (from the registered tools).</summary>
    public static ToolCatalog CreateCatalog() => global::McpGateway.Tools.GatewayTools.Catalog();

    /// <summary>
    /// Loads the bundle at <paramref name="policiesPath"/> (or the configured one) and validates it
    /// against the configuration. Throws <see cref="PolicyBundleException"/> with every error.
    /// </summary>
    public static PolicySnapshot LoadSnapshot(GatewayConfiguration configuration, string? policiesPath = null)
    {
        var catalog = CreateCatalog();
        var environment = configuration.ToPolicyEnvironment();
        var bundle = new PolicyBundleLoader(catalog, environment).Load(policiesPath ?? configuration.PoliciesPath);
        return new PolicySnapshot(bundle, environment, catalog);
    }
}
