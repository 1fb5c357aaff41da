using McpGateway.Hosting.Authentication;
using McpGateway.Policies;

namespace McpGateway.Runtime;

/// <summary>Identities from the configuration currently in force (it may be reloaded).</summary>
public sealed class RuntimeIdentityDirectory(GatewayRuntime runtime) : IIdentityDirectory
{
    public IdentityInfo? Find(string name) => runtime.Configuration.Identities.GetValueOrDefault(name);
}
