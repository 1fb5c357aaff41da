using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using McpGateway.Policies;
using Npgsql;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>The gateway's connections: privileged roles refused, rotated credentials, credentials never shown, large results.</summary>
[Collection(PostgresTests.Name)]
public sealed class RunSqlConnectionTests : IAsyncLifetime
{
    private SqlGatewaySetup _setup = null!;

    public async Task InitializeAsync() => _setup = await SqlGatewaySetup.CreateAsync();

    public async Task DisposeAsync() => await _setup.DisposeAsync();

    [PostgresFact]
    public async Task A_superuser_connection_is_refused_and_its_password_appears_nowhere()
    {
        File.WriteAllText(Path.Combine(_setup.Environment.Root, "super.pw"), TestPostgres.AdminPassword);
        _setup.ExtraConnections["super"] = SqlGatewaySetup.Connection("postgres", "super.pw");
        _setup.WriteConfiguration();
        await using var gateway = await _setup.StartAsync("lax");

        var result = await gateway.Client.RunSqlAsync("SELECT current_user", connection: "super");

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("Connection 'super' is refused: its role 'postgres' is a superuser").And.Contain("least-privilege role");
        result.Text().Should().NotContain(TestPostgres.AdminPassword);
        (await _setup.AuditTextAsync()).Should().NotContain(TestPostgres.AdminPassword);
    }

    [PostgresFact]
    public async Task A_superuser_connection_runs_when_the_configuration_explicitly_allows_it()
    {
        File.WriteAllText(Path.Combine(_setup.Environment.Root, "super.pw"), TestPostgres.AdminPassword);
        _setup.ExtraConnections["super"] = SqlGatewaySetup.Connection("postgres", "super.pw", allowPrivileged: true);
        _setup.WriteConfiguration();
        await using var gateway = await _setup.StartAsync("lax");

        var result = await gateway.Client.RunSqlAsync("SELECT current_user", connection: "super");

        result.Single().GetString().Should().Be("postgres");
    }

    [PostgresFact]
    public async Task A_server_file_role_granted_later_is_caught_when_the_next_connection_opens()
    {
        var role = TestPostgres.NewName("gw_later");
        var password = TestPostgres.NewPassword();
        await TestPostgres.CreateAppRoleAsync(role, password);
        File.WriteAllText(Path.Combine(_setup.Environment.Root, "later.pw"), password);
        _setup.ExtraConnections["later"] = SqlGatewaySetup.Connection(role, "later.pw");
        _setup.WriteConfiguration();
        await using var gateway = await _setup.StartAsync("lax");

        var before = await gateway.Client.RunSqlAsync("SELECT count(*) FROM orders", connection: "later");
        await TestPostgres.ExecuteAsync($"GRANT pg_read_server_files TO {role}");
        gateway.Runtime.Current.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, "later")!.Clear();
        var after = await gateway.Client.RunSqlAsync("SELECT count(*) FROM orders", connection: "later");

