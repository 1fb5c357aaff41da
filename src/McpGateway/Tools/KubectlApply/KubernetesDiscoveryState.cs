using McpGateway.Policies.Classifiers.Kubernetes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// What one cluster's discovery said (the kinds it serves, with their scope) and when to read it
/// again: at once when never read, every <see cref="Refresh"/> after a success, at most every
/// <see cref="MinInterval"/> after a failure or when a call named a kind it does not list.
/// Thread-safe; the snapshot's policy environment takes <see cref="Current"/> from here.
/// </summary>
internal sealed class KubernetesDiscoveryState
{
    /// <summary>How long a successful read stands.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(10);

    /// <summary>The least time between two reads, whatever asks for one.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private KubernetesDiscovery _current = KubernetesDiscovery.Empty;
    private DateTimeOffset? _lastAttempt;
    private DateTimeOffset? _lastSuccess;
    private bool _wanted;

    /// <summary>The kinds the cluster serves as last read; empty until a read succeeds.</summary>
    public KubernetesDiscovery Current => Volatile.Read(ref _current);

    /// <summary>Why the last read failed, or null (for status and logs; names no credential).</summary>
    public string? LastError { get; private set; }

    /// <summary>A call named a kind the discovery does not list: read it again as soon as allowed.</summary>
    public void Want()
    {
        lock (_gate)
        {
            _wanted = true;
        }
    }

    /// <summary>Whether a read is due at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now, TimeSpan? minInterval = null)
    {
        lock (_gate)
        {
            if (_lastAttempt is not { } attempt)
            {
                return true;
            }

            var sinceAttempt = now - attempt;
            if (sinceAttempt < (minInterval ?? MinInterval))
            {
                return false;
            }

            return _wanted || _lastSuccess is null || now - _lastSuccess.Value >= Refresh;
        }
    }

    /// <summary>Marks the start of a read.</summary>
    public void Attempting(DateTimeOffset now)
    {
        lock (_gate)
        {
            _lastAttempt = now;
            _wanted = false;
        }
    }

    /// <summary>Records a successful read; true when the kinds differ from what was known.</summary>
    public bool Succeeded(IReadOnlyList<KubernetesApiResource> resources, DateTimeOffset now)
    {
        lock (_gate)
        {
            _lastSuccess = now;
            LastError = null;
            if (resources.ToHashSet().SetEquals(_current.Resources))
            {
                return false;
            }

            Volatile.Write(ref _current, new KubernetesDiscovery(resources));
            return true;
        }
    }

    public void Failed(string error)
    {
        lock (_gate)
        {
            LastError = error;
        }
    }
}
