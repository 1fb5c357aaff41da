using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Audit.RequestHashing;
using McpGateway.IntegrationTests.RunSql;
using McpGateway.IntegrationTests.Support;
using McpGateway.Storage.Postgres;
using Npgsql;

namespace McpGateway.IntegrationTests.Storage;

/// <summary>
/// <c>store migrate</c> on real processes: a gateway serves on SQLite (keys, calls, a checkpoint
/// at shutdown), the store is moved to a fresh PostgreSQL database, and then <c>audit verify</c>
/// accepts the moved chain with its signatures and anchor, the old key works on a gateway serving
/// from PostgreSQL, and the chain goes on from where it ended. A second migration into the now
/// non-empty database copies nothing. (The gateway connects as the test server's superuser: this
/// test is about the store, not about least privilege.)
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class StoreMigrateTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        if (TestPostgres.SkipReason is null)
        {
            _database = TestPostgres.NewName("gw_migrate");
            await TestPostgres.ExecuteAsync($"CREATE DATABASE {_database};", "postgres");
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_database is not null)
        {
            await TestPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE);", "postgres");
        }

        await _environment.DisposeAsync();
    }

    [PostgresFact]
    public async Task A_sqlite_store_moves_to_postgres_with_keys_and_a_chain_that_verifies_and_goes_on()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using (var gateway = await GatewayServer.StartAsync(_environment))
        {
            await CallAsync(gateway, key, "before-move");
        }

        var sqliteChain = await _environment.AuditEntriesAsync();
        sqliteChain.Should().Contain(e => e.Type == AuditEventTypes.AuditCheckpoint, "a checkpoint is signed at shutdown");

        // Before the target is configured, there is nowhere to migrate to.
        var nowhere = await GatewayProcess.RunAsync(["store", "migrate", "--config", _environment.ConfigPath]);
        nowhere.ExitCode.Should().Be(2, nowhere.StandardError);
        nowhere.StandardError.Should().Contain("McpGateway:Store names the SQLite store");

        UsePostgres();
        var migrated = await GatewayProcess.RunAsync(["store", "migrate", "--config", _environment.ConfigPath]);
        migrated.ExitCode.Should().Be(0, migrated.StandardError);
        migrated.StandardOutput.Should().Contain($"{sqliteChain.Count} audit entries").And.Contain("1 API key(s)").And.Contain($"ends at entry {sqliteChain[^1].Seq}");
        migrated.StandardOutput.Should().NotContain(TestPostgres.AdminPassword);

        await using (var store = await OpenPostgresAsync())
        {
            var moved = await store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
            moved.Should().BeEquivalentTo(sqliteChain, options => options.WithStrictOrdering(), "every entry is copied unchanged");
        }

        var verified = await GatewayProcess.RunAsync(["audit", "verify", "--config", _environment.ConfigPath]);
        verified.ExitCode.Should().Be(0, verified.StandardOutput + verified.StandardError);
        verified.StandardOutput.Should().Contain("audit chain OK").And.Contain("checkpoints verify", "the checkpoints signed on SQLite verify on PostgreSQL");

        await using (var gateway = await GatewayServer.StartAsync(_environment))
        {
            await CallAsync(gateway, key, "after-move");
        }

        await using (var store = await OpenPostgresAsync())
        {
            var chain = await store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
            chain.Where(e => e.Seq > sqliteChain[^1].Seq).Should().Contain(e => e.Type == AuditEventTypes.CallFinished, "the key issued on SQLite authenticates on PostgreSQL and the chain goes on");
        }

        var after = await GatewayProcess.RunAsync(["audit", "verify", "--config", _environment.ConfigPath]);
        after.ExitCode.Should().Be(0, after.StandardOutput + after.StandardError);

        var again = await GatewayProcess.RunAsync(["store", "migrate", "--config", _environment.ConfigPath]);
        again.ExitCode.Should().Be(1, again.StandardError);
        again.StandardError.Should().Contain("already holds").And.Contain("Nothing was copied");
    }

    /// <summary>Points the configuration at the test database, keeping the data folder's signing and request-hash keys.</summary>
    private void UsePostgres()
    {
        var builder = TestPostgres.Admin;
        builder.Database = _database;
        File.WriteAllText(Path.Combine(_environment.Root, "store.conn"), builder.ConnectionString);
        var config = JsonNode.Parse(File.ReadAllText(_environment.ConfigPath))!;
        config["McpGateway"]!["Store"] = new JsonObject { ["Kind"] = "Postgres", ["ConnectionString"] = "{file:store.conn}" };
        config["McpGateway"]!["Audit"] = new JsonObject
        {
            ["SigningKey"] = $"{{file:{SigningKeySource.DefaultPath(_environment.DataDirectory)}}}",
            ["RequestHashKey"] = $"{{file:{RequestHashKeySource.DefaultPath(_environment.DataDirectory)}}}",
        };
        File.WriteAllText(_environment.ConfigPath, config.ToJsonString());
    }

    private Task<PostgresGatewayStore> OpenPostgresAsync()
    {
        var builder = TestPostgres.Admin;
        builder.Database = _database;
        return PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = builder.ConnectionString }, TimeProvider.System, CancellationToken.None);
    }

    private static async Task CallAsync(GatewayServer gateway, string key, string path)
    {
        await using var agent = await GatewayClients.HttpAsync(gateway, key, GatewayClients.Current);
        var result = await agent.CallToolAsync("http_call", new Dictionary<string, object?> { ["service"] = "loopback", ["method"] = "GET", ["path"] = $"/api/echo/{path}" });
        result.IsError.Should().NotBe(true, result.Text());
    }
}
