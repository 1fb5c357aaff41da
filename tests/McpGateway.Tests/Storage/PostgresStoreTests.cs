using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Configuration;
using McpGateway.Storage;
using McpGateway.Storage.Postgres;
using Npgsql;

namespace McpGateway.Tests.Storage;

/// <summary>
/// What only the PostgreSQL store has: replicas on one database (one chain, one decision per
/// approval, one holder per job), the advisory writers' lock held elsewhere, the database going
/// away and coming back, migrations raced by replicas and run on by older ones.
/// </summary>
public sealed class PostgresStoreTests : IPostgresStoreTests
{
    [StoreFact]
    public async Task Replicas_appending_under_load_write_one_valid_chain_with_no_seq_twice()
    {
        await using var first = await TemporaryStore.CreateAsync(StoreKind.Postgres);
        await using var second = await first.OpenAnotherAsync();
        await using var third = await first.OpenAnotherAsync();
        var replicas = new[] { (IGatewayStore)first.Store, second, third };

        var appended = await Task.WhenAll(Enumerable.Range(0, 24).Select(w => Task.Run(async () =>
        {
            var store = replicas[w % replicas.Length];
            var mine = new List<AuditEntry>();
            for (var n = 0; n < 30; n++)
            {
                mine.Add(await store.Audit.AppendAsync(Entry($"call-{w}-{n}"), CancellationToken.None));
            }

            return mine;
        })));

        appended.SelectMany(a => a).Select(e => e.Seq).Order().Should().Equal(Enumerable.Range(1, 720).Select(i => (long)i), "every append got its own place in one chain");
        var verified = await AuditVerifier.VerifyAsync(second.Audit, CancellationToken.None);
        verified.Intact.Should().BeTrue(verified.Problem);
        verified.Entries.Should().Be(720);
        first.Store.AuditBatches.Commits.Should().BeLessThan(first.Store.AuditBatches.Entries, "each replica still commits its concurrent appends together");
    }

