// Audit append throughput: concurrent writers appending call-sized entries, with the commit wait
// each writer sees, beside this disk's own fsync time and the ceiling one fsync per entry would set.
//
//   dotnet run -c Release --project bench/Audit.Load -- [seconds per level] [writers...]
//       the embedded SQLite store, in a temporary folder
//   dotnet run -c Release --project bench/Audit.Load -- --postgres [--replicas N] [seconds] [writers...]
//       the PostgreSQL store, a fresh database per level on the server whose superuser connection
//       string is in MCPGW_TEST_POSTGRES (MCPGW_POSTGRES_DURABLE=1 eng/postgres.sh start gives one
//       with fsync on); with --replicas, that many stores (as replicas would) share the writers
using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage.Postgres;
using McpGateway.Storage.Relational;
using McpGateway.Storage.Sqlite;
using Npgsql;

var postgres = args.Contains("--postgres");
var replicas = 1;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--replicas")
    {
        replicas = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    }
    else if (args[i] != "--postgres")
    {
        rest.Add(args[i]);
    }
}

var seconds = rest.Count > 0 ? double.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
int[] levels = rest.Count > 1 ? [.. rest.Skip(1).Select(int.Parse)] : [1, 8, 32];
var server = postgres
    ? Environment.GetEnvironmentVariable("MCPGW_TEST_POSTGRES") ?? throw new InvalidOperationException("--postgres needs MCPGW_TEST_POSTGRES: eval \"$(MCPGW_POSTGRES_DURABLE=1 eng/postgres.sh start)\"")
    : null;

var root = Directory.CreateTempSubdirectory("mcpgw-audit-load-");
try
{
    var fsync = MeasureFsync(root.FullName);
    if (server is not null)
    {
        Console.WriteLine($"store: PostgreSQL ({await SettingAsync(server, "fsync")} fsync, synchronous_commit {await SettingAsync(server, "synchronous_commit")}), {replicas} replica(s) sharing the writers");
    }

    Console.WriteLine($"fsync on this disk: {fsync.TotalMilliseconds:F2} ms per write+fsync → at most {1000 / fsync.TotalMilliseconds:N0} commits/s, the ceiling of one commit per entry");
    Console.WriteLine();
    Console.WriteLine("| writers | entries/s | commit wait p50 | p99 | entries per commit (mean) |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var writers in levels)
    {
        var stores = new List<RelationalGatewayStore>();
        if (server is null)
        {
            stores.Add(await SqliteGatewayStore.OpenAsync(Path.Combine(root.FullName, $"w{writers}"), TimeProvider.System, CancellationToken.None));
        }
        else
        {
            var database = await CreateDatabaseAsync(server, $"audit_load_w{writers}_{Environment.ProcessId}");
            for (var r = 0; r < replicas; r++)
            {
                stores.Add(await PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = database }, TimeProvider.System, CancellationToken.None));
            }
        }

        var result = await RunAsync(stores, writers, TimeSpan.FromSeconds(seconds));
        var batches = new AuditBatchCounters(stores.Sum(s => s.AuditBatches.Commits), stores.Sum(s => s.AuditBatches.Entries));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        if (server is not null)
        {
            await DropDatabaseAsync(server, $"audit_load_w{writers}_{Environment.ProcessId}");
        }

        Console.WriteLine($"| {writers} | {result.Entries / result.Elapsed.TotalSeconds:N0} | {result.P50.TotalMilliseconds:F2} ms | {result.P99.TotalMilliseconds:F2} ms | {batches.Entries / (double)Math.Max(1, batches.Commits):F1} |");
    }
}
finally
{
    root.Delete(recursive: true);
}

static async Task<(long Entries, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)> RunAsync(List<RelationalGatewayStore> stores, int writers, TimeSpan duration)
{
    // Warm up: the connection pools, the JIT.
    foreach (var store in stores)
    {
        for (var i = 0; i < 50; i++)
        {
            await store.Audit.AppendAsync(Entry(0, i), CancellationToken.None);
        }
    }

    var waits = new List<double>[writers];
    var watch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var mine = waits[w] = new List<double>(100_000);
        var store = stores[w % stores.Count];
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
    new AuditIds(McpGateway.Pipeline.SessionIds.NewCallId(DateTimeOffset.UtcNow), "s-load", null, $"agent-{writer}"),
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

static async Task<string> CreateDatabaseAsync(string server, string name)
{
    await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name};");
    return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
}

static Task DropDatabaseAsync(string server, string name)
{
    NpgsqlConnection.ClearAllPools();
    return ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");
}

static async Task ExecuteAsync(string server, string sql)
{
    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
    await connection.OpenAsync();
    foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync();
    }
}

static async Task<string> SettingAsync(string server, string name)
{
    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand($"SHOW {name};", connection);
    return (string)(await command.ExecuteScalarAsync())!;
}
