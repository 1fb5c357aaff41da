using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Facts;

namespace Policies.Tests.Classifiers.Sql;

public sealed class SqlReadOnlyTests
{
    [SqlTheory]
    [InlineData("SELECT 1")]
    [InlineData("SELECT o.id, c.name, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 10 GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10")]
    [InlineData("SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name ILIKE 'a%')")]
    [InlineData("WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '1 day') SELECT count(*) FROM recent")]
    [InlineData("SELECT lower(name), upper(name), coalesce(note, ''), greatest(1, 2), nullif(a, b) FROM customers")]
    [InlineData("SELECT total::numeric(10,2), id::text, CAST(created_at AS date), '{}'::jsonb -> 'a' FROM orders")]
    [InlineData("SELECT row_number() OVER (PARTITION BY customer_id ORDER BY total) FROM orders")]
    [InlineData("SELECT * FROM generate_series(1, 10) g")]
    [InlineData("SELECT CASE WHEN total > 0 THEN 'x' ELSE 'y' END, total BETWEEN 1 AND 2, name SIMILAR TO 'a%' FROM orders")]
    [InlineData("SELECT EXISTS (SELECT 1 FROM orders), ARRAY[1, 2], (SELECT max(id) FROM customers)")]
    [InlineData("SELECT jsonb_build_object('id', id) FROM orders WHERE data @> '{\"a\": 1}'")]
    [InlineData("SELECT current_user, current_date, pg_catalog.lower('A')")]
    [InlineData("VALUES (1, 'a')")]
    [InlineData("SHOW timezone")]
    [InlineData("EXPLAIN SELECT * FROM orders")]
    [InlineData("EXPLAIN ANALYZE SELECT * FROM orders")]
    [InlineData("SELECT * FROM orders TABLESAMPLE bernoulli (10)")]
    [InlineData("SELECT id FROM orders ORDER BY id USING <")]
    [InlineData("SELECT 1 WHERE 1 = ANY (SELECT 1) AND 2 > ALL (SELECT 1)")]
    [InlineData("SELECT a FROM json_to_record('{\"a\": 1}') AS x(a int)")]
    [InlineData("SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3")]
    [InlineData("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r")]
    public void Reads_are_read_only(string sql)
    {
        var result = SqlCalls.Sql(sql);

        result.Fact(RunSqlTool.ReadOnly).Should().Be("true", sql);
        result.Statement().Fact(RunSqlTool.StatementReadOnly).Should().Be("true", sql);
        result.Spec()!.ReadOnly.Should().BeTrue();
    }

