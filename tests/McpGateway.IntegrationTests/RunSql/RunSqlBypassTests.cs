using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>
/// Ways to get a write past the reference bundle's read-only analyst rule, end to end: each must
/// be refused, recorded, and leave the orders data exactly as it was.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class RunSqlBypassTests : IAsyncLifetime
{
    private SqlGatewaySetup _setup = null!;

    public async Task InitializeAsync() => _setup = await SqlGatewaySetup.CreateAsync();

    public async Task DisposeAsync() => await _setup.DisposeAsync();

    public static TheoryData<string> Attacks { get; } =
    [
        "/* report */ DELETE FROM orders WHERE id = 1",
        "/* nested /* comment */ still a comment */ UPDATE orders SET total = 0 WHERE id = 1",
        "-- just a read\nDELETE FROM orders WHERE id = 1",
        "SELECT 1; DELETE FROM orders WHERE id = 1",
        "SELECT 1;DELETE FROM orders WHERE id = 1;",
        "SELECT $tag$ $$ $tag$; DELETE FROM orders WHERE id = 1",
        "SELECT 'it''s'; DELETE FROM orders WHERE id = 1",
        "WITH gone AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT count(*) FROM gone",
        "WITH x AS (UPDATE orders SET total = 0 WHERE id = 1 RETURNING 1) SELECT * FROM x",
        "COMMIT; DELETE FROM orders WHERE id = 1",
        "COMMIT",
        "SET TRANSACTION READ WRITE",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SELECT * INTO stolen FROM orders",
        "SELECT * FROM orders FOR UPDATE",
        "SELECT nextval('orders_id_seq')",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT lo_import('/etc/passwd')",
        "COPY orders TO '/tmp/orders.csv'",
        "EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1",
        "DO $$ BEGIN DELETE FROM orders WHERE id = 1; END $$",
        "PREPARE p AS DELETE FROM orders WHERE id = 1",
        "\u0044ELETE FROM orders WHERE id = 1",
        "SELECT 1 \uFF1B DELETE FROM orders WHERE id = 1",
        "ＤＥＬＥＴＥ FROM orders WHERE id = 1",
        "SELECT 1\u037E DELETE FROM orders WHERE id = 1",
        "SELEC * FROM orders",
        "",
        "   ",
        "-- only a comment",
        ";",
        "SELECT * FROM orders WHERE id = 1 IS JSON",
    ];

    [PostgresTheory]
    [MemberData(nameof(Attacks))]
    public async Task A_write_disguised_as_a_read_is_refused_and_changes_nothing(string sql)
    {
        var before = await Fingerprint();
        await using var gateway = await _setup.StartAsync("analyst");

        var result = await gateway.Client.RunSqlAsync(sql);

        result.IsError.Should().BeTrue(result.Text());
        (await Fingerprint()).Should().Be(before);
    }

    [PostgresTheory]
    [InlineData("SELECT $$; DELETE FROM orders WHERE id = 1; $$", "; DELETE FROM orders WHERE id = 1; ")]
    [InlineData("SELECT E'\\'; DELETE FROM orders WHERE id = 1; --'", "'; DELETE FROM orders WHERE id = 1; --")]
    [InlineData("SELECT $q$'$q$ AS quote", "'")]
    public async Task Text_that_only_looks_like_a_second_statement_is_read_as_the_string_it_is(string sql, string value)
    {
        var before = await Fingerprint();
        await using var gateway = await _setup.StartAsync("analyst");

        var result = await gateway.Client.RunSqlAsync(sql);

        result.Single().GetString().Should().Be(value);
        (await Fingerprint()).Should().Be(before);
    }

    [PostgresFact]
    public async Task Even_a_bundle_that_allows_everything_never_runs_more_than_one_statement()
    {
        var before = await Fingerprint();
        await using var gateway = await _setup.StartAsync("lax");

        var multi = await gateway.Client.RunSqlAsync("SELECT 1; UPDATE orders SET total = 0 WHERE id = 1");
        var hidden = await gateway.Client.RunSqlAsync("SELECT $$ ; $$; UPDATE orders SET total = 0 WHERE id = 1");

        multi.IsError.Should().BeTrue();
        multi.Text().Should().Contain("exactly one statement per call");
        hidden.IsError.Should().BeTrue();
        (await Fingerprint()).Should().Be(before);
    }

    private static Task<string?> Fingerprint() =>
        TestPostgres.ScalarAsync<string>("SELECT md5(string_agg(o::text, ',' ORDER BY id)) || (SELECT count(*) FROM pg_class WHERE relname = 'stolen') FROM orders o");
}
