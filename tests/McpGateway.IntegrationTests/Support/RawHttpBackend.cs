using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// A careless HTTP/1.1 server on loopback, written with sockets: it reads each request's header
/// block and answers it, never reading a body (whatever Content-Length says), and keeps the
/// connection alive unless the request asked to close it. Bytes it leaves unread are parsed as
/// the next request, as such servers do. It records every request line it parsed, with the
/// number of the connection it came on.
/// </summary>
internal sealed class RawHttpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(int Connection, string RequestLine)> _requests = [];
    private readonly Task _accepting;
    private int _connections;

    public RawHttpBackend()
    {
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<(int Connection, string RequestLine)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client, Interlocked.Increment(ref _connections));
        }
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using (client)
        {
            var stream = client.GetStream();
            var pending = new StringBuilder();
            var buffer = new byte[8192];
            try
            {
                while (true)
                {
                    int end;
                    while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        pending.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    }

                    var head = pending.ToString(0, end);
                    pending.Remove(0, end + 4);
                    var lines = head.Split("\r\n");
                    lock (_requests)
                    {
                        _requests.Add((connection, lines[0]));
                    }

                    var close = lines.Skip(1).Any(l => l.StartsWith("connection:", StringComparison.OrdinalIgnoreCase) && l.Contains("close", StringComparison.OrdinalIgnoreCase));
                    var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n{(close ? "Connection: close\r\n" : string.Empty)}\r\nok");
                    await stream.WriteAsync(answer, _stop.Token);
                    if (close)
                    {
                        // A lingering close: stop sending, then discard whatever else arrives, so the
                        // peer reads the whole answer before the connection goes.
                        client.Client.Shutdown(SocketShutdown.Send);
                        using var linger = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                        linger.CancelAfter(TimeSpan.FromSeconds(5));
                        while (await stream.ReadAsync(buffer, linger.Token) > 0)
                        {
                        }

                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }
}
