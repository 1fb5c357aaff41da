using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// A SIEM's collector on loopback (HttpListener): records every batch POSTed to it, answers
/// 200 or 503 as told, and can be stopped and started again on the same port, as a receiver
/// outage looks to the gateway.
/// </summary>
internal sealed class SiemReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<SiemBatch> _batches = new();
    private HttpListener? _listener;
    private Task _loop = Task.CompletedTask;

    private SiemReceiver(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/ingest/");

    /// <summary>The status every request is answered with (200 by default).</summary>
    public int Status { get; set; } = 200;

    /// <summary>Every request received, in order, whatever it was answered.</summary>
    public IReadOnlyList<SiemBatch> Batches => [.. _batches];

    /// <summary>The batches answered with a 2xx.</summary>
    public IReadOnlyList<SiemBatch> Accepted => [.. _batches.Where(b => b.Status is >= 200 and < 300)];

    public static SiemReceiver Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var receiver = new SiemReceiver(port);
        receiver.Resume();
        return receiver;
    }

    /// <summary>Listens (again) on the same port.</summary>
    public void Resume()
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _listener = listener;
        _loop = Task.Run(() => ServeAsync(listener));
    }

    /// <summary>Stops listening: the gateway's connections are refused until <see cref="Resume"/>.</summary>
    public async Task StopAsync()
    {
        if (_listener is { } listener)
        {
            _listener = null;
            listener.Stop();
            listener.Close();
            await _loop.ConfigureAwait(false);
        }
    }

    /// <summary>Waits (generously) until <paramref name="done"/> holds for what was received.</summary>
    public async Task WaitUntilAsync(Func<SiemReceiver, bool> done, string what, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!done(this))
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The receiver never saw {what}; it received {_batches.Count} requests.");
            }

            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!);
            var status = Status;
            _batches.Enqueue(new SiemBatch(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, headers, body, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }
}

/// <summary>One POST the receiver got, and what it answered.</summary>
internal sealed record SiemBatch(string Method, string Path, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body, int Status)
{
    public string DeliveryId => Headers["x-mcpgateway-delivery"];

    /// <summary>Every line of the body as JSON.</summary>
    public IReadOnlyList<JsonObject> Lines => [.. Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonObject)JsonNode.Parse(l)!)];

    /// <summary>The entry lines (not the checkpoint line).</summary>
    public IReadOnlyList<JsonObject> Entries => [.. Lines.Where(l => !l.ContainsKey("checkpoint"))];

    /// <summary>The seqs of the entries, from the JSON Lines <c>seq</c> or OCSF <c>metadata.sequence</c>.</summary>
    public IReadOnlyList<long> Seqs => [.. Entries.Select(e => (e["seq"] ?? e["metadata"]!["sequence"])!.GetValue<long>())];

    /// <summary>The checkpoint line's checkpoint, when the batch carries one.</summary>
    public JsonObject? Checkpoint => Lines.LastOrDefault(l => l.ContainsKey("checkpoint"))?["checkpoint"] as JsonObject;

    /// <summary>
    /// The receiver's check, step by step as the README tells it: split the header into t and v1,
    /// HMAC-SHA256 the key over t + "." + the raw body, compare in constant time.
    /// </summary>
    public bool SignedWith(string key, DateTimeOffset sentAround)
    {
        var parts = Headers["x-mcpgateway-signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts["t"], CultureInfo.InvariantCulture));
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(parts["t"] + "." + Body)));
        return (sent - sentAround).Duration() < TimeSpan.FromMinutes(5)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts["v1"]));
    }
}
