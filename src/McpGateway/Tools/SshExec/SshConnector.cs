using System.Net.Sockets;
using System.Text;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// Opens one connection to a host: reads the credential now (so a rotated key or password file
/// is used by the next connection), checks the presented host key against the pins, logs in.
/// A failure to connect is a <see cref="SshConnectFailure"/> (what the circuit breaker counts);
/// a credential the gateway cannot read is a <see cref="ToolCallException"/> (it does not count:
/// the host was never contacted).
/// </summary>
internal sealed class SshConnector(SshHostOptions host, HeldSecrets secrets)
{
    /// <summary>How long connecting and logging in may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public async ValueTask<SshClient> ConnectAsync(CancellationToken cancellationToken)
    {
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
            return client;
        }
        catch (Exception ex)
        {
            client.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var failure = ex switch
            {
                SshConnectionException when presented is not null && !host.Trusts(presented) => new SshConnectFailure(
                    "its host key is not pinned",
                    $"Host '{host.Name}' presented the key SHA256:{presented}, which is not pinned for it (Targets:Ssh:{host.Name}:HostKeys), so the gateway did not log in. If the host's key really changed, an operator must pin the new fingerprint.",
                    ex),
                SshAuthenticationException => new SshConnectFailure(
                    "the credential was refused",
                    $"The gateway could not log in to host '{host.Name}' as '{host.User}': its credential was refused. An operator must fix Targets:Ssh:{host.Name}.",
                    ex),
                SshException or SocketException or OperationCanceledException or TimeoutException => new SshConnectFailure(
                    Describe(ex),
                    $"Host '{host.Name}' could not be reached over SSH ({Describe(ex)}); retry later.",
                    ex),
                _ => null,
            };
            if (failure is null)
            {
                throw;
            }

            throw failure;
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.TimedOut } or SshOperationTimeoutException or OperationCanceledException or TimeoutException => "timed out",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => "its address does not resolve",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable } => "no route to it",
        SshConnectionException => "the connection was closed during the handshake",
        _ => ex.GetType().Name,
    };

    private ConnectionInfo Connection()
    {
        try
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

            return new ConnectionInfo(host.Address, host.Port, host.User, method) { Timeout = ConnectTimeout };
        }
        catch (SecretUnavailableException ex)
        {
            throw new ToolCallException($"The gateway's credential for host '{host.Name}' is not available right now, so it did not connect. An operator must fix the gateway's configuration (Targets:Ssh:{host.Name}).", ex);
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new ToolCallException($"The gateway's private key for host '{host.Name}' could not be read ({ex.GetType().Name}), so it did not connect. An operator must fix Targets:Ssh:{host.Name}:PrivateKey.", ex);
        }
    }
}
