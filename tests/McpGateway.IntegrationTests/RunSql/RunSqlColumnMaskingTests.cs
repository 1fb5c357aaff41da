using System.Text.Json;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>
/// Column rules on real results: a rule on <c>customers.name</c> masks the column wherever its
/// values may come out — under its own name, an alias, an expression, a whole-row value or a
/// view — and leaves alone what the statement computed from other columns only.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class RunSqlColumnMaskingTests : IAsyncLifetime
{
    private const string Rules = """
        masking:
          profiles:
            names:
              columns: [{ column: customers.name }]
        rules:
          - name: masker-reads
            when: { identity: masker, tool: run_sql, connection: orders, facts: { sql.readOnly: true } }
            effect: allow
            obligations: { mask: names }
        """;

    private SqlGatewaySetup _setup = null!;
    private string _view = null!;

    public async Task InitializeAsync()
    {
        _setup = await SqlGatewaySetup.CreateAsync();
        File.WriteAllText(Path.Combine(_setup.Environment.PoliciesPath, "column-masking.yaml"), Rules);
        _view = TestPostgres.NewName("contacts");
        await TestPostgres.ExecuteAsync($"CREATE VIEW {_view} AS SELECT id, name AS contact FROM customers; GRANT SELECT ON {_view} TO {_setup.Role};");
    }

    public async Task DisposeAsync()
    {
        await TestPostgres.ExecuteAsync($"DROP VIEW IF EXISTS {_view}");
        await _setup.DisposeAsync();
    }

    [PostgresTheory]
    [InlineData("SELECT name FROM customers ORDER BY id")]
    [InlineData("SELECT name AS who FROM customers ORDER BY id")]
    [InlineData("SELECT upper(name) AS shout FROM customers ORDER BY id")]
    [InlineData("SELECT id || ':' || name AS label FROM customers ORDER BY id")]
    [InlineData("SELECT row_to_json(c)::text AS j FROM customers c ORDER BY c.id")]
    [InlineData("SELECT c::text AS whole FROM customers c ORDER BY c.id")]
    [InlineData("SELECT (c).name AS n FROM customers c ORDER BY c.id")]
    [InlineData("SELECT string_agg(name, ',') AS everyone FROM customers")]
    [InlineData("WITH x AS (SELECT name AS n FROM customers) SELECT lower(n) AS quiet FROM x")]
    [InlineData("SELECT (SELECT max(name) FROM customers) AS last")]
    [InlineData("SELECT * FROM customers ORDER BY id")]
    [InlineData("SELECT t::text AS whole FROM (SELECT * FROM customers) t")]
    public async Task A_ruled_column_is_masked_whatever_shape_its_values_come_out_in(string sql)
    {
        await using var gateway = await StartAsync();

        var result = await gateway.Client.RunSqlAsync(sql);

        var text = result.Structured().GetRawText();
        text.Should().NotContain("Lovelace").And.NotContain("Turing").And.NotContain("Hopper");
        text.Should().Contain("[REDACTED]");
    }

    [PostgresFact]
    public async Task Values_read_through_a_view_are_masked_since_a_view_hides_its_base_columns()
    {
        await using var gateway = await StartAsync();

        var direct = await gateway.Client.RunSqlAsync($"SELECT contact FROM {_view} ORDER BY id");
        var computed = await gateway.Client.RunSqlAsync($"SELECT id, length(contact) AS n FROM {_view} ORDER BY id");

        direct.Structured().GetRawText().Should().NotContain("Lovelace").And.Contain("[REDACTED]");
        var rows = computed.Structured().GetProperty("rows").EnumerateArray().ToList();
        rows.Should().AllSatisfy(row => row[1].GetString().Should().Be("[REDACTED]", "the view's columns have no known base column"));
    }

    [PostgresFact]
    public async Task What_a_statement_computes_from_other_columns_only_is_left_alone()
    {
        await using var gateway = await StartAsync();

        var counted = await gateway.Client.RunSqlAsync("SELECT count(*) AS n, sum(total) AS revenue FROM orders");
        var doubled = await gateway.Client.RunSqlAsync("SELECT id, total * 2 AS doubled FROM orders ORDER BY id LIMIT 3");
        var joined = await gateway.Client.RunSqlAsync("SELECT c.id, count(o.id) AS orders FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id ORDER BY c.id");

        var counts = counted.Structured().GetProperty("rows")[0];
        counts[0].ValueKind.Should().Be(JsonValueKind.Number);
        counts[0].GetInt64().Should().Be(await TestPostgres.ScalarAsync<long>("SELECT count(*) FROM orders"));
        doubled.Structured().GetProperty("rows").EnumerateArray().Should().AllSatisfy(row => row[1].ValueKind.Should().Be(JsonValueKind.Number));
        joined.Structured().GetProperty("rows").EnumerateArray().Should().AllSatisfy(row => row[1].ValueKind.Should().Be(JsonValueKind.Number));
    }

    private Task<InMemoryGateway> StartAsync() => _setup.StartAsync("masker");
}
