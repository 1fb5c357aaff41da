using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>run_sql end to end: a real MCP client, the whole pipeline, a real PostgreSQL.</summary>
[Collection(PostgresTests.Name)]
public sealed class RunSqlTests : IAsyncLifetime
{
    private SqlGatewaySetup _setup = null!;

    public async Task InitializeAsync() => _setup = await SqlGatewaySetup.CreateAsync();

    public async Task DisposeAsync() => await _setup.DisposeAsync();

    [PostgresFact]
    public async Task An_analyst_reads_orders_with_parameters_and_gets_columns_rows_and_the_call_recorded()
    {
        await using var gateway = await _setup.StartAsync("analyst");

        var tools = await gateway.Client.ListToolsAsync();
        var result = await gateway.Client.RunSqlAsync("SELECT o.id, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = $1 AND o.status = $2 ORDER BY o.id", [2, "open"]);

        tools.Select(t => t.Name).Should().Contain("run_sql");
        var structured = result.Structured();
        structured.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("type").GetString(), c.GetProperty("source").GetString()))
            .Should().Equal(("id", "int8", "public.orders.id"), ("total", "numeric", "public.orders.total"), ("email", "text", "public.customers.email"));
        var rows = structured.GetProperty("rows").EnumerateArray().ToList();
        rows.Should().HaveCount(await TestPostgres.ScalarAsync<long>("SELECT count(*) FROM orders WHERE customer_id = 2 AND status = 'open'") is var n ? (int)n : 0);
        rows.Should().AllSatisfy(r => r[2].GetString().Should().Be("[EMAIL]", "the analysts' rule masks with the default profile"));
        structured.GetProperty("rowCount").GetInt32().Should().Be(rows.Count);
        structured.GetProperty("truncated").GetBoolean().Should().BeFalse();
        structured.GetProperty("readOnly").GetBoolean().Should().BeTrue();
        structured.GetProperty("command").GetString().Should().Be("SELECT");
        var entries = await _setup.AuditAsync();
        entries.Where(e => e.Ids.CallId == result.CallId()).Select(e => e.Type).Should().Equal("call.started", "call.finished");
    }

    [PostgresFact]
    public async Task Values_come_back_as_faithful_json()
    {
        await using var gateway = await _setup.StartAsync("analyst");

        var result = await gateway.Client.RunSqlAsync("""
            SELECT 1::int2 AS small, 2::int4 AS regular, 9007199254740993::int8 AS big, 42::int8 AS fits,
                   12.34::numeric AS price, 123456789012345678901234.5::numeric AS huge, 1.5::float8 AS ratio, 'NaN'::float8 AS nan,
                   true AS yes, 'text' AS words, NULL::text AS nothing,
                   DATE '2026-01-02' AS day, TIMESTAMPTZ '2026-01-02 03:04:05.123456+00' AS at, TIMESTAMP '2026-01-02 03:04:05' AS local,
                   TIME '12:34:56' AS clock, INTERVAL '1 year 2 mons 3 days 04:05:06' AS span, '\xdeadbeef'::bytea AS bytes,
                   '{"a": [1, 2], "b": null}'::jsonb AS doc, ARRAY[1, NULL, 3] AS list, ARRAY[['a', 'b'], ['c', 'd']] AS grid,
                   '6f1d1e8e-34a5-4b4e-9a4e-2d4b7c0e1f00'::uuid AS id
            """);

        var structured = result.Structured();
        var types = structured.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("type").GetString()).ToList();
        types.Should().Equal("int2", "int4", "int8", "int8", "numeric", "numeric", "float8", "float8", "bool", "text", "text", "date", "timestamptz", "timestamp", "time", "interval", "bytea", "jsonb", "int4[]", "text[]", "uuid");
        var row = structured.GetProperty("rows")[0];
        JsonNode.DeepEquals(JsonNode.Parse(row.GetRawText()), JsonNode.Parse("""
            [1,2,"9007199254740993",42,12.34,"123456789012345678901234.5",1.5,"NaN",true,"text",null,"2026-01-02","2026-01-02T03:04:05.123456Z","2026-01-02T03:04:05","12:34:56","P1Y2M3DT4H5M6S","3q2+7w==",{"a":[1,2],"b":null},[1,null,3],[["a","b"],["c","d"]],"6f1d1e8e-34a5-4b4e-9a4e-2d4b7c0e1f00"]
            """)).Should().BeTrue(row.GetRawText());
    }

    [PostgresFact]
    public async Task A_PostgreSQL_error_comes_back_as_an_error_with_its_SQLSTATE_for_the_model_to_fix()
    {
        await using var gateway = await _setup.StartAsync("analyst");

        var missing = await gateway.Client.RunSqlAsync("SELECT * FROM nope");
        var zero = await gateway.Client.RunSqlAsync("SELECT 1 / 0");
        var wrongType = await gateway.Client.RunSqlAsync("SELECT * FROM orders WHERE id = $1", ["seven"]);

        missing.IsError.Should().BeTrue();
        missing.Text().Should().Contain("SQLSTATE 42P01 (undefined_table)").And.Contain("relation \"nope\" does not exist").And.Contain("At character 15");
        zero.Text().Should().Contain("SQLSTATE 22012 (division_by_zero)");
        wrongType.Text().Should().Contain("SQLSTATE 22P02");
        (await gateway.Client.RunSqlAsync("SELECT 1")).IsError.Should().NotBe(true, "the failed calls left nothing behind on the pooled connections");

        // The same, structured, for a client that branches on it.
        var error = missing.StructuredContent!.Value.GetProperty("error");
        missing.StructuredContent!.Value.GetProperty("callId").GetString().Should().Be(missing.CallId());
        error.GetProperty("code").GetString().Should().Be("target-error");
        error.GetProperty("detail").GetProperty("sqlState").GetString().Should().Be("42P01");
        error.GetProperty("detail").GetProperty("condition").GetString().Should().Be("undefined_table");
        error.GetProperty("detail").GetProperty("position").GetInt32().Should().Be(15);
        error.GetProperty("message").GetString().Should().Contain("relation \"nope\" does not exist");
        error.GetProperty("rules").EnumerateArray().Should().NotBeEmpty("the rules that allowed the call are named");
        zero.StructuredContent!.Value.GetProperty("error").GetProperty("detail").GetProperty("sqlState").GetString().Should().Be("22012");
        await missing.ShouldMatchDeclaredSchemaAsync(gateway.Client, "run_sql");
    }

    [PostgresFact]
    public async Task Results_refusals_and_errors_all_match_the_declared_output_schema()
    {
        await using var gateway = await _setup.StartAsync("analyst");

        var rows = await gateway.Client.RunSqlAsync("SELECT id, total, placed_at FROM orders ORDER BY id LIMIT 3");
        var refused = await gateway.Client.RunSqlAsync("DELETE FROM orders");
        var badArguments = await gateway.Client.CallToolAsync("run_sql", new Dictionary<string, object?> { ["connection"] = "orders" });
        var failed = await gateway.Client.RunSqlAsync("SELECT no_such_column FROM orders");

        rows.IsError.Should().NotBe(true, rows.Text());
        refused.StructuredContent!.Value.GetProperty("error").GetProperty("code").GetString().Should().Be("denied");
        badArguments.StructuredContent!.Value.GetProperty("error").GetProperty("code").GetString().Should().Be("invalid-arguments");
        badArguments.StructuredContent!.Value.GetProperty("error").GetProperty("message").GetString().Should().Contain("sql");
        foreach (var result in new[] { rows, refused, badArguments, failed })
        {
            await result.ShouldMatchDeclaredSchemaAsync(gateway.Client, "run_sql");
        }
    }

    [PostgresFact]
    public async Task Rows_beyond_maxRows_or_the_byte_cap_are_not_returned_and_the_result_says_so()
    {
        await using var gateway = await _setup.StartAsync("reporter");

        var asked = await gateway.Client.RunSqlAsync("SELECT g FROM generate_series(1, 50) g", maxRows: 7);
        var policy = await gateway.Client.RunSqlAsync("SELECT g FROM generate_series(1, 500) g");
        var bytes = await gateway.Client.RunSqlAsync("SELECT repeat('x', 1000) FROM generate_series(1, 50)");
        var exact = await gateway.Client.RunSqlAsync("SELECT g FROM generate_series(1, 100) g");

        asked.Rows().GetArrayLength().Should().Be(7);
        asked.Structured().GetProperty("truncated").GetBoolean().Should().BeTrue();
        policy.Rows().GetArrayLength().Should().Be(100, "the reporter rule caps at 100 rows");
        policy.Structured().GetProperty("truncated").GetBoolean().Should().BeTrue();
        bytes.Rows().GetArrayLength().Should().BeInRange(1, 4, "the reporter rule caps results at 4 KiB");
        bytes.Structured().GetProperty("truncated").GetBoolean().Should().BeTrue();
        exact.Rows().GetArrayLength().Should().Be(100);
        exact.Structured().GetProperty("truncated").GetBoolean().Should().BeFalse();
    }

    [PostgresFact]
    public async Task The_read_only_transaction_stops_a_write_that_a_policy_wrongly_allowed()
    {
        var table = TestPostgres.NewName("audit_log");
        await TestPostgres.ExecuteAsync($"""
            CREATE TABLE {table} (note text);
            CREATE FUNCTION {table}_bump() RETURNS int LANGUAGE sql AS $$ INSERT INTO {table} VALUES ('written'); SELECT 1 $$;
            GRANT INSERT ON {table} TO {_setup.Role};
            GRANT EXECUTE ON FUNCTION {table}_bump() TO {_setup.Role};
            """);
        await using var gateway = await _setup.StartAsync("reporter");

        var result = await gateway.Client.RunSqlAsync($"SELECT {table}_bump()");

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("SQLSTATE 25006 (read_only_sql_transaction)").And.Contain("READ ONLY transaction");
        (await TestPostgres.ScalarAsync<long>($"SELECT count(*) FROM {table}")).Should().Be(0);
    }

    [PostgresFact]
    public async Task A_write_reports_its_rows_and_commits_and_one_over_maxAffectedRows_is_rolled_back()
    {
        var table = TestPostgres.NewName("scratch");
        await TestPostgres.ExecuteAsync($"""
            CREATE TABLE {table} (id int PRIMARY KEY, v int NOT NULL);
            INSERT INTO {table} SELECT g, 0 FROM generate_series(1, 10) g;
            GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {_setup.Role};
            """);
        await using var gateway = await _setup.StartAsync("writer");

        var few = await gateway.Client.RunSqlAsync($"UPDATE {table} SET v = v + 1 WHERE id <= $1", [2]);
        var many = await gateway.Client.RunSqlAsync($"UPDATE {table} SET v = v + 100 WHERE id > $1", [0]);
        var returning = await gateway.Client.RunSqlAsync($"INSERT INTO {table} VALUES (11, 5) RETURNING id, v");

        few.Structured().GetProperty("rowsAffected").GetInt64().Should().Be(2);
        few.Structured().GetProperty("committed").GetBoolean().Should().BeTrue();
        few.Structured().GetProperty("command").GetString().Should().Be("UPDATE");
        many.IsError.Should().BeTrue();
        many.Text().Should().Contain("changed 10 rows").And.Contain("maxAffectedRows").And.Contain("rolled back");
        returning.Rows()[0].GetRawText().Should().Be("[11,5]");
        (await TestPostgres.ScalarAsync<long>($"SELECT sum(v) FROM {table}")).Should().Be(2 + 5, "only the first update and the insert were committed");
    }

    [PostgresFact]
    public async Task The_statement_timeout_obligation_stops_a_slow_statement_on_the_server()
    {
        await using var gateway = await _setup.StartAsync("hurried");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await gateway.Client.RunSqlAsync("SELECT pg_sleep(5)");

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("SQLSTATE 57014 (query_canceled)").And.Contain("statement timeout");
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
    }

    [PostgresFact]
    public async Task The_call_timeout_cancels_the_query_on_the_server()
    {
        var marker = TestPostgres.NewName("slow");
        await using var gateway = await _setup.StartAsync("impatient");

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await gateway.Client.RunSqlAsync($"SELECT pg_sleep(20), '{marker}'");

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("did not finish within 1s");
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        (await ActiveAsync(marker)).Should().Be(0, "the query was cancelled on the server, not left running");
    }

    [PostgresFact]
    public async Task Session_state_set_by_one_call_does_not_reach_the_next_on_the_same_pooled_connection()
    {
        await using var gateway = await _setup.StartAsync("lax");

        var set = await gateway.Client.RunSqlAsync("SELECT set_config('application_name', 'leaked', false)", connection: "single");
        var prepared = await gateway.Client.RunSqlAsync("PREPARE sneaky AS SELECT 1", connection: "single");
        var after = await gateway.Client.RunSqlAsync("SELECT current_setting('application_name'), (SELECT count(*) FROM pg_prepared_statements), current_setting('search_path')", connection: "single");

        set.IsError.Should().NotBe(true, set.Text());
        prepared.IsError.Should().NotBe(true, prepared.Text());
        JsonNode.DeepEquals(JsonNode.Parse(after.Rows()[0].GetRawText()), JsonNode.Parse("""["mcp-gateway",0,"\"public\""]""")).Should().BeTrue(after.Rows()[0].GetRawText());
    }

    [PostgresFact]
    public async Task Statements_PostgreSQL_cannot_run_in_a_transaction_are_refused_with_that_reason_whatever_the_policy()
    {
        await using var gateway = await _setup.StartAsync("lax");

        var vacuum = await gateway.Client.RunSqlAsync("VACUUM orders");
        var concurrently = await gateway.Client.RunSqlAsync("CREATE INDEX CONCURRENTLY orders_status ON orders (status)");
        var searchPath = await gateway.Client.RunSqlAsync("SET search_path = evil, public");

        vacuum.IsError.Should().BeTrue();
        vacuum.Text().Should().Contain("cannot run inside a transaction block");
        concurrently.Text().Should().Contain("CREATE INDEX CONCURRENTLY");
        searchPath.Text().Should().Contain("Changing search_path is not allowed");
    }

    [PostgresFact]
    public async Task The_chain_verifies_after_allowed_denied_and_failed_calls()
    {
        await using var gateway = await _setup.StartAsync("analyst");

        (await gateway.Client.RunSqlAsync("SELECT count(*) FROM orders")).IsError.Should().NotBe(true);
        (await gateway.Client.RunSqlAsync("DELETE FROM orders WHERE id = 1")).IsError.Should().BeTrue();
        (await gateway.Client.RunSqlAsync("SELECT * FROM nope")).IsError.Should().BeTrue();

        // As an auditor checks it: chain, signed checkpoints (the gateway's own key) and the checkpoint log.
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", _setup.Environment.ConfigPath]);
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);

        var audit = await _setup.AuditAsync();
        audit.Select(e => e.Type).Should().Contain("call.refused");
    }

    internal static Task<long> ActiveAsync(string marker) =>
        TestPostgres.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' AND pid <> pg_backend_pid()");
}
