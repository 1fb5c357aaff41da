using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Approvals;
using McpGateway.IntegrationTests.RunSql;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Storage;

/// <summary>
/// Two real gateway processes (<c>serve --http</c>), each with its own configuration file and data
/// folder, on one PostgreSQL store, as replicas behind a load balancer would run. Under concurrent
/// load from real MCP clients on both, they append to one chain: contiguous, accepted by
/// <c>audit verify</c>, holding every call a client saw answered, started by both processes. A key
/// issued once by the CLI works on both and, revoked by the CLI with the other replica's
/// configuration, is refused by the first on its next request. A call paused for approval on one
/// process is approved through the other's operator API, and the agent gets its result through
/// the first — while it waits, and collected after.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresReplicaTests : IAsyncLifetime
{
    private const int Processes = 2;
    private const int ClientsPerProcess = 4;
    private const int CallsPerClient = 25;

    private GatewayEnvironment _environment = null!;
    private string? _database;

    /// <summary>The second replica's configuration: the first's, with a data folder of its own.</summary>
    private string ReplicaConfigPath => Path.Combine(_environment.Root, "replica-b.json");

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(false, timings: ApprovalFixture.Timings, approvals: new JsonObject { ["Wait"] = "20s", ["WaitWithoutProgress"] = "500ms" });

        // A fresh database per test. The gateway connects as the superuser here: the store creates
        // and migrates its own tables in it, and the store's privileges are not what is tested.
        _database = await TestPostgres.CreateDatabaseAsync();
        _environment.UsePostgresStore(TestPostgres.ConnectionString(_database));

        // Checkpoints while the load runs, signed by whichever replica holds the job, with the shared key.
        var config = JsonNode.Parse(File.ReadAllText(_environment.ConfigPath))!;
        config["McpGateway"]!["Audit"]!["Checkpoints"] = new JsonObject { ["Every"] = 40, ["Interval"] = "1s" };
        File.WriteAllText(_environment.ConfigPath, config.ToJsonString());
        config["McpGateway"]!["DataDirectory"] = "data-b";
        File.WriteAllText(ReplicaConfigPath, config.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await _environment.DisposeAsync();
        if (_database is not null)
        {
            await TestPostgres.DropDatabaseAsync(_database);
        }
    }

    [PostgresFact]
    public async Task Two_processes_under_concurrent_load_append_one_chain_that_verifies_and_holds_every_answered_call()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var servers = await StartReplicasAsync();
        List<(int Process, List<string> CallIds)> answered;
        try
        {
            // Every client connects first, then all call at once.
            var clients = await Task.WhenAll(Enumerable.Range(0, Processes * ClientsPerProcess).Select(i => GatewayClients.HttpAsync(servers[i % Processes], key, GatewayClients.Current)));
            try
            {
                answered = [.. await Task.WhenAll(clients.Select((client, i) => Task.Run(async () =>
                {
                    var ids = new List<string>();
                    for (var n = 0; n < CallsPerClient; n++)
                    {
                        var result = await client.HttpCallAsync("GET", $"/api/echo/replica-{i % Processes}-{i}-{n}");
                        result.IsError.Should().NotBe(true, result.Text());
                        ids.Add(result.CallId() ?? throw new InvalidOperationException("An answered call carries no call id: " + result.Text()));
                    }

                    return (Process: i % Processes, CallIds: ids);
                })))];
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        // Both processes are gone: the chain is final.
        var entries = await _environment.AuditEntriesAsync();
        var calls = entries.Where(e => e.Type.StartsWith("call.", StringComparison.Ordinal)).GroupBy(e => e.Ids.CallId!).ToDictionary(g => g.Key, g => g.ToList());
        var all = answered.SelectMany(a => a.CallIds).ToList();

        all.Should().HaveCount(Processes * ClientsPerProcess * CallsPerClient).And.OnlyHaveUniqueItems();
        _environment.Service.Requests.Count(r => r.Target.StartsWith("/api/echo/replica-", StringComparison.Ordinal)).Should().Be(all.Count, "each call reached the service once");
        entries.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), "two writers append to one chain: no seq twice, none skipped");
        calls.Keys.Should().BeEquivalentTo(all, "the chain holds exactly the calls the clients made");
        foreach (var id in all)
        {
            calls[id].Select(e => e.Type).Should().Equal(["call.started", "call.finished"], $"call {id} was answered, so its finish was recorded before the answer");
        }

        // Each process started its own calls under its own instance id, and the two wrote at the same time.
        var instances = answered.GroupBy(a => a.Process).ToDictionary(g => g.Key, g => g.SelectMany(a => a.CallIds).Select(id => calls[id][0].Lease?.InstanceId).Distinct().ToList());
        instances[0].Should().ContainSingle().Which.Should().StartWith("gw-");
        instances[1].Should().ContainSingle().Which.Should().StartWith("gw-").And.NotBe(instances[0][0], "the two processes are two instances");
        var starts = answered.GroupBy(a => a.Process).ToDictionary(g => g.Key, g => g.SelectMany(a => a.CallIds).Select(id => calls[id][0].Seq).ToList());
        starts[0].Min().Should().BeLessThan(starts[1].Max(), "the processes appended concurrently, their entries interleaved");
        starts[1].Min().Should().BeLessThan(starts[0].Max(), "the processes appended concurrently, their entries interleaved");

        // The CLI verifies the shared chain and its checkpoints from either replica's configuration.
        var signed = 0;
        foreach (var config in new[] { _environment.ConfigPath, ReplicaConfigPath })
        {
            var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", config]);
            verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
            verify.StandardOutput.Should().Contain($"audit chain OK: {entries.Count} entries");
            signed += verify.StandardOutput.Contains("checkpoints verify", StringComparison.Ordinal) ? 1 : 0;
        }

        signed.Should().Be(2, "checkpoints signed with the shared key are in the chain whichever replica took them");
    }

    [PostgresFact]
    public async Task A_key_created_once_works_on_both_processes_and_revoked_with_the_cli_is_refused_by_the_other_on_its_next_request()
    {
        var created = await GatewayProcess.RunAsync(["keys", "create", "--identity", "test-agent", "--description", "replicas", "--config", _environment.ConfigPath]);
        created.ExitCode.Should().Be(0, created.StandardError);
        var key = created.StandardOutput.Trim();
        var id = key.Substring(4, 16);
        var servers = await StartReplicasAsync();
        try
        {
            await using var onA = await GatewayClients.HttpAsync(servers[0], key, GatewayClients.Current);
            await using var onB = await GatewayClients.HttpAsync(servers[1], key, GatewayClients.Current);
            (await onA.HttpCallAsync("GET", "/api/echo/key-on-a")).IsError.Should().NotBe(true, "the key is in the shared store");
            (await onB.HttpCallAsync("GET", "/api/echo/key-on-b")).IsError.Should().NotBe(true, "the key is in the shared store");

            // Revoked with the second replica's configuration; the first is not told.
            var revoked = await GatewayProcess.RunAsync(["keys", "revoke", id, "--config", ReplicaConfigPath]);
            revoked.ExitCode.Should().Be(0, revoked.StandardError);
            revoked.StandardOutput.Should().Contain($"Revoked key {id}");

            var next = () => onA.HttpCallAsync("GET", "/api/echo/key-on-a-after");
            (await next.Should().ThrowAsync<HttpRequestException>("the first process's next request checks the shared store")).Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            foreach (var server in servers)
            {
                var (status, body) = await RawInitializeAsync(server, key);
                status.Should().Be(HttpStatusCode.Unauthorized, body);
                body.Should().Contain("The API key was revoked.");
            }

            _environment.Service.Requests.Should().NotContain(r => r.Target == "/api/echo/key-on-a-after", "a refused request never reaches the service");
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        var chain = await _environment.AuditEntriesAsync();
        chain.Where(e => e.Type.StartsWith("key.", StringComparison.Ordinal)).Select(e => e.Type).Should().Equal("key.created", "key.revoked");
    }

    [PostgresFact]
    public async Task A_call_paused_on_one_process_is_approved_through_the_other_and_its_result_reaches_the_agent_on_the_first()
    {
        var agentKey = await _environment.CreateKeyAsync("test-agent");
        var approverKey = await _environment.CreateKeyAsync("approver");
        var servers = await StartReplicasAsync();
        string waitedCall;
        string laterCall;
        try
        {
            await using var agent = await GatewayClients.HttpAsync(servers[0], agentKey, GatewayClients.Current);
            using var approver = new OperatorApi(servers[1], approverKey);

            // The agent's call waits on A; the request is listed and approved on B.
            var progress = new ConcurrentQueue<string>();
            var call = agent.HttpCallWithProgressAsync("POST", "/api/echo/replica-wait", progress, body: "{\"amount\":7}");
            var id = await approver.WaitForPendingAsync("/api/echo/replica-wait");
            var (status, decided) = await approver.ApproveAsync(id);
            var result = await call.WaitAsync(TimeSpan.FromSeconds(30));

            status.Should().Be(HttpStatusCode.OK, decided.ToJsonString());
            result.IsError.Should().NotBe(true, result.Text());
            result.Structured().GetProperty("status").GetInt32().Should().Be(200);
            result.Structured().GetProperty("body").GetString().Should().Contain("\\\"amount\\\":7");
            progress.Should().Contain(m => m.Contains(id, StringComparison.Ordinal), "the waiting call told the agent what it waits for");
            Hits("/api/echo/replica-wait").Should().Be(1);
            waitedCall = result.CallId()!;

            // Past its wait, the call returns pending on A; approved on B, it is collected on A.
            var pending = await agent.HttpCallAsync("POST", "/api/echo/replica-later", body: "{}");
            var laterId = pending.ApprovalId();
            (await approver.ApproveAsync(laterId)).Status.Should().Be(HttpStatusCode.OK);
            var collected = await agent.ApprovalStatusAsync(laterId);

            collected.IsError.Should().NotBe(true, collected.Text());
            collected.Structured().GetProperty("status").GetInt32().Should().Be(200);
            Hits("/api/echo/replica-later").Should().Be(1);
            laterCall = collected.CallId()!;
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }

        var chain = await _environment.AuditEntriesAsync();
        chain.Where(e => e.Ids.CallId == waitedCall).Select(e => e.Type).Should().Equal("call.started", "approval.requested", "approval.decided", "approval.executed", "call.finished");
        chain.Single(e => e.Ids.CallId == waitedCall && e.Type == "approval.decided").Ids.Identity.Should().Be("approver");
        chain.Where(e => e.Ids.CallId == laterCall).Select(e => e.Type).Should().Equal("call.started", "approval.executed", "call.finished");
        var instances = chain.Where(e => e.Type == "call.started" && (e.Ids.CallId == waitedCall || e.Ids.CallId == laterCall)).Select(e => e.Lease?.InstanceId).Distinct();
        instances.Should().ContainSingle("both runs were on the process the agent talks to");
    }

    /// <summary>Both replicas, started at once (they race to migrate the new database).</summary>
    [PostgresFact]
    public async Task While_the_store_is_locked_or_refuses_connections_calls_are_refused_before_they_run_and_the_gateway_recovers_by_itself()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var gateway = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(gateway, key, GatewayClients.Current);
        (await agent.HttpCallAsync("GET", "/api/echo/before")).IsError.Should().NotBe(true);

        // Another session holds the writers' lock for longer than a writer waits (10 s).
        ModelContextProtocol.Protocol.CallToolResult locked;
        // Not pooled: closing it must end the session, and with it the lock.
        await using (var holder = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString(_database!)) { Pooling = false }.ConnectionString))
        {
            await holder.OpenAsync();
            await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({McpGateway.Storage.Postgres.PostgresGatewayStore.WritersLock});", holder))
            {
                await take.ExecuteNonQueryAsync();
            }

            locked = await agent.HttpCallAsync("GET", "/api/echo/while-locked");
        }

        ShouldBeRefusedUnrecorded(locked, "/api/echo/while-locked");
        gateway.Log.Should().Contain("held the store's lock", "the operator's log says why; the agent gets only that the audit log is unavailable");
        locked.Text().Should().NotContain("advisory");
        (await agent.HttpCallAsync("GET", "/api/echo/after-lock")).IsError.Should().NotBe(true);

        // The database refuses connections (and drops the gateway's): refused, whatever step meets it first.
        await TestPostgres.ExecuteAsync($"ALTER DATABASE {_database} ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_database}' AND pid <> pg_backend_pid();", "postgres");
        Exception? failure = null;
        ModelContextProtocol.Protocol.CallToolResult? refused = null;
        try
        {
            refused = await agent.HttpCallAsync("GET", "/api/echo/while-down");
        }
        catch (Exception ex) when (ex is HttpRequestException or ModelContextProtocol.McpException)
        {
            failure = ex;
        }
        finally
        {
            await TestPostgres.ExecuteAsync($"ALTER DATABASE {_database} ALLOW_CONNECTIONS true;", "postgres");
        }

        if (refused is not null)
        {
            ShouldBeRefusedUnrecorded(refused, "/api/echo/while-down");
        }
        else
        {
            failure.Should().NotBeNull();
            _environment.Service.Requests.Should().NotContain(r => r.Target == "/api/echo/while-down", "nothing runs while the store cannot be reached");
        }

        // No restart: the next call after the database is back succeeds, and the chain verifies.
        await using var again = await GatewayClients.HttpAsync(gateway, key, GatewayClients.Current);
        var after = await again.HttpCallAsync("GET", "/api/echo/after-down");
        after.IsError.Should().NotBe(true, after.Text());
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", _environment.ConfigPath]);
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
    }

    private void ShouldBeRefusedUnrecorded(ModelContextProtocol.Protocol.CallToolResult refused, string path)
    {
        refused.IsError.Should().BeTrue();
        refused.StructuredContent!.Value.GetProperty("error").GetProperty("code").GetString().Should().Be("audit-unavailable", refused.Text());
        refused.Text().Should().Contain("not executed");
        _environment.Service.Requests.Should().NotContain(r => r.Target == path, "nothing runs without a durable start");
    }

    private async Task<GatewayServer[]> StartReplicasAsync()
    {
        var starting = new[]
        {
            GatewayServer.StartAsync(_environment),
            GatewayServer.StartAsync(ReplicaConfigPath, _environment.Root, "http://127.0.0.1:0"),
        };
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }

    private int Hits(string path) => _environment.Service.Requests.Count(r => r.Method == "POST" && r.Target == path);

    private static async Task<(HttpStatusCode Status, string Body)> RawInitializeAsync(GatewayServer server, string key)
    {
        using var http = new HttpClient();
        using var request = RawMcp.Post(server.McpEndpoint, RawMcp.InitializeJson, key, protocolVersion: GatewayClients.Sessions);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
