using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;

namespace McpGateway.Hosting;

/// <summary>
/// What a serving gateway decides with, swapped atomically on reload: the configuration, the
/// policy engine's snapshot and the held secrets. A reload that fails keeps the last good state.
/// </summary>
public sealed class GatewayRuntime
{
    private GatewayConfiguration _configuration;

    public GatewayRuntime(GatewayConfiguration configuration, PolicyEngine engine, HeldSecrets secrets)
    {
        _configuration = configuration;
        Engine = engine;
        Secrets = secrets;
    }

    public GatewayConfiguration Configuration => Volatile.Read(ref _configuration);

    public PolicyEngine Engine { get; }

    public HeldSecrets Secrets { get; }

    /// <summary>Secret references that could not be read when the runtime was loaded (never their values).</summary>
    public IReadOnlyList<string> UnreadableAtLoad { get; private init; } = [];

    /// <summary>Loads configuration and bundle; throws <see cref="ConfigurationException"/> or <see cref="PolicyBundleException"/>.</summary>
    public static GatewayRuntime Load(GatewayConfiguration configuration, TimeProvider time)
    {
        var engine = new PolicyEngine(GatewayPolicies.LoadSnapshot(configuration));
        var secrets = new HeldSecrets(time);
        var unreadable = secrets.Refresh(configuration.SecretReferences);
        return new GatewayRuntime(configuration, engine, secrets) { UnreadableAtLoad = unreadable };
    }

    /// <summary>
    /// Re-reads the configuration file and the bundle. On success swaps both (and re-reads the
    /// secrets) and returns null; on failure keeps everything as it was and returns why.
    /// </summary>
    public string? Reload()
    {
        try
        {
            var configuration = ConfigurationLoader.LoadFile(Configuration.SourceFile);
            var snapshot = GatewayPolicies.LoadSnapshot(configuration);
            Engine.Swap(snapshot);
            Volatile.Write(ref _configuration, configuration);
            Secrets.Refresh(configuration.SecretReferences);
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
