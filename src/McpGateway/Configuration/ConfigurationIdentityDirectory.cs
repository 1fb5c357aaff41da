using McpGateway.Hosting.Authentication;
using McpGateway.Policies;

namespace McpGateway.Configuration;

/// <summary>Identities as the configuration declares them.</summary>
public sealed class ConfigurationIdentityDirectory(GatewayConfiguration configuration) : IIdentityDirectory
{
    public IdentityInfo? Find(string name) => configuration.Identities.GetValueOrDefault(name);
}