    [StoreFact]
    public async Task Approvals_keys_and_job_leases_are_shared_by_replicas_and_a_request_is_decided_once()
    {
        await using var first = await TemporaryStore.CreateAsync(StoreKind.Postgres);
        await using var second = await first.OpenAnotherAsync();
        var now = DateTimeOffset.UtcNow;

        await first.Store.Keys.InsertAsync(new ApiKeyRecord("key1", "alice", new byte[32], now, null, null, null, "k", null), CancellationToken.None);
        (await second.Keys.RevokeAsync("key1", now, CancellationToken.None)).Should().BeTrue();
        (await first.Store.Keys.FindAsync("key1", CancellationToken.None))!.RevokedAt.Should().NotBeNull("a key revoked on one replica is revoked on all");

        var record = new ApprovalRecord
        {
            Id = "apr_shared0000000000000001",
            Status = ApprovalStatus.Pending,
            Requester = "bot",
            CallId = "c-1",
            Tool = "run_sql",
            Target = "orders",
            RequestHash = "h",
            TargetHash = "t",
            Revision = "r",
            CreatedAt = now,
            ExpiresAt = now.AddMinutes(15),
            Detail = new JsonObject { ["note"] = "kept" },
        };
        await first.Store.Approvals.OpenAsync(record, 10, opened => (new AuditAppend(AuditEventTypes.ApprovalRequested, new AuditIds(opened.CallId, null, opened.Id, opened.Requester), new JsonObject()), []), CancellationToken.None);
        (await second.Approvals.GetAsync(record.Id, CancellationToken.None)).Should().NotBeNull("a request opened on one replica can be decided on another");

        var stores = new[] { (IGatewayStore)first.Store, second };
        var decisions = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => stores[i % 2].Approvals.ChangeAsync(record.Id, current =>
            current.Status == ApprovalStatus.Pending
                ? new ApprovalChange<bool>(true, current with { Status = ApprovalStatus.Approved, DecidedBy = $"op{i}" }, new ApprovalVote($"op{i}", true, null, now), [new AuditAppend(AuditEventTypes.ApprovalDecided, new AuditIds(current.CallId, null, current.Id, $"op{i}"), new JsonObject())])
                : new ApprovalChange<bool>(false), CancellationToken.None))));
        decisions.Count(d => d!.Result).Should().Be(1, "two replicas cannot both decide a pending request");
        (await first.Store.Approvals.GetAsync(record.Id, CancellationToken.None))!.Votes.Should().ContainSingle();

        var leases = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => stores[i % 2].Jobs.TryAcquireAsync("audit-checkpoint", $"replica-{i}", now, now.AddSeconds(30), CancellationToken.None)));
        leases.Count(l => l).Should().Be(1, "a job runs on one replica at a time");
    }

    [StoreFact]
    public async Task While_another_session_holds_the_writers_lock_appends_fail_closed_then_succeed_once_it_is_released()
    {
        await using var temporary = await TemporaryStore.CreateAsync(StoreKind.Postgres, busyTimeout: TimeSpan.FromMilliseconds(400));
        await temporary.Store.Audit.AppendAsync(Entry("before"), CancellationToken.None);

        await using (var holder = new NpgsqlConnection(temporary.ConnectionString))
        {
            await holder.OpenAsync();
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresGatewayStore.WritersLock});", holder))
            {
                await take.ExecuteNonQueryAsync();
            }

            var attempts = Enumerable.Range(0, 6).Select(i => temporary.Store.Audit.AppendAsync(Entry($"locked-{i}"), CancellationToken.None)).ToList();
            foreach (var attempt in attempts)
            {
                var failure = await attempt.Invoking(a => a).Should().ThrowAsync<StoreUnavailableException>();
                failure.Which.Message.Should().Contain("held the store's lock");
            }
        }

        var after = await temporary.Store.Audit.AppendAsync(Entry("after"), CancellationToken.None);
        after.Seq.Should().Be(2, "nothing of the failed appends was written");
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [StoreFact]
    public async Task When_the_database_refuses_connections_reads_and_appends_fail_closed_and_the_store_recovers_by_itself()
    {
        await using var temporary = await TemporaryStore.CreateAsync(StoreKind.Postgres);
        await temporary.Store.Audit.AppendAsync(Entry("before"), CancellationToken.None);
        var database = new NpgsqlConnectionStringBuilder(temporary.ConnectionString).Database;

        await TestPostgresServer.ExecuteAsync("postgres", $"ALTER DATABASE {database} ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid();");
        try
        {
            var append = () => temporary.Store.Audit.AppendAsync(Entry("during"), CancellationToken.None);
            var read = () => temporary.Store.Audit.LastSeqAsync(CancellationToken.None);
            (await append.Should().ThrowAsync<StoreUnavailableException>()).Which.Message.Should().Contain("could not complete a write").And.NotContain(TestPassword(temporary));
            (await read.Should().ThrowAsync<StoreUnavailableException>()).Which.Message.Should().Contain("cannot be read");
        }
        finally
        {
            await TestPostgresServer.ExecuteAsync("postgres", $"ALTER DATABASE {database} ALLOW_CONNECTIONS true;");
        }

        // Pooled connections the server closed are replaced: no restart needed.
        NpgsqlConnection.ClearAllPools();
        var after = await temporary.Store.Audit.AppendAsync(Entry("after"), CancellationToken.None);
        after.Seq.Should().Be(2);
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [StoreFact]
    public async Task A_server_that_cannot_be_reached_or_a_connection_string_that_is_wrong_is_refused_without_the_password()
    {
        const string Password = "pw-never-shown-4f1c2a";
        var unreachable = () => PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = $"Host=127.0.0.1;Port=1;Database=gw;Username=gw;Password={Password};Timeout=2" }, TimeProvider.System, CancellationToken.None);
        var malformed = () => PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = $"Host=127.0.0.1;Passwrd={Password};Database=gw" }, TimeProvider.System, CancellationToken.None);
        var noHost = () => PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = $"Database=gw;Password={Password}" }, TimeProvider.System, CancellationToken.None);

        var refused = (await unreachable.Should().ThrowAsync<StoreUnavailableException>()).Which.Message;
        refused.Should().Contain("PostgreSQL database 'gw' on 127.0.0.1:1").And.Contain("cannot be opened").And.NotContain(Password);
        (await malformed.Should().ThrowAsync<StoreUnavailableException>()).Which.Message.Should().Contain("connection string is not valid").And.NotContain(Password);
        (await noHost.Should().ThrowAsync<StoreUnavailableException>()).Which.Message.Should().Contain("no Host").And.NotContain(Password);
    }

    [StoreFact]
    public async Task Replicas_starting_at_once_migrate_once_and_an_older_replica_runs_on_an_additive_newer_schema_but_not_on_a_breaking_one()
    {
        var connectionString = await TestPostgresServer.CreateDatabaseAsync();
        try
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, TimeProvider.System, CancellationToken.None)));
            foreach (var store in opened)
            {
                await store.DisposeAsync();
            }

            await using (var check = new NpgsqlConnection(connectionString))
            {
                await check.OpenAsync();
                await using var count = new NpgsqlCommand("SELECT count(*) FROM schema_migrations;", check);
                ((long)(await count.ExecuteScalarAsync())!).Should().Be(PostgresMigrations.Latest, "each version is applied once, whoever ran it");
            }

            // A newer gateway added a column with a default: this one keeps running.
            await TestPostgresServer.ExecuteAsync(connectionString, "ALTER TABLE audit_entries ADD COLUMN region text NULL; INSERT INTO schema_migrations VALUES (90, '2026-11-29T00:00:00.0000000Z', true);");
            await using (var older = await PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, TimeProvider.System, CancellationToken.None))
            {
                (await older.Audit.AppendAsync(Entry("on-newer-schema"), CancellationToken.None)).Seq.Should().Be(1);
            }

            await TestPostgresServer.ExecuteAsync(connectionString, "INSERT INTO schema_migrations VALUES (91, '2026-11-29T00:00:00.0000000Z', false);");
            var breaking = () => PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, TimeProvider.System, CancellationToken.None);
            (await breaking.Should().ThrowAsync<StoreUnavailableException>()).Which.Message.Should().Contain("schema version 91").And.Contain("upgrade the gateway");
        }
        finally
        {
            await TestPostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [StoreFact]
    public async Task A_pg_dump_taken_while_replicas_write_restores_to_a_chain_that_verifies_with_its_keys_and_approvals()
    {
        await using var temporary = await TemporaryStore.CreateAsync(StoreKind.Postgres);
        var now = DateTimeOffset.UtcNow;
        await temporary.Store.Keys.InsertAsync(new ApiKeyRecord("key1", "alice", new byte[32], now, null, null, null, "k", null), CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            await temporary.Store.Audit.AppendAsync(Entry($"c{i}"), CancellationToken.None);
        }

        var dump = Path.Combine(temporary.Folder, "gateway.dump");
        var writing = Task.Run(async () =>
        {
            for (var i = 20; i < 60; i++)
            {
                await temporary.Store.Audit.AppendAsync(Entry($"c{i}"), CancellationToken.None);
            }
        });
        await PostgresToolAsync("pg_dump", temporary.ConnectionString!, "-Fc", "-f", dump);
        await writing;

        var restoredDatabase = await TestPostgresServer.CreateDatabaseAsync();
        try
        {
            await PostgresToolAsync("pg_restore", restoredDatabase, "--no-owner", dump);
            await using var restored = await PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = restoredDatabase }, TimeProvider.System, CancellationToken.None);
            var verified = await AuditVerifier.VerifyAsync(restored.Audit, CancellationToken.None);
            verified.Intact.Should().BeTrue(verified.Problem);
            verified.Entries.Should().BeInRange(20, 60, "pg_dump reads one snapshot");
            (await restored.Keys.FindAsync("key1", CancellationToken.None)).Should().NotBeNull();
            (await restored.Audit.AppendAsync(Entry("after-restore"), CancellationToken.None)).Seq.Should().Be(verified.Entries + 1);
        }
        finally
        {
            await TestPostgresServer.DropDatabaseAsync(restoredDatabase);
        }
    }

    /// <summary>Runs pg_dump or pg_restore of the installed server's version against <paramref name="connectionString"/>'s database.</summary>
    private static async Task PostgresToolAsync(string tool, string connectionString, params string[] arguments)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var program = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", tool)).Where(File.Exists).OrderByDescending(p => p, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException($"{tool} is not installed: eng/postgres.sh installs PostgreSQL.");
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, await error);
    }

    private static string TestPassword(TemporaryStore temporary) => new NpgsqlConnectionStringBuilder(temporary.ConnectionString).Password!;

    private static AuditAppend Entry(string callId) =>
        new(AuditEventTypes.CallFinished, new AuditIds(callId, "s-test", null, "agent"), new JsonObject { ["tool"] = "http_call", ["outcome"] = "ok" });
}
