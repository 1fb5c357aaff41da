using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// Statements the gateway cannot run whatever a policy says: those PostgreSQL refuses inside a
/// transaction block (every statement runs in one, so the database limits apply), and changes
/// of <c>search_path</c>, which the classifier relies on to qualify names.
/// </summary>
internal static class SqlTransactionRules
{
    /// <summary>The statement, named for a message, when PostgreSQL cannot run it inside a transaction block; null otherwise.</summary>
    public static string? OutsideTransaction(string node, JsonElement body) => node switch
    {
        "VacuumStmt" when SqlStatementKinds.Flag(body, "is_vacuumcmd") => "VACUUM",
        "CreatedbStmt" => "CREATE DATABASE",
        "DropdbStmt" => "DROP DATABASE",
        "CreateTableSpaceStmt" => "CREATE TABLESPACE",
        "DropTableSpaceStmt" => "DROP TABLESPACE",
        "AlterSystemStmt" => "ALTER SYSTEM",
        "IndexStmt" when SqlStatementKinds.Flag(body, "concurrent") => "CREATE INDEX CONCURRENTLY",
        "DropStmt" when SqlStatementKinds.Flag(body, "concurrent") => "DROP INDEX CONCURRENTLY",
        "ReindexStmt" when SqlStatementKinds.Text(body, "kind") is "REINDEX_OBJECT_DATABASE" or "REINDEX_OBJECT_SYSTEM" => "REINDEX DATABASE/SYSTEM",
        "ReindexStmt" when HasOption(body, "params", "concurrently") => "REINDEX CONCURRENTLY",
        "ClusterStmt" when !body.Has("relation", out _) => "CLUSTER without a table",
        "CreateSubscriptionStmt" => "CREATE SUBSCRIPTION",
        "DropSubscriptionStmt" => "DROP SUBSCRIPTION",
        "AlterDatabaseStmt" when HasOption(body, "options", "tablespace") => "ALTER DATABASE … SET TABLESPACE",
        "DiscardStmt" when SqlStatementKinds.Text(body, "target") == "DISCARD_ALL" => "DISCARD ALL",
        "TransactionStmt" when SqlStatementKinds.Text(body, "kind") is "TRANS_STMT_COMMIT_PREPARED" or "TRANS_STMT_ROLLBACK_PREPARED" => "COMMIT/ROLLBACK PREPARED",
        _ => null,
    };

    /// <summary>Why the statement is refused outright, or null.</summary>
    public static string? Forbidden(string node, JsonElement body)
    {
        if (node == "VariableSetStmt" && string.Equals(SqlStatementKinds.Text(body, "name"), "search_path", StringComparison.OrdinalIgnoreCase))
        {
            return "Changing search_path is not allowed: the gateway sets it per connection and judges table names by it. Qualify names with their schema instead (for example sales.orders).";
        }

        return null;
    }

    private static bool HasOption(JsonElement body, string field, string name)
    {
        if (!body.Has(field, out var options) || options.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var option in options.EnumerateArray())
        {
            if (option.Has("DefElem", out var element) && SqlStatementKinds.Text(element, "defname") == name)
            {
                return true;
            }
        }

        return false;
    }
}
