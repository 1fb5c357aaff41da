namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>The values of <c>sql.statements.category</c>: what family a statement kind belongs to.</summary>
public static class SqlCategories
{
    /// <summary>SELECT, VALUES, TABLE, SHOW and EXPLAIN (without ANALYZE).</summary>
    public const string Query = "query";

    /// <summary>INSERT, UPDATE, DELETE, MERGE, TRUNCATE.</summary>
    public const string Dml = "dml";

    /// <summary>CREATE, ALTER, DROP and the like on schema objects (tables, views, functions, types, …).</summary>
    public const string Ddl = "ddl";

    /// <summary>BEGIN, COMMIT, ROLLBACK, savepoints, two-phase commit, SET TRANSACTION, SET CONSTRAINTS.</summary>
    public const string Transaction = "transaction";

    /// <summary>SET, RESET, DISCARD, PREPARE, EXECUTE, DEALLOCATE, cursors, LISTEN, UNLISTEN, NOTIFY, LOCK.</summary>
    public const string Session = "session";

    /// <summary>GRANT, REVOKE, roles, SET ROLE, SET SESSION AUTHORIZATION, ownership, policies, user mappings, security labels.</summary>
    public const string Privilege = "privilege";

    /// <summary>ALTER SYSTEM, LOAD, VACUUM, ANALYZE, CLUSTER, REINDEX, CHECKPOINT, databases, tablespaces, extensions, languages, foreign data wrappers, replication, event triggers.</summary>
    public const string System = "system";

    /// <summary>COPY (see <c>sql.statements.copyTarget</c>).</summary>
    public const string Copy = "copy";

    /// <summary>DO and CALL: code whose effect the statement does not show.</summary>
    public const string Procedural = "procedural";

    /// <summary>A statement the gateway does not know (also <c>unparsed</c>).</summary>
    public const string Unknown = "unknown";
}
