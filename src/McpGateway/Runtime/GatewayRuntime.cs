using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;

namespace McpGateway.Runtime;

/// <summary>
/// Everything a call is decided and executed with, in one immutable object: the configuration,
/// the policy engine built from it and the gateway's held secrets. A call captures the snapshot
/// once, at its start, and uses only it; a reload builds a new one and swaps it in with one
/// exchange, so no call is decided by one bundle and executed against another configuration.
/// </summary>
/// <remarks>
/// <see cref="Secrets"/> is the one live part, on purpose: the set of held secrets only grows
/// (a value read for a call is held before it is used, rotated values are kept for a while), and
/// redacting with more secrets is always safe.
/// </remarks>
public sealed record RuntimeSnapshot(GatewayConfiguration Configuration, PolicyEngine Engine, HeldSecrets Secrets)
{
    /// <summary>The policy bundle's revision.</summary>
    public string Revision => Engine.Revision;
}

/// <summary>
/// Holds the current <see cref="RuntimeSnapshot"/> of a serving gateway and reloads it. A reload
/// that fails keeps the last good snapshot and says why.
/// </summary>
public sealed class GatewayRuntime
{
    private RuntimeSnapshot _current;

    public GatewayRuntime(RuntimeSnapshot initial)
    {
        _current = initial;
    }

    /// <summary>The snapshot in force now. Capture it once per call.</summary>
    public RuntimeSnapshot Current => Volatile.Read(ref _current);

    public GatewayConfiguration Configuration => Current.Configuration;

    public PolicyEngine Engine => Current.Engine;

    public HeldSecrets Secrets => Current.Secrets;

    /// <summary>Secret references that could not be read when the runtime was loaded (never their values).</summary>
    public IReadOnlyList<string> UnreadableAtLoad { get; private init; } = [];

    /// <summary>Loads configuration and bundle; throws <see cref="ConfigurationException"/> or <see cref="PolicyBundleException"/>.</summary>
    public static GatewayRuntime Load(GatewayConfiguration configuration, TimeProvider time)
    {
        var engine = new PolicyEngine(GatewayPolicies.LoadSnapshot(configuration));
        var secrets = new HeldSecrets(time);
        var unreadable = secrets.Refresh(configuration.SecretReferences);
        return new GatewayRuntime(new RuntimeSnapshot(configuration, engine, secrets)) { UnreadableAtLoad = unreadable };
    }

    /// <summary>
    /// Re-reads the configuration file and the bundle. On success installs a new snapshot (and
    /// re-reads the secrets) and returns null; on failure keeps the snapshot as it was and returns why.
    /// </summary>
    public string? Reload()
    {
        var current = Current;
        try
        {
            var configuration = ConfigurationLoader.LoadFile(current.Configuration.SourceFile);
            var engine = new PolicyEngine(GatewayPolicies.LoadSnapshot(configuration));

            // Held before the snapshot that may use them is installed.
            current.Secrets.Refresh(configuration.SecretReferences);
            Interlocked.Exchange(ref _current, new RuntimeSnapshot(configuration, engine, current.Secrets));
            return null;
        }
        catch (Exception ex) when (ex is ConfigurationException or PolicyBundleException)
        {
            return ex.Message;
        }
        catch (Exception ex)
        {
            // Whatever else goes wrong while loading, the gateway keeps serving on the last good state.
            return $"loading failed unexpectedly ({ex.GetType().Name}: {ex.Message})";
        }
    }
}
