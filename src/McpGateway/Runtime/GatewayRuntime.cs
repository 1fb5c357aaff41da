using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Masking;

namespace McpGateway.Runtime;

/// <summary>
/// Everything a call is decided and executed with, in one immutable object: the configuration,
/// the policy engine built from it, the gateway's held secrets and the clients of the configured
/// targets. A call captures the snapshot once, at its start, and uses only it; a reload builds a
/// new one and swaps it in with one exchange, so no call is decided by one bundle and executed
/// against another configuration.
/// </summary>
/// <remarks>
/// <see cref="Secrets"/> is the one live part, on purpose: the set of held secrets only grows
/// (a value read for a call is held before it is used, rotated values are kept for a while), and
/// redacting with more secrets is always safe. The snapshot is held by the runtime while it is
/// current and by every call that <see cref="GatewayRuntime.Acquire">acquired</see> it; when the
/// last lets go, its clients are released (and disposed unless a newer snapshot shares them).
/// </remarks>
public sealed class RuntimeSnapshot
{
    private readonly HoldCount _holders = new();

    public RuntimeSnapshot(GatewayConfiguration configuration, PolicyEngine engine, HeldSecrets secrets, TargetClients? clients = null, MaskingCatalog? masking = null, Audit.RequestHashing.RequestHasher? requestHasher = null)
    {
        Configuration = configuration;
        Engine = engine;
        Secrets = secrets;
        Clients = clients ?? TargetClients.None;
        Masking = masking ?? MaskingCatalog.BuiltIn;
        RequestHasher = requestHasher ?? Audit.RequestHashing.RequestHasher.Ephemeral();
    }

    /// <summary>
    /// Fingerprints requests for the audit chain and approval bindings (HMAC under the request-hash
    /// key). A snapshot built without one (only tests do) gets a key of its own process.
    /// </summary>
    public Audit.RequestHashing.RequestHasher RequestHasher { get; }

    /// <summary>The masking profiles (built-in and the bundle's) and the token key.</summary>
    public MaskingCatalog Masking { get; }

    /// <summary>A masker for <paramref name="profiles"/> (<c>default</c> when none), with the held secrets; throws <see cref="MaskingException"/>.</summary>
    public Masker Masker(IEnumerable<string>? profiles = null) => Masking.CreateMasker(profiles, Secrets.Current);

    public GatewayConfiguration Configuration { get; }

    public PolicyEngine Engine { get; }

    public HeldSecrets Secrets { get; }

    /// <summary>The per-target clients backends use (see <see cref="ITargetKind.CreateClient(ConfiguredTarget, HeldSecrets)"/>).</summary>
    public TargetClients Clients { get; }

    /// <summary>The policy bundle's revision.</summary>
    public string Revision => Engine.Revision;

    /// <summary>Whether some holder still uses the snapshot (false once it was replaced and every call on it ended).</summary>
    public bool IsHeld => _holders.IsHeld;

    internal bool TryHold() => _holders.TryHold();

    internal void Release()
    {
        if (_holders.Release())
        {
            Clients.Release();
        }
    }
}

/// <summary>A call's hold on the snapshot it runs with; disposing it lets go.</summary>
public sealed class SnapshotLease : IDisposable
{
    private RuntimeSnapshot? _snapshot;

    internal SnapshotLease(RuntimeSnapshot snapshot)
    {
        _snapshot = snapshot;
        Snapshot = snapshot;
    }

    public RuntimeSnapshot Snapshot { get; }

    public void Dispose() => Interlocked.Exchange(ref _snapshot, null)?.Release();
}

/// <summary>
/// Holds the current <see cref="RuntimeSnapshot"/> of a serving gateway and reloads it. A reload
/// that fails keeps the last good snapshot and says why.
/// </summary>
public sealed class GatewayRuntime : IDisposable
{
    private readonly IReadOnlyDictionary<string, ITargetKind> _kinds;
    private readonly Lock _reloading = new();
    private RuntimeSnapshot _current;
    private int _disposed;

    public GatewayRuntime(RuntimeSnapshot initial)
        : this(initial, Tools.GatewayTools.TargetKinds())
    {
    }

    internal GatewayRuntime(RuntimeSnapshot initial, IReadOnlyDictionary<string, ITargetKind> kinds)
    {
        _current = initial;
        _kinds = kinds;
    }

    /// <summary>The snapshot in force now, for reading; a call that executes holds it with <see cref="Acquire"/>.</summary>
    public RuntimeSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Holds the snapshot in force now until the lease is disposed, so its clients stay open for the call.</summary>
    public SnapshotLease Acquire()
    {
        while (true)
        {
            var current = Current;
            if (current.TryHold())
            {
                return new SnapshotLease(current);
            }

            // Replaced and let go of between the read and the hold: the newer one is current.
        }
    }

    public GatewayConfiguration Configuration => Current.Configuration;

    public PolicyEngine Engine => Current.Engine;

    public HeldSecrets Secrets => Current.Secrets;

    /// <summary>Secret references that could not be read when the runtime was loaded (never their values).</summary>
    public IReadOnlyList<string> UnreadableAtLoad { get; private init; } = [];

