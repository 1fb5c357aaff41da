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

    /// <summary>
    /// The masking catalog of <paramref name="snapshot"/>'s bundle, with the token key read through
    /// <paramref name="secrets"/> (so the key is held by the redactor). Throws
    /// <see cref="PolicyBundleException"/> when a profile cannot be built, or the key cannot be read.
    /// </summary>
    public static Policies.Masking.MaskingCatalog CreateMasking(GatewayConfiguration configuration, PolicySnapshot snapshot, HeldSecrets secrets)
    {
        ReadOnlyMemory<byte> key = default;
        if (configuration.MaskingTokenKey is { } reference)
        {
            try
            {
                key = System.Text.Encoding.UTF8.GetBytes(secrets.Use(reference));
            }
            catch (SecretUnavailableException ex)
            {
                throw new PolicyBundleException($"{Policies.Masking.MaskingCatalog.TokenKeyName} cannot be read, so masking profiles cannot be built: {ex.Message}", ex);
            }
        }

        return Policies.Masking.MaskingCatalog.Create(snapshot.Bundle.Masking, key);
    }
}
