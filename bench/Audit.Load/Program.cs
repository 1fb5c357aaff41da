// Audit append throughput on the embedded store: concurrent writers appending call-sized entries,
// with the commit wait each writer sees, beside this disk's own fsync time and the ceiling one
// fsync per entry would set. Usage: dotnet run -c Release --project bench/Audit.Load -- [seconds per level] [writers...]
using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage.Sqlite;

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
int[] levels = args.Length > 1 ? [.. args.Skip(1).Select(int.Parse)] : [1, 8, 32];

var root = Directory.CreateTempSubdirectory("mcpgw-audit-load-");
try
{
    var fsync = MeasureFsync(root.FullName);
    Console.WriteLine($"fsync on this disk: {fsync.TotalMilliseconds:F2} ms per write+fsync → at most {1000 / fsync.TotalMilliseconds:N0} commits/s, the ceiling of one commit per entry");
    Console.WriteLine();
    Console.WriteLine("| writers | entries/s | commit wait p50 | p99 | entries per commit (mean) |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var writers in levels)
    {
        var folder = Path.Combine(root.FullName, $"w{writers}");
        await using var store = await SqliteGatewayStore.OpenAsync(folder, TimeProvider.System, CancellationToken.None);
        var result = await RunAsync(store, writers, TimeSpan.FromSeconds(seconds));
        var batches = store.AuditBatches;
        Console.WriteLine($"| {writers} | {result.Entries / result.Elapsed.TotalSeconds:N0} | {result.P50.TotalMilliseconds:F2} ms | {result.P99.TotalMilliseconds:F2} ms | {batches.Entries / (double)Math.Max(1, batches.Commits):F1} |");
    }
}
finally
{
    root.Delete(recursive: true);
}

static async Task<(long Entries, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)> RunAsync(SqliteGatewayStore store, int writers, TimeSpan duration)
{
    // Warm up: the connection pool, the JIT.
    for (var i = 0; i < 50; i++)
    {
        await store.Audit.AppendAsync(Entry(0, i), CancellationToken.None);
    }

    var waits = new List<double>[writers];
    var watch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var mine = waits[w] = new List<double>(100_000);
        var n = 0;
        while (watch.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            await store.Audit.AppendAsync(Entry(w, n++), CancellationToken.None);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    var elapsed = watch.Elapsed;
    var all = waits.SelectMany(w => w).Order().ToArray();
    return (all.Length, elapsed, TimeSpan.FromMilliseconds(all[all.Length / 2]), TimeSpan.FromMilliseconds(all[(int)(all.Length * 0.99)]));
}

static AuditAppend Entry(int writer, int n) => new(
    AuditEventTypes.CallFinished,
    new AuditIds($"call-{writer:x4}{n:x20}", "s-load", null, $"agent-{writer}"),
    new JsonObject
    {
        ["tool"] = "http_call",
        ["target"] = "billing",
        ["outcome"] = "ok",
        ["durationMs"] = 3,
        ["excerpt"] = "{\"status\":200,\"body\":\"" + new string('x', 300) + "\"}",
        ["masked"] = new JsonObject(),
    });

static TimeSpan MeasureFsync(string folder)
{
    var path = Path.Combine(folder, "fsync.probe");
    using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
    var block = new byte[4096];
    file.Write(block);
    file.Flush(flushToDisk: true);
    const int Rounds = 100;
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < Rounds; i++)
    {
        file.Position = 0;
        block[0] = (byte)i;
        file.Write(block);
        file.Flush(flushToDisk: true);
    }

    return watch.Elapsed / Rounds;
}

