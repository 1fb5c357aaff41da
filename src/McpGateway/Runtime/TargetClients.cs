using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using McpGateway.Configuration;

namespace McpGateway.Runtime;

/// <summary>
/// The clients backends use for their targets (pooled data sources, SSH clients, Kubernetes
/// clients), one per configured target, held by a <see cref="RuntimeSnapshot"/>. A reload keeps
/// the client of every target whose configuration and secrets did not change, and builds new ones
/// for the others; a replaced client is disposed once no snapshot — and so no call — holds it.
/// </summary>
public sealed class TargetClients
{
    private readonly FrozenDictionary<(string Kind, string Name), SharedClient> _clients;

    private TargetClients(FrozenDictionary<(string Kind, string Name), SharedClient> clients)
    {
        _clients = clients;
    }

    public static TargetClients None { get; } = new(FrozenDictionary<(string Kind, string Name), SharedClient>.Empty);

    /// <summary>How many targets have a client.</summary>
    public int Count => _clients.Count;

    /// <summary>The client of target <paramref name="name"/> of <paramref name="kind"/>, when it has one of type <typeparamref name="T"/>.</summary>
    public T? Get<T>(string kind, string name)
        where T : class =>
        _clients.TryGetValue((kind, name), out var shared) ? shared.Client as T : null;

    /// <summary>
    /// The clients for <paramref name="configuration"/>: those of <paramref name="previous"/> whose
    /// target is unchanged are shared (and held once more), the rest are created by their kind.
    /// A client that cannot be created fails the whole set, disposing what it created, so a
    /// reload that cannot build its clients keeps the last good snapshot.
    /// </summary>
    internal static TargetClients Build(GatewayConfiguration configuration, IReadOnlyDictionary<string, ITargetKind> kinds, HeldSecrets secrets, TargetClients? previous)
    {
        var built = new Dictionary<(string Kind, string Name), SharedClient>();
        try
        {
            foreach (var (kind, targets) in configuration.Targets)
            {
                if (!kinds.TryGetValue(kind, out var reader))
                {
                    continue;
                }

                foreach (var target in targets.Values)
                {
                    var key = ReuseKey(target);
                    if (previous is not null && previous._clients.TryGetValue((kind, target.Name), out var old) && old.Key == key && old.TryHold())
                    {
                        built[(kind, target.Name)] = old;
                        continue;
                    }

                    var replacing = previous is not null && previous._clients.TryGetValue((kind, target.Name), out var replaced) ? replaced.Client : null;
                    if (reader.CreateClient(target, secrets, replacing) is { } client)
                    {
                        built[(kind, target.Name)] = new SharedClient(client, key);
                    }
                }
            }
        }
        catch
        {
            foreach (var client in built.Values)
            {
                client.Release();
            }

            throw;
        }

        return new TargetClients(built.ToFrozenDictionary());
    }

    /// <summary>
    /// The same clients for one more snapshot (one that differs from the holder of these only in
    /// what it knows of the targets): each is held once more.
    /// </summary>
    internal TargetClients Share()
    {
        var held = new List<SharedClient>();
        foreach (var client in _clients.Values)
        {
            if (!client.TryHold())
            {
                foreach (var taken in held)
                {
                    taken.Release();
                }

                throw new InvalidOperationException("A client of the snapshot was already let go of.");
            }

            held.Add(client);
        }

        return new TargetClients(_clients);
    }

    /// <summary>The client of every target, by kind and name.</summary>
    internal IEnumerable<(string Kind, string Name, object Client)> All =>
        _clients.Select(c => (c.Key.Kind, c.Key.Name, c.Value.Client));

    /// <summary>Lets go of every client; each is disposed when no other snapshot holds it.</summary>
    internal void Release()
    {
        foreach (var client in _clients.Values)
        {
            client.Release();
        }
    }

    /// <summary>
    /// What must be equal for a client to be kept: the target's non-secret configuration and the
    /// current values of its secrets (hashed here, in memory only, never stored or shown).
    /// </summary>
    private static string ReuseKey(ConfiguredTarget target)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(target.ConfigurationHash));
        foreach (var reference in target.Secrets)
        {
            string value;
            try
            {
                value = reference.Resolve();
            }
            catch (SecretUnavailableException)
            {
                value = "\0unreadable";
            }

            hash.AppendData(BitConverter.GetBytes(value.Length));
            hash.AppendData(Encoding.UTF8.GetBytes(value));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A client and how many snapshots hold it.</summary>
    private sealed class SharedClient(object client, string key)
    {
        private readonly HoldCount _holders = new();

        public object Client { get; } = client;

        public string Key { get; } = key;

        /// <summary>Holds the client once more, unless it was already let go of.</summary>
        public bool TryHold() => _holders.TryHold();

        public void Release()
        {
            if (_holders.Release())
            {
                switch (Client)
                {
                    case IAsyncDisposable asyncDisposable:
                        // Nothing holds the client any more; its disposal need not delay the caller.
                        _ = Task.Run(async () =>
                        {
                            try
                            {
                                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                            }
                            catch (Exception)
                            {
                                // A client that fails to close has nothing left to serve; there is no one to tell.
                            }
                        });
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
        }
    }
}

/// <summary>
/// How many holders something has, starting at one: a new hold succeeds only while some holder
/// remains, so what was let go of for good is never picked up again.
/// </summary>
internal sealed class HoldCount
{
    private int _holders = 1;

    public bool IsHeld => Volatile.Read(ref _holders) > 0;

    public bool TryHold()
    {
        var holders = Volatile.Read(ref _holders);
        while (holders > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return true;
            }

            holders = seen;
        }

        return false;
    }

    /// <summary>Lets go once; true when that was the last holder.</summary>
    public bool Release() => Interlocked.Decrement(ref _holders) == 0;
}
