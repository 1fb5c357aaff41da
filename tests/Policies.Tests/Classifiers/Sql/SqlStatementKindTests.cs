using McpGateway.Policies.Classifiers.Sql;

namespace Policies.Tests.Classifiers.Sql;

public sealed class SqlStatementKindTests
{
    [SqlTheory]
    [InlineData("SELECT 1", "select", "query")]
    [InlineData("VALUES (1), (2)", "select", "query")]
    [InlineData("TABLE orders", "select", "query")]
    [InlineData("SELECT 1 UNION SELECT 2", "select", "query")]
    [InlineData("SHOW timezone", "show", "query")]
    [InlineData("EXPLAIN SELECT * FROM orders", "explain", "query")]
    [InlineData("EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1", "delete", "dml")]
    [InlineData("EXPLAIN (ANALYZE, BUFFERS) UPDATE orders SET total = 0 WHERE id = 1", "update", "dml")]
    [InlineData("INSERT INTO orders (id) VALUES (1)", "insert", "dml")]
    [InlineData("UPDATE orders SET total = 0 WHERE id = 1", "update", "dml")]
    [InlineData("DELETE FROM orders WHERE id = 1", "delete", "dml")]
    [InlineData("MERGE INTO orders o USING staged s ON o.id = s.id WHEN MATCHED THEN DELETE", "merge", "dml")]
    [InlineData("TRUNCATE orders", "truncate", "dml")]
    [InlineData("SELECT * INTO copy_of_orders FROM orders", "create_table_as", "ddl")]
    [InlineData("CREATE TABLE t (a int)", "create_table", "ddl")]
    [InlineData("CREATE TEMP TABLE t (a int)", "create_table", "ddl")]
    [InlineData("CREATE TABLE t AS SELECT 1", "create_table_as", "ddl")]
    [InlineData("CREATE MATERIALIZED VIEW v AS SELECT 1", "create_materialized_view", "ddl")]
    [InlineData("CREATE VIEW v AS SELECT * FROM orders", "create_view", "ddl")]
    [InlineData("CREATE INDEX i ON orders (id)", "create_index", "ddl")]
    [InlineData("CREATE SEQUENCE s", "create_sequence", "ddl")]
    [InlineData("CREATE SCHEMA s", "create_schema", "ddl")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "create_function", "ddl")]
    [InlineData("CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'", "create_procedure", "ddl")]
    [InlineData("CREATE TRIGGER tr AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f()", "create_trigger", "ddl")]
    [InlineData("CREATE TYPE mood AS ENUM ('a')", "create_type", "ddl")]
    [InlineData("CREATE AGGREGATE a (int) (sfunc = int4pl, stype = int)", "create_aggregate", "ddl")]
    [InlineData("CREATE RULE r AS ON INSERT TO orders DO INSTEAD NOTHING", "create_rule", "ddl")]
    [InlineData("ALTER TABLE orders ADD COLUMN note text", "alter_table", "ddl")]
    [InlineData("ALTER TABLE orders RENAME COLUMN note TO remark", "alter_table", "ddl")]
    [InlineData("ALTER TABLE orders OWNER TO someone", "alter_table", "ddl")]
    [InlineData("ALTER TABLE orders SET SCHEMA archive", "alter_table", "ddl")]
    [InlineData("ALTER INDEX i RENAME TO j", "alter_index", "ddl")]
    [InlineData("ALTER VIEW v RENAME TO w", "alter_view", "ddl")]
    [InlineData("ALTER FUNCTION f() IMMUTABLE", "alter_function", "ddl")]
    [InlineData("COMMENT ON TABLE orders IS 'x'", "comment", "ddl")]
    [InlineData("REFRESH MATERIALIZED VIEW v", "refresh_materialized_view", "ddl")]
    [InlineData("DROP TABLE orders", "drop_table", "ddl")]
    [InlineData("DROP VIEW v", "drop_view", "ddl")]
    [InlineData("DROP MATERIALIZED VIEW v", "drop_materialized_view", "ddl")]
    [InlineData("DROP INDEX i", "drop_index", "ddl")]
    [InlineData("DROP FUNCTION f()", "drop_function", "ddl")]
    [InlineData("DROP SCHEMA s CASCADE", "drop_schema", "ddl")]
    [InlineData("DROP DATABASE d", "drop_database", "system")]
    [InlineData("CREATE DATABASE d", "create_database", "system")]
    [InlineData("ALTER DATABASE d RENAME TO e", "alter_database", "system")]
    [InlineData("DROP EXTENSION x", "drop_extension", "system")]
    [InlineData("CREATE EXTENSION dblink", "create_extension", "system")]
    [InlineData("CREATE SERVER s FOREIGN DATA WRAPPER w", "create_server", "system")]
    [InlineData("ALTER SYSTEM SET work_mem = '1GB'", "alter_system", "system")]
    [InlineData("LOAD 'plugin'", "load", "system")]
    [InlineData("CHECKPOINT", "checkpoint", "system")]
    [InlineData("VACUUM orders", "vacuum", "system")]
    [InlineData("ANALYZE orders", "analyze", "system")]
    [InlineData("CLUSTER orders USING i", "cluster", "system")]
    [InlineData("REINDEX TABLE orders", "reindex", "system")]
    [InlineData("GRANT SELECT ON orders TO someone", "grant", "privilege")]
    [InlineData("REVOKE SELECT ON orders FROM someone", "revoke", "privilege")]
    [InlineData("GRANT admins TO someone", "grant_role", "privilege")]
    [InlineData("REVOKE admins FROM someone", "revoke_role", "privilege")]
    [InlineData("CREATE ROLE r SUPERUSER", "create_role", "privilege")]
    [InlineData("CREATE USER u PASSWORD 'x'", "create_role", "privilege")]
    [InlineData("ALTER ROLE r SUPERUSER", "alter_role", "privilege")]
    [InlineData("ALTER USER u SET search_path = x", "alter_role", "privilege")]
    [InlineData("DROP ROLE r", "drop_role", "privilege")]
    [InlineData("SET ROLE admin", "set_role", "privilege")]
    [InlineData("RESET ROLE", "set_role", "privilege")]
    [InlineData("SET SESSION AUTHORIZATION postgres", "set_session_authorization", "privilege")]
    [InlineData("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO someone", "alter_default_privileges", "privilege")]
    [InlineData("REASSIGN OWNED BY a TO b", "reassign_owned", "privilege")]
    [InlineData("DROP OWNED BY a", "drop_owned", "privilege")]
    [InlineData("CREATE POLICY p ON orders USING (true)", "create_policy", "privilege")]
    [InlineData("CREATE USER MAPPING FOR u SERVER s", "create_user_mapping", "privilege")]
    [InlineData("SECURITY LABEL ON TABLE orders IS 'x'", "security_label", "privilege")]
    [InlineData("BEGIN", "begin", "transaction")]
    [InlineData("START TRANSACTION READ WRITE", "begin", "transaction")]
    [InlineData("COMMIT", "commit", "transaction")]
    [InlineData("END", "commit", "transaction")]
    [InlineData("ROLLBACK", "rollback", "transaction")]
    [InlineData("ABORT", "rollback", "transaction")]
    [InlineData("SAVEPOINT s", "savepoint", "transaction")]
    [InlineData("RELEASE SAVEPOINT s", "release_savepoint", "transaction")]
    [InlineData("ROLLBACK TO SAVEPOINT s", "rollback_to_savepoint", "transaction")]
    [InlineData("PREPARE TRANSACTION 'x'", "prepare_transaction", "transaction")]
    [InlineData("SET TRANSACTION READ WRITE", "set_transaction", "transaction")]
    [InlineData("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "set_transaction", "transaction")]
    [InlineData("SET transaction_read_only = off", "set_transaction", "transaction")]
    [InlineData("SET CONSTRAINTS ALL DEFERRED", "set_constraints", "transaction")]
    [InlineData("SET work_mem = '64MB'", "set", "session")]
    [InlineData("SET LOCAL statement_timeout = 0", "set", "session")]
    [InlineData("RESET work_mem", "reset", "session")]
    [InlineData("RESET ALL", "reset", "session")]
    [InlineData("DISCARD PLANS", "discard", "session")]
    [InlineData("PREPARE p AS SELECT 1", "prepare", "session")]
    [InlineData("EXECUTE p", "execute", "session")]
    [InlineData("DEALLOCATE p", "deallocate", "session")]
    [InlineData("DECLARE c CURSOR FOR SELECT 1", "declare_cursor", "session")]
    [InlineData("FETCH 1 FROM c", "fetch", "session")]
    [InlineData("MOVE 1 IN c", "move", "session")]
    [InlineData("CLOSE c", "close", "session")]
    [InlineData("LISTEN ch", "listen", "session")]
    [InlineData("UNLISTEN ch", "unlisten", "session")]
    [InlineData("NOTIFY ch, 'x'", "notify", "session")]
    [InlineData("LOCK orders", "lock", "session")]
    [InlineData("COPY orders TO STDOUT", "copy", "copy")]
    [InlineData("DO $$ BEGIN END $$", "do", "procedural")]
    [InlineData("CALL p(1)", "call", "procedural")]
    public void Each_statement_has_its_kind_and_category(string sql, string kind, string category)
    {
        var statement = SqlCalls.Sql(sql).Statement();

        statement.Fact(RunSqlTool.StatementKind).Should().Be(kind, sql);
        statement.Fact(RunSqlTool.StatementCategory).Should().Be(category, sql);
    }

    [SqlTheory]
    [InlineData("SET search_path = public")]
    [InlineData("SET LOCAL search_path TO evil, public")]
    [InlineData("RESET search_path")]
    [InlineData("set SEARCH_PATH = x")]
    public void Changing_search_path_is_refused(string sql)
    {
        var result = SqlCalls.Sql(sql);

        result.Codes().Should().Equal("forbidden-statement");
        result.Refusals[0].Reason.Should().Contain("search_path").And.Contain("Qualify names");
        result.Spec().Should().BeNull();
    }

    [SqlTheory]
    [InlineData("VACUUM orders", "VACUUM")]
    [InlineData("VACUUM", "VACUUM")]
    [InlineData("CREATE DATABASE d", "CREATE DATABASE")]
    [InlineData("DROP DATABASE d", "DROP DATABASE")]
    [InlineData("CREATE TABLESPACE t LOCATION '/tmp'", "CREATE TABLESPACE")]
    [InlineData("ALTER SYSTEM SET fsync = off", "ALTER SYSTEM")]
    [InlineData("CREATE INDEX CONCURRENTLY i ON orders (id)", "CREATE INDEX CONCURRENTLY")]
    [InlineData("DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY")]
    [InlineData("REINDEX DATABASE d", "REINDEX")]
    [InlineData("REINDEX (CONCURRENTLY) TABLE orders", "REINDEX CONCURRENTLY")]
    [InlineData("CLUSTER", "CLUSTER")]
    [InlineData("DISCARD ALL", "DISCARD ALL")]
    [InlineData("COMMIT PREPARED 'x'", "COMMIT/ROLLBACK PREPARED")]
    public void Statements_that_cannot_run_in_a_transaction_are_refused_with_that_reason(string sql, string named)
    {
        var result = SqlCalls.Sql(sql);

        result.Codes().Should().Equal("outside-transaction");
        result.Refusals[0].Reason.Should().StartWith(named).And.Contain("transaction block");
        result.Spec().Should().BeNull();
    }

    [SqlTheory]
    [InlineData("ANALYZE orders")]
    [InlineData("CREATE INDEX i ON orders (id)")]
    [InlineData("CLUSTER orders USING i")]
    [InlineData("DISCARD PLANS")]
    public void Statements_that_run_in_a_transaction_are_not_refused(string sql)
    {
        SqlCalls.Sql(sql).Refusals.Should().BeEmpty();
    }
}
