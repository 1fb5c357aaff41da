using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using McpGateway.Audit;
using McpGateway.Configuration;
using McpGateway.Hosting;
using McpGateway.Hosting.Authentication;
using McpGateway.Hosting.Mcp;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Npgsql;

namespace RunSql.Benchmarks;

[MemoryDiagnoser]
public class RunSqlBenchmarks
{
    private readonly Dictionary<string, object?> _arguments = new() { ["connection"] = "orders", ["sql"] = "SELECT 1" };
    private string _root = null!;
    private IHost _host = null!;
    private SqliteGatewayStore _store = null!;
    private McpClient _client = null!;
    private NpgsqlDataSource _plain = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        var admin = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("MCPGW_TEST_POSTGRES")
            ?? throw new InvalidOperationException("MCPGW_TEST_POSTGRES is not set: start the test server first (eval \"$(eng/postgres.sh start)\")."));
        var role = "bench_" + Guid.NewGuid().ToString("N")[..8];
        var password = "bench-" + Guid.NewGuid().ToString("N");
        await using (var setup = NpgsqlDataSource.Create(admin.ConnectionString))
        {
            await setup.CreateCommand($"CREATE ROLE {role} LOGIN PASSWORD '{password}'; GRANT SELECT ON orders TO {role};").ExecuteNonQueryAsync();
        }

        _root = Directory.CreateTempSubdirectory("mcpgw-bench-sql-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "policies"));
        File.WriteAllText(Path.Combine(_root, "orders.pw"), password);
        File.WriteAllText(Path.Combine(_root, "policies", "bench.yaml"), """
            rules:
              - name: reads
                when: { identity: agent, tool: run_sql, connection: orders, facts: { sql.readOnly: true } }
                effect: allow
                obligations: { readOnly: true, maxRows: 100, statementTimeout: 10s }
            """);
        File.WriteAllText(Path.Combine(_root, "gateway.json"), $$"""
            { "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Groups": {},
                "Identities": { "agent": { "Roles": ["agent"] } },
                "Targets": { "Postgres": { "orders": { "Host": "{{admin.Host}}", "Port": {{admin.Port}}, "Database": "orders", "Username": "{{role}}", "Password": "{file:orders.pw}", "SslMode": "Disable" } } } } }
            """);

        var runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(Path.Combine(_root, "gateway.json")), TimeProvider.System);
        _store = await SqliteGatewayStore.OpenAsync(runtime.Configuration.DataDirectory, TimeProvider.System, CancellationToken.None);
        var keys = new ApiKeyService(_store, new AuditRecorder(_store.Audit, runtime.Secrets), new RuntimeIdentityDirectory(runtime), TimeProvider.System);
        var key = (await keys.CreateAsync("agent", null, "bench", CancellationToken.None)).Key;

        var toServer = new Pipe();
        var toClient = new Pipe();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddGatewayCore(runtime, _store);
        builder.Services.AddSingleton(new StdioCredential(key));
        builder.Services.AddSingleton<ICallerResolver, StdioCallerResolver>();
        builder.Services.AddGatewayMcpServer().WithStreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        _host = builder.Build();
        await _host.StartAsync();
        _client = await McpClient.CreateAsync(
            new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new() { Name = "bench", Version = "1.0" } });

        _plain = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
        {
            Host = admin.Host,
            Port = admin.Port,
            Database = "orders",
            Username = role,
            Password = password,
            SslMode = SslMode.Disable,
        }.ConnectionString);

        if ((await _client.CallToolAsync("run_sql", _arguments)).IsError == true)
        {
            throw new InvalidOperationException("The governed call failed during set-up.");
        }
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        await _client.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
        await _store.DisposeAsync();
        await _plain.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>SELECT 1 with plain Npgsql on a pooled data source: the floor.</summary>
    [Benchmark(Baseline = true)]
    public async Task<object?> Plain_Npgsql_select_1()
    {
        await using var command = _plain.CreateCommand("SELECT 1");
        return await command.ExecuteScalarAsync();
    }

    /// <summary>run_sql SELECT 1 through the MCP client and the whole governed pipeline.</summary>
    [Benchmark]
    public async Task<bool?> Governed_run_sql_select_1() => (await _client.CallToolAsync("run_sql", _arguments)).IsError;
}