    [SqlTheory]
    [InlineData("SELECT * FROM orders FOR UPDATE")]
    [InlineData("SELECT * FROM orders FOR SHARE")]
    [InlineData("SELECT * FROM orders FOR NO KEY UPDATE SKIP LOCKED")]
    [InlineData("SELECT * FROM orders FOR KEY SHARE")]
    [InlineData("SELECT * FROM (SELECT * FROM orders FOR UPDATE) x")]
    [InlineData("SELECT * INTO stolen FROM orders")]
    [InlineData("WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone")]
    [InlineData("WITH a AS (SELECT 1), b AS (UPDATE orders SET total = 0 WHERE id = 1 RETURNING id) SELECT * FROM a")]
    [InlineData("WITH x AS (INSERT INTO orders (id) VALUES (1) RETURNING id) SELECT * FROM x")]
    [InlineData("SELECT nextval('orders_id_seq')")]
    [InlineData("SELECT setval('orders_id_seq', 1)")]
    [InlineData("SELECT currval('orders_id_seq')")]
    [InlineData("SELECT set_config('search_path', 'evil', false)")]
    [InlineData("SELECT pg_sleep(100)")]
    [InlineData("SELECT pg_terminate_backend(pid) FROM pg_stat_activity")]
    [InlineData("SELECT pg_cancel_backend(1)")]
    [InlineData("SELECT pg_reload_conf()")]
    [InlineData("SELECT pg_read_file('/etc/passwd')")]
    [InlineData("SELECT pg_read_binary_file('/etc/passwd')")]
    [InlineData("SELECT pg_ls_dir('.')")]
    [InlineData("SELECT lo_import('/etc/passwd')")]
    [InlineData("SELECT lo_export(1, '/tmp/x')")]
    [InlineData("SELECT * FROM dblink('host=evil', 'DROP TABLE orders') AS t(x text)")]
    [InlineData("SELECT dblink_exec('host=evil', 'x')")]
    [InlineData("SELECT pg_advisory_lock(1)")]
    [InlineData("SELECT pg_notify('ch', 'x')")]
    [InlineData("SELECT query_to_xml('DELETE FROM orders RETURNING 1', true, true, '')")]
    [InlineData("SELECT txid_current()")]
    [InlineData("SELECT my_function(1)")]
    [InlineData("SELECT public.lower('A')")]
    [InlineData("SELECT \"LOWER\"('A')")]
    [InlineData("SELECT id FROM orders ORDER BY pg_sleep(1)")]
    [InlineData("SELECT id FROM orders LIMIT (SELECT count(*) FROM (SELECT nextval('s')) x)")]
    [InlineData("SELECT id FROM orders WHERE id = ANY (SELECT setval('s', 1))")]
    [InlineData("SELECT * FROM orders o, LATERAL (SELECT pg_sleep(1)) s")]
    [InlineData("SELECT (SELECT set_config('a.b', 'c', false))")]
    [InlineData("SELECT CASE WHEN false THEN pg_terminate_backend(1) END")]
    [InlineData("SELECT count(*) FILTER (WHERE pg_sleep(1) IS NULL) FROM orders")]
    [InlineData("SELECT sum(id) OVER (ORDER BY nextval('s')) FROM orders")]
    [InlineData("VALUES (nextval('s'))")]
    [InlineData("SELECT 1 OPERATOR(public.+) 2")]
    [InlineData("SELECT 1 === 2")]
    [InlineData("SELECT id FROM orders ORDER BY id USING OPERATOR(public.<)")]
    [InlineData("SELECT 1 WHERE 1 OPERATOR(public.=) ANY (SELECT 1)")]
    [InlineData("SELECT 'x'::public.mytype")]
    [InlineData("SELECT 'x'::my_domain")]
    [InlineData("SELECT 1 UNION SELECT nextval('s')")]
    [InlineData("EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1")]
    [InlineData("EXPLAIN DELETE FROM orders WHERE id = 1")]
    [InlineData("EXPLAIN ANALYZE SELECT nextval('s')")]
    [InlineData("EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1")]
    [InlineData("INSERT INTO orders (id) VALUES (1)")]
    [InlineData("UPDATE orders SET total = 0 WHERE id = 1")]
    [InlineData("DELETE FROM orders WHERE id = 1")]
    [InlineData("COPY orders TO STDOUT")]
    [InlineData("COPY (SELECT 1) TO STDOUT")]
    [InlineData("PREPARE p AS SELECT 1")]
    [InlineData("EXECUTE p")]
    [InlineData("DECLARE c CURSOR FOR SELECT 1")]
    [InlineData("SET work_mem = '1GB'")]
    [InlineData("LISTEN ch")]
    [InlineData("DO $$ BEGIN PERFORM 1; END $$")]
    [InlineData("CALL p()")]
    [InlineData("BEGIN")]
    [InlineData("COMMIT")]
    [InlineData("LOCK orders")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")]
    public void Anything_that_may_write_lock_wait_or_reach_outside_is_not_read_only(string sql)
    {
        var result = SqlCalls.Sql(sql);

        result.Fact(RunSqlTool.ReadOnly).Should().Be("false", sql);
        result.Facts.ElementsOf(RunSqlTool.Statements).Should().OnlyContain(e => e.Get(RunSqlTool.StatementReadOnly) == FactValue.False, sql);
        if (result.Spec() is { } spec)
        {
            spec.ReadOnly.Should().BeFalse(sql);
        }
    }

    [SqlTheory]
    [InlineData("SELECT nextval('s'), pg_catalog.count(*), public.f(1), \"Weird\"(2), lo_import('x')", new[] { "nextval", "count", "public.f", "\"Weird\"", "lo_import" })]
    [InlineData("CALL archive.move_orders(30)", new[] { "archive.move_orders" })]
    [InlineData("SELECT * FROM orders TABLESAMPLE system (1)", new[] { "system" })]
    [InlineData("SELECT * FROM orders", new string[0])]
    [InlineData("SELECT x FROM (SELECT dblink_connect('c')) s(x) WHERE EXISTS (SELECT pg_sleep(1))", new[] { "dblink_connect", "pg_sleep" })]
    public void Functions_are_listed_as_written_without_pg_catalog(string sql, string[] functions)
    {
        var result = SqlCalls.Sql(sql);

        result.Statement().List(RunSqlTool.StatementFunctions).Should().Equal(functions);
        result.Facts.Get(RunSqlTool.Functions)!.Items.Should().Equal(functions);
    }
}