        before.IsError.Should().NotBe(true, before.Text());
        after.IsError.Should().BeTrue();
        after.Text().Should().Contain($"its role '{role}' is a member of pg_read_server_files");
    }

    [PostgresFact]
    public async Task A_rotated_password_file_is_used_by_new_connections_and_neither_password_appears_anywhere()
    {
        await using var gateway = await _setup.StartAsync("lax");
        var passwordFile = Path.Combine(_setup.Environment.Root, "orders.pw");

        var before = await gateway.Client.RunSqlAsync("SELECT current_user");
        var rotated = TestPostgres.NewPassword();
        await TestPostgres.ExecuteAsync($"ALTER ROLE {_setup.Role} PASSWORD '{rotated}'");
        File.WriteAllText(passwordFile, rotated);
        gateway.Runtime.Reload().Should().BeNull();
        var afterReload = await gateway.Client.RunSqlAsync("SELECT current_user");
        gateway.Runtime.Current.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, "orders")!.Clear();
        var freshConnection = await gateway.Client.RunSqlAsync("SELECT current_user");
        var echo = await gateway.Client.RunSqlAsync("SELECT $1::text", [rotated]);
        var badLogin = await gateway.Client.RunSqlAsync("SELECT $1::text || ' ' || $2", [_setup.Password, "no"]);

        before.Single().GetString().Should().Be(_setup.Role);
        afterReload.Single().GetString().Should().Be(_setup.Role);
        freshConnection.Single().GetString().Should().Be(_setup.Role);
        echo.Text().Should().NotContain(rotated, "a held secret echoed by the database is redacted");
        badLogin.Text().Should().NotContain(_setup.Password);
        var audit = await _setup.AuditTextAsync();
        audit.Should().NotContain(rotated).And.NotContain(_setup.Password);
    }

    [PostgresFact]
    public async Task A_wrong_password_is_reported_without_it_and_nothing_runs()
    {
        File.WriteAllText(Path.Combine(_setup.Environment.Root, "wrong.pw"), "wrong-password-1234567");
        _setup.ExtraConnections["wrong"] = SqlGatewaySetup.Connection(_setup.Role, "wrong.pw");
        _setup.ExtraConnections["down"] = SqlGatewaySetup.Connection(_setup.Role, "orders.pw");
        _setup.ExtraConnections["down"]!["Port"] = 1;
        _setup.WriteConfiguration();
        await using var gateway = await _setup.StartAsync("lax");

        var wrong = await gateway.Client.RunSqlAsync("SELECT 1", connection: "wrong");
        var down = await gateway.Client.RunSqlAsync("SELECT 1", connection: "down");

        wrong.IsError.Should().BeTrue();
        wrong.Text().Should().Contain("refused the gateway's credentials (SQLSTATE 28P01)").And.NotContain("wrong-password-1234567");
        down.IsError.Should().BeTrue();
        down.Text().Should().Contain("connection 'down' could not be used").And.Contain("Nothing was run");
        (await _setup.AuditTextAsync()).Should().NotContain("wrong-password-1234567");
    }

    [PostgresFact]
    public async Task A_million_row_select_returns_maxRows_rows_within_two_seconds_with_bounded_memory_and_is_cancelled_on_the_server()
    {
        var marker = TestPostgres.NewName("million");
        await using var gateway = await _setup.StartAsync("analyst");
        (await gateway.Client.RunSqlAsync("SELECT 1")).IsError.Should().NotBe(true);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var memoryBefore = Process.GetCurrentProcess().WorkingSet64;

        var watch = Stopwatch.StartNew();
        var result = await gateway.Client.RunSqlAsync($"SELECT g, repeat('{marker}', 40) FROM generate_series(1, 1000000) g");
        var elapsed = watch.Elapsed;
        var memoryAfter = Process.GetCurrentProcess().WorkingSet64;

        result.Rows().GetArrayLength().Should().Be(500, "the analyst rule's maxRows");
        result.Structured().GetProperty("truncated").GetBoolean().Should().BeTrue();
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        (memoryAfter - memoryBefore).Should().BeLessThan(64L * 1024 * 1024);
        (await RunSqlTests.ActiveAsync(marker)).Should().Be(0, "the rest of the query was cancelled on the server");
        var cancelled = await TestPostgres.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%{marker}%' AND state = 'active' AND pid <> pg_backend_pid()");
        cancelled.Should().Be(0);
    }

    [PostgresFact]
    public async Task The_approval_preview_shows_the_statement_its_facts_and_the_estimate_without_running_it()
    {
        var table = TestPostgres.NewName("preview");
        await TestPostgres.ExecuteAsync($"""
            CREATE TABLE {table} (id int PRIMARY KEY, v int);
            INSERT INTO {table} SELECT g, 0 FROM generate_series(1, 1000) g;
            ANALYZE {table};
            GRANT SELECT, UPDATE ON {table} TO {_setup.Role};
            """);
        await using var gateway = await _setup.StartAsync("dba");
        var module = new McpGateway.Tools.RunSql.RunSqlModule();
        var arguments = JsonSerializer(new JsonObject { ["connection"] = "orders", ["sql"] = $"UPDATE {table} SET v = 1 WHERE id <= $1", ["params"] = new JsonArray(100) });
        var request = module.Policy.Classifier.Classify(arguments, gateway.Runtime.Current.Engine.Current.Environment).Request!;

        var preview = await ((McpGateway.Tools.IGatewayToolModule)module).PreviewAsync(request, gateway.Runtime.Current, CancellationToken.None);

        preview!.Summary.Should().StartWith("UPDATE on orders").And.Contain("rows estimated");
        preview.Detail["statement"]!.GetValue<string>().Should().Be($"UPDATE {table} SET v = 1 WHERE id <= $1");
        preview.Detail["facts"]!["sql.tablesWritten"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal($"public.{table}");
        preview.Detail["explain"]!["estimatedRows"]!.GetValue<double>().Should().BeInRange(50, 200);
        (await TestPostgres.ScalarAsync<long>($"SELECT sum(v) FROM {table}")).Should().Be(0, "EXPLAIN without ANALYZE runs nothing");
    }

    private static System.Text.Json.JsonElement JsonSerializer(JsonObject value) => System.Text.Json.JsonSerializer.SerializeToElement(value);
}
