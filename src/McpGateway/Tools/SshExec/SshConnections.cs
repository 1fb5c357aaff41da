using McpGateway.Configuration;
using Renci.SshNet;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// The connections to one SSH host, held by the runtime snapshot (see
/// <see cref="SshHostReader.CreateClient"/>): opened on first use, at most
/// <see cref="MaxChannels"/> commands on each. When every channel of every connection is busy,
/// another connection is opened, up to <see cref="SshHostOptions.MaxConnections"/>; beyond that a
/// command waits for a channel (as long as its call may). Connections beyond the first close
/// after <see cref="SshHostOptions.IdleTimeout"/> without a command; a dropped one is replaced.
/// Credentials are read when a connection opens, so a rotated key or password file is used by the
/// next connection. Opening goes through the host's <see cref="SshCircuitBreaker"/>.
/// </summary>
internal sealed class SshConnections : IDisposable
{
    /// <summary>OpenSSH allows 10 sessions per connection by default; stay under it.</summary>
    public const int MaxChannels = 8;

    private readonly SshHostOptions _host;
    private readonly TimeProvider _time;
    private readonly SshConnector _connector;
    private readonly SshCircuitBreaker _breaker;
    private readonly SemaphoreSlim _channels;
    private readonly List<SshPooledConnection> _pool = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _sweeper;
    private int _opened;

    public SshConnections(SshHostOptions host, HeldSecrets secrets)
        : this(host, secrets, TimeProvider.System)
    {
    }

    public SshConnections(SshHostOptions host, HeldSecrets secrets, TimeProvider time)
    {
        _host = host;
        _time = time;
        _connector = new SshConnector(host, secrets);
        _breaker = new SshCircuitBreaker(host, time);
        _channels = new SemaphoreSlim(host.MaxConnections * MaxChannels, host.MaxConnections * MaxChannels);
        var every = TimeSpan.FromTicks(Math.Max(host.IdleTimeout.Ticks / 2, TimeSpan.FromMilliseconds(250).Ticks));
        _sweeper = time.CreateTimer(_ => CloseIdle(), null, every, every);
    }

    public SshHostOptions Host => _host;

    /// <summary>Connections open now (for tests and status).</summary>
    public int OpenConnections
    {
        get
        {
            lock (_lock)
            {
                return _pool.Count(c => c.IsOpen);
            }
        }
    }

    /// <summary>Connections opened successfully since this client was created.</summary>
    public int ConnectionsOpened => Volatile.Read(ref _opened);

    /// <summary>A connected client and a channel slot on it, until the lease is disposed.</summary>
    public async Task<ChannelLease> AcquireAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        await _channels.WaitAsync(cancellationToken).ConfigureAwait(false);
        SshPooledConnection? connection = null;
        try
        {
            connection = Reserve();
            var client = await connection.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new ChannelLease(client, this, connection);
        }
        catch
        {
            if (connection is not null)
            {
                Return(connection);
            }

            _channels.Release();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _disposed.Cancel();
        _sweeper.Dispose();
        lock (_lock)
        {
            foreach (var connection in _pool)
            {
                connection.InUse = 0;
                connection.Retire();
            }

            _pool.Clear();
        }
    }

    /// <summary>
    /// A channel on the first connection with one free (connected or still connecting); when
    /// there is none, a new connection. The channel semaphore guarantees that then fewer than
    /// <see cref="SshHostOptions.MaxConnections"/> connections are in the pool.
    /// </summary>
    private SshPooledConnection Reserve()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            _pool.RemoveAll(c => c.IsBroken && Retire(c));
            var connection = _pool.FirstOrDefault(c => c.InUse < MaxChannels);
            if (connection is null)
            {
                var token = _disposed.Token;
                connection = new SshPooledConnection(Task.Run(() => OpenAsync(token), CancellationToken.None), _time.GetTimestamp());
                _pool.Add(connection);
            }

            connection.InUse++;
            return connection;
        }
    }

    private async Task<SshClient> OpenAsync(CancellationToken cancellationToken)
    {
        var client = await _breaker.ConnectAsync(_connector.ConnectAsync, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _opened);
        return client;
    }

    /// <summary>A command's channel is free again; a broken or retired connection closes with its last command.</summary>
    private void Return(SshPooledConnection connection)
    {
        lock (_lock)
        {
            connection.InUse--;
            connection.LastUsed = _time.GetTimestamp();
            if (connection.Retired || connection.IsBroken)
            {
                _pool.Remove(connection);
                connection.Retire();
            }
        }
    }

    /// <summary>For <see cref="List{T}.RemoveAll"/>: retires the connection, which leaves the pool.</summary>
    private static bool Retire(SshPooledConnection connection)
    {
        connection.Retire();
        return true;
    }

    /// <summary>Closes the connections beyond the first that have been idle for the host's idle timeout.</summary>
    private void CloseIdle()
    {
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            var keep = _pool.FirstOrDefault(c => c.IsOpen);
            _pool.RemoveAll(c => c != keep && c.InUse == 0 && c.Ready.IsCompleted
                && (c.IsBroken || _time.GetElapsedTime(c.LastUsed) >= _host.IdleTimeout) && Retire(c));
        }
    }

    /// <summary>A client with one of its channel slots.</summary>
    public sealed class ChannelLease(SshClient client, SshConnections owner, SshPooledConnection connection) : IDisposable
    {
        private int _released;

        public SshClient Client { get; } = client;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Return(connection);
                owner._channels.Release();
            }
        }
    }
}
