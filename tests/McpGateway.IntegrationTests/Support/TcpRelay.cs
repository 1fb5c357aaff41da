using System.Net;
using System.Net.Sockets;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// A loopback port in front of a real server (the test sshd) that the test can close and open
/// again: while stopped, connecting is refused, as with a host that is down; while listening,
/// every connection is relayed byte for byte. It counts the connections it accepted, so a test can
/// tell whether the gateway contacted the host at all.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private int _accepted;

    private TcpRelay(int port, int target)
    {
        Port = port;
        _target = target;
    }

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>A relay to <paramref name="target"/> on a free loopback port, listening or not.</summary>
    public static TcpRelay Create(int target, bool listening = true)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var relay = new TcpRelay(port, target);
        if (listening)
        {
            relay.Start();
        }

        return relay;
    }

    public void Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener);
    }

    /// <summary>Stops listening and drops every relayed connection.</summary>
    public void Stop()
    {
        Interlocked.Exchange(ref _listener, null)?.Stop();
        lock (_lock)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (_lock)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b), b.CopyToAsync(a));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // One side closed: close both.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
