using System.Text;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// The connection to one SSH host, held by the runtime snapshot (see <see cref="SshHostReader.CreateClient(ConfiguredTarget, HeldSecrets)"/>):
/// opened on first use, re-opened when it drops, at most <see cref="MaxChannels"/> commands on it at
/// once. Credentials are read when a connection opens, so a rotated key or password file is used
/// by the next connection. The host must present a pinned key.
/// </summary>
internal sealed class SshConnections(SshHostOptions host, HeldSecrets secrets) : IDisposable
{
    /// <summary>OpenSSH allows 10 sessions per connection by default; stay under it.</summary>
    public const int MaxChannels = 8;

    private readonly SemaphoreSlim _channels = new(MaxChannels, MaxChannels);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private SshClient? _client;
    private int _disposed;

    public SshHostOptions Host => host;

    /// <summary>A connected client and a channel slot on it, until the lease is disposed.</summary>
    public async Task<ChannelLease> AcquireAsync(CancellationToken cancellationToken)
    {
        await _channels.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new ChannelLease(await ConnectedAsync(cancellationToken).ConfigureAwait(false), _channels);
        }
        catch
        {
            _channels.Release();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Interlocked.Exchange(ref _client, null)?.Dispose();
        }
    }

    private async Task<SshClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (Volatile.Read(ref _client) is { IsConnected: true } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { IsConnected: true } other)
            {
                return other;
            }

            _client?.Dispose();
            _client = null;
            var client = new SshClient(Connection());
            string? presented = null;
            client.HostKeyReceived += (_, e) =>
            {
                presented = e.FingerPrintSHA256;
                e.CanTrust = host.Trusts(e.FingerPrintSHA256);
            };
            client.KeepAliveInterval = TimeSpan.FromSeconds(30);
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SshConnectionException) when (presented is not null && !host.Trusts(presented))
            {
                client.Dispose();
                throw new ToolCallException($"Host '{host.Name}' presented the key SHA256:{presented}, which is not pinned for it (Targets:Ssh:{host.Name}:HostKeys), so the gateway did not log in. If the host's key really changed, an operator must pin the new fingerprint.");
            }
            catch (SshAuthenticationException)
            {
                client.Dispose();
                throw new ToolCallException($"The gateway could not log in to host '{host.Name}' as '{host.User}': its credential was refused. An operator must fix Targets:Ssh:{host.Name}.");
            }
            catch (Exception ex) when (ex is SshException or System.Net.Sockets.SocketException or SshOperationTimeoutException)
            {
                client.Dispose();
                throw new ToolCallException($"Host '{host.Name}' could not be reached over SSH ({ex.GetType().Name}); retry later.");
            }

            _client = client;
            return client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private ConnectionInfo Connection()
    {
        AuthenticationMethod method;
        if (host.PrivateKey is { } keyReference)
        {
            var key = secrets.Use(keyReference);
            var passphrase = host.Passphrase is { } p ? secrets.Use(p) : null;
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(key));
            method = new PrivateKeyAuthenticationMethod(host.User, passphrase is null ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, passphrase));
        }
        else
        {
            method = new PasswordAuthenticationMethod(host.User, secrets.Use(host.Password!));
        }

        return new ConnectionInfo(host.Address, host.Port, host.User, method) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>A client with one of its channel slots.</summary>
    public sealed class ChannelLease(SshClient client, SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public SshClient Client { get; } = client;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
