// Load harness: the cost of the governed path against calling the service directly, measured in
// one run on this machine. It starts a small HTTP service on loopback, then issues the same GET
//   (a) directly with HttpClient, and
//   (b) through the gateway's pipeline (classify, decide, durable call.started, execute, mask,
//       durable call.finished) with a real SQLite store,
// sequentially and with 8 concurrent callers, and prints throughput, latency and the ratio.
// Usage: dotnet run -c Release --project bench/Gateway.Load [-- CALLS]
using System.Diagnostics;
using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Hosting;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var calls = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var root = Directory.CreateTempSubdirectory("mcpgw-load-").FullName;
try
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    await using var service = builder.Build();
    service.MapGet("/api/items/{id}", (string id) => Results.Json(new { id, name = "item " + id, price = 42 }));
    await service.StartAsync();
    var serviceUrl = service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";

    Directory.CreateDirectory(Path.Combine(root, "policies"));
    File.WriteAllText(Path.Combine(root, "token"), "load-test-token-0123456789");
    File.WriteAllText(Path.Combine(root, "policies", "load.yaml"), """
        rules:
          - name: reads
            when: { identity: agent, tool: http_call, connection: svc, facts: { http.method: GET, http.path: { glob: "/api/**" } } }
            effect: allow
            obligations: { timeout: 10s, maxResponseBytes: 64KiB }
        """);
    File.WriteAllText(Path.Combine(root, "gateway.json"), $$"""
        { "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Groups": {},
            "Identities": { "agent": { "Roles": ["agent"] } },
            "Targets": { "Http": { "svc": { "BaseUrl": "{{serviceUrl}}", "Auth": { "Bearer": "{file:token}" } } } } } }
        """);
    var configuration = ConfigurationLoader.LoadFile(Path.Combine(root, "gateway.json"));
    var runtime = GatewayRuntime.Load(configuration, TimeProvider.System);
    await using var store = await SqliteGatewayStore.OpenAsync(configuration.DataDirectory, TimeProvider.System, CancellationToken.None);
    await using var services = new ServiceCollection().AddLogging().AddGatewayCore(runtime, store).BuildServiceProvider();
    var pipeline = services.GetRequiredService<ToolCallPipeline>();
    var caller = new CallerInfo(runtime.Configuration.Identities["agent"], "s-load", "load", "1", null);
    using var direct = new HttpClient();

    async Task Direct(int i)
    {
        using var response = await direct.GetAsync($"{serviceUrl}api/items/{i}");
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
    }

    async Task Governed(int i)
    {
        var arguments = JsonSerializer.SerializeToElement(new { service = "svc", method = "GET", path = $"/api/items/{i}" });
        var outcome = await pipeline.RunAsync(new ToolCallRequest(caller, "http_call", arguments), CancellationToken.None);
        if (outcome.IsError)
        {
            throw new InvalidOperationException(outcome.Text);
        }
    }

    Console.WriteLine($"{calls} calls per run; {Environment.ProcessorCount} cores; SQLite synchronous=FULL (every audit append is fsynced)");
    foreach (var concurrency in new[] { 1, 8 })
    {
        await Measure("warm-up", Direct, 200, concurrency, quiet: true);
        await Measure("warm-up", Governed, 200, concurrency, quiet: true);
        var baseline = await Measure("direct HttpClient", Direct, calls, concurrency);
        var governed = await Measure("through the gateway pipeline", Governed, calls, concurrency);
        Console.WriteLine($"  concurrency {concurrency}: gateway/direct mean latency ratio {governed.Mean / baseline.Mean:F1}x, throughput ratio {governed.PerSecond / baseline.PerSecond:F2}");
    }

    var verify = await McpGateway.Audit.AuditVerifier.VerifyAsync(store.Audit, CancellationToken.None);
    Console.WriteLine($"audit chain after the run: {(verify.Intact ? "intact" : "BROKEN")}, {verify.Entries} entries");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(root, recursive: true);
}

static async Task<Result> Measure(string name, Func<int, Task> call, int count, int concurrency, bool quiet = false)
{
    var latencies = new double[count];
    var next = -1;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }));
    total.Stop();
    Array.Sort(latencies);
    var result = new Result(count / total.Elapsed.TotalSeconds, latencies.Average(), latencies[count / 2], latencies[(int)(count * 0.99)]);
    if (!quiet)
    {
        Console.WriteLine($"  {name,-30} c={concurrency}: {result.PerSecond,8:F0} calls/s  mean {result.Mean,6:F2} ms  p50 {result.P50,6:F2} ms  p99 {result.P99,6:F2} ms");
    }

    return result;
}

internal sealed record Result(double PerSecond, double Mean, double P50, double P99);