    /// <summary>The request-hash key file this load created (none was configured), for a warning; null otherwise.</summary>
    public string? CreatedRequestHashKey { get; private init; }

    /// <summary>Loads configuration and bundle; throws <see cref="ConfigurationException"/> or <see cref="PolicyBundleException"/>.</summary>
    public static GatewayRuntime Load(GatewayConfiguration configuration, TimeProvider time) =>
        Load(configuration, time, Tools.GatewayTools.TargetKinds());

    internal static GatewayRuntime Load(GatewayConfiguration configuration, TimeProvider time, IReadOnlyDictionary<string, ITargetKind> kinds)
    {
        var policies = GatewayPolicies.LoadSnapshot(configuration);
        var secrets = new HeldSecrets(time);
        var unreadable = secrets.Refresh(configuration.SecretReferences);
        var (hasher, created) = Audit.RequestHashing.RequestHashKeySource.Open(configuration, secrets);
        var masking = GatewayPolicies.CreateMasking(configuration, policies, secrets);
        var clients = TargetClients.Build(configuration, kinds, secrets, previous: null);
        var engine = new PolicyEngine(WithClients(policies, configuration, kinds, clients));
        return new GatewayRuntime(new RuntimeSnapshot(configuration, engine, secrets, clients, masking, hasher), kinds) { UnreadableAtLoad = unreadable, CreatedRequestHashKey = created };
    }

    /// <summary>
    /// Re-reads the configuration file and the bundle. On success installs a new snapshot (and
    /// re-reads the secrets) and returns null; on failure keeps the snapshot as it was and returns why.
    /// </summary>
    public string? Reload()
    {
        try
        {
            return Install(ConfigurationLoader.LoadFile(Current.Configuration.SourceFile));
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

    /// <summary>
    /// Builds and installs the snapshot for <paramref name="configuration"/>: its bundle, its secrets
    /// and its clients (unchanged targets keep theirs). Returns null, or why it kept the last one.
    /// </summary>
    internal string? Install(GatewayConfiguration configuration)
    {
        lock (_reloading)
        {
            var current = Current;
            try
            {
                var policies = GatewayPolicies.LoadSnapshot(configuration);

                // Held before the snapshot that may use them is installed.
                current.Secrets.Refresh(configuration.SecretReferences);
                var (hasher, _) = Audit.RequestHashing.RequestHashKeySource.Open(configuration, current.Secrets);
                var masking = GatewayPolicies.CreateMasking(configuration, policies, current.Secrets);
                var clients = TargetClients.Build(configuration, _kinds, current.Secrets, current.Clients);
                var engine = new PolicyEngine(WithClients(policies, configuration, _kinds, clients));
                var replaced = Interlocked.Exchange(ref _current, new RuntimeSnapshot(configuration, engine, current.Secrets, clients, masking, hasher));
                replaced.Release();
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

    /// <summary>
    /// Installs a snapshot that differs from the current one only in what the target kinds learnt
    /// through their clients since it was built (a cluster's discovery): same configuration, bundle,
    /// secrets and clients. Returns whether anything changed (nothing is swapped otherwise).
    /// </summary>
    public bool RefreshTargets()
    {
        lock (_reloading)
        {
            var current = Current;
            var policies = current.Engine.Current;
            var learnt = Learnt(current.Configuration, _kinds, current.Clients);
            if (learnt.All(t => Equals(policies.Environment.FindTarget(t.Kind, t.Name), t)))
            {
                return false;
            }

            var refreshed = policies with { Environment = policies.Environment.WithTargets(learnt) };

            var next = new RuntimeSnapshot(current.Configuration, new PolicyEngine(refreshed), current.Secrets, current.Clients.Share(), current.Masking, current.RequestHasher);
            Interlocked.Exchange(ref _current, next).Release();
            return true;
        }
    }

    /// <summary>The policy snapshot with each target as its kind sees it through its client (see <see cref="ITargetKind.ToPolicyTarget(ConfiguredTarget, object?)"/>).</summary>
    private static PolicySnapshot WithClients(PolicySnapshot policies, GatewayConfiguration configuration, IReadOnlyDictionary<string, ITargetKind> kinds, TargetClients clients) =>
        policies with { Environment = policies.Environment.WithTargets(Learnt(configuration, kinds, clients)) };

    /// <summary>The targets whose kind learnt something about them through their client.</summary>
    private static List<TargetInfo> Learnt(GatewayConfiguration configuration, IReadOnlyDictionary<string, ITargetKind> kinds, TargetClients clients)
    {
        var targets = new List<TargetInfo>();
        foreach (var (kind, byName) in configuration.Targets)
        {
            if (kinds.TryGetValue(kind, out var reader))
            {
                targets.AddRange(byName.Values.Select(t => reader.ToPolicyTarget(t, clients.Get<object>(kind, t.Name))).OfType<TargetInfo>());
            }
        }

        return targets;
    }

    /// <summary>Lets go of the current snapshot; its clients close when the last call on it ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Current.Release();
        }
    }
}
