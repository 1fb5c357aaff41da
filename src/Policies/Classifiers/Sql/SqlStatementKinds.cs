using System.Collections.Frozen;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// The kind (<c>sql.statements.kind</c>) and category of a statement, from the parse tree's node
/// type and, where one node covers several statements, its subtype: <c>select</c>,
/// <c>insert</c>, <c>create_table</c>, <c>drop_table</c>, <c>alter_table</c>, <c>grant</c>,
/// <c>set_role</c>, <c>commit</c>, … Node types it does not know give null (unparsed).
/// </summary>
internal static class SqlStatementKinds
{
    public const string Unknown = "unknown";

    /// <summary>Statements whose kind needs no look inside.</summary>
    private static readonly FrozenDictionary<string, (string Kind, string Category)> Fixed = new Dictionary<string, (string, string)>
    {
        ["InsertStmt"] = ("insert", SqlCategories.Dml),
        ["UpdateStmt"] = ("update", SqlCategories.Dml),
        ["DeleteStmt"] = ("delete", SqlCategories.Dml),
        ["MergeStmt"] = ("merge", SqlCategories.Dml),
        ["TruncateStmt"] = ("truncate", SqlCategories.Dml),
        ["VariableShowStmt"] = ("show", SqlCategories.Query),
        ["ExplainStmt"] = ("explain", SqlCategories.Query),
        ["CreateStmt"] = ("create_table", SqlCategories.Ddl),
        ["CreateForeignTableStmt"] = ("create_foreign_table", SqlCategories.Ddl),
        ["ViewStmt"] = ("create_view", SqlCategories.Ddl),
        ["IndexStmt"] = ("create_index", SqlCategories.Ddl),
        ["CreateSeqStmt"] = ("create_sequence", SqlCategories.Ddl),
        ["AlterSeqStmt"] = ("alter_sequence", SqlCategories.Ddl),
        ["CreateSchemaStmt"] = ("create_schema", SqlCategories.Ddl),
        ["CreateDomainStmt"] = ("create_domain", SqlCategories.Ddl),
        ["AlterDomainStmt"] = ("alter_domain", SqlCategories.Ddl),
        ["CompositeTypeStmt"] = ("create_type", SqlCategories.Ddl),
        ["CreateEnumStmt"] = ("create_type", SqlCategories.Ddl),
        ["CreateRangeStmt"] = ("create_type", SqlCategories.Ddl),
        ["AlterEnumStmt"] = ("alter_type", SqlCategories.Ddl),
        ["AlterTypeStmt"] = ("alter_type", SqlCategories.Ddl),
        ["CreateTrigStmt"] = ("create_trigger", SqlCategories.Ddl),
        ["RuleStmt"] = ("create_rule", SqlCategories.Ddl),
        ["CommentStmt"] = ("comment", SqlCategories.Ddl),
        ["CreateConversionStmt"] = ("create_conversion", SqlCategories.Ddl),
        ["CreateOpClassStmt"] = ("create_operator_class", SqlCategories.Ddl),
        ["CreateOpFamilyStmt"] = ("create_operator_family", SqlCategories.Ddl),
        ["AlterOpFamilyStmt"] = ("alter_operator_family", SqlCategories.Ddl),
        ["AlterOperatorStmt"] = ("alter_operator", SqlCategories.Ddl),
        ["AlterTSDictionaryStmt"] = ("alter_text_search_dictionary", SqlCategories.Ddl),
        ["AlterTSConfigurationStmt"] = ("alter_text_search_configuration", SqlCategories.Ddl),
        ["AlterCollationStmt"] = ("alter_collation", SqlCategories.Ddl),
        ["CreateStatsStmt"] = ("create_statistics", SqlCategories.Ddl),
        ["AlterStatsStmt"] = ("alter_statistics", SqlCategories.Ddl),
        ["RefreshMatViewStmt"] = ("refresh_materialized_view", SqlCategories.Ddl),
        ["ImportForeignSchemaStmt"] = ("import_foreign_schema", SqlCategories.Ddl),
        ["AlterTableMoveAllStmt"] = ("alter_table", SqlCategories.Ddl),
        ["CreateRoleStmt"] = ("create_role", SqlCategories.Privilege),
        ["AlterRoleStmt"] = ("alter_role", SqlCategories.Privilege),
        ["AlterRoleSetStmt"] = ("alter_role", SqlCategories.Privilege),
        ["DropRoleStmt"] = ("drop_role", SqlCategories.Privilege),
        ["AlterDefaultPrivilegesStmt"] = ("alter_default_privileges", SqlCategories.Privilege),
        ["DropOwnedStmt"] = ("drop_owned", SqlCategories.Privilege),
        ["ReassignOwnedStmt"] = ("reassign_owned", SqlCategories.Privilege),
        ["CreatePolicyStmt"] = ("create_policy", SqlCategories.Privilege),
        ["AlterPolicyStmt"] = ("alter_policy", SqlCategories.Privilege),
        ["CreateUserMappingStmt"] = ("create_user_mapping", SqlCategories.Privilege),
        ["AlterUserMappingStmt"] = ("alter_user_mapping", SqlCategories.Privilege),
        ["DropUserMappingStmt"] = ("drop_user_mapping", SqlCategories.Privilege),
        ["SecLabelStmt"] = ("security_label", SqlCategories.Privilege),
        ["AlterSystemStmt"] = ("alter_system", SqlCategories.System),
        ["LoadStmt"] = ("load", SqlCategories.System),
        ["CheckPointStmt"] = ("checkpoint", SqlCategories.System),
        ["ClusterStmt"] = ("cluster", SqlCategories.System),
        ["ReindexStmt"] = ("reindex", SqlCategories.System),
        ["CreatedbStmt"] = ("create_database", SqlCategories.System),
        ["DropdbStmt"] = ("drop_database", SqlCategories.System),
        ["AlterDatabaseStmt"] = ("alter_database", SqlCategories.System),
        ["AlterDatabaseSetStmt"] = ("alter_database", SqlCategories.System),
        ["AlterDatabaseRefreshCollStmt"] = ("alter_database", SqlCategories.System),
        ["CreateTableSpaceStmt"] = ("create_tablespace", SqlCategories.System),
        ["DropTableSpaceStmt"] = ("drop_tablespace", SqlCategories.System),
        ["AlterTableSpaceOptionsStmt"] = ("alter_tablespace", SqlCategories.System),
        ["CreateExtensionStmt"] = ("create_extension", SqlCategories.System),
        ["AlterExtensionStmt"] = ("alter_extension", SqlCategories.System),
        ["AlterExtensionContentsStmt"] = ("alter_extension", SqlCategories.System),
        ["CreatePLangStmt"] = ("create_language", SqlCategories.System),
        ["CreateFdwStmt"] = ("create_foreign_data_wrapper", SqlCategories.System),
        ["AlterFdwStmt"] = ("alter_foreign_data_wrapper", SqlCategories.System),
        ["CreateForeignServerStmt"] = ("create_server", SqlCategories.System),
        ["AlterForeignServerStmt"] = ("alter_server", SqlCategories.System),
        ["CreateEventTrigStmt"] = ("create_event_trigger", SqlCategories.System),
        ["AlterEventTrigStmt"] = ("alter_event_trigger", SqlCategories.System),
        ["CreateCastStmt"] = ("create_cast", SqlCategories.System),
        ["CreateTransformStmt"] = ("create_transform", SqlCategories.System),
        ["CreateAmStmt"] = ("create_access_method", SqlCategories.System),
        ["CreatePublicationStmt"] = ("create_publication", SqlCategories.System),
        ["AlterPublicationStmt"] = ("alter_publication", SqlCategories.System),
        ["CreateSubscriptionStmt"] = ("create_subscription", SqlCategories.System),
        ["AlterSubscriptionStmt"] = ("alter_subscription", SqlCategories.System),
        ["DropSubscriptionStmt"] = ("drop_subscription", SqlCategories.System),
        ["ConstraintsSetStmt"] = ("set_constraints", SqlCategories.Transaction),
        ["DiscardStmt"] = ("discard", SqlCategories.Session),
        ["PrepareStmt"] = ("prepare", SqlCategories.Session),
        ["ExecuteStmt"] = ("execute", SqlCategories.Session),
        ["DeallocateStmt"] = ("deallocate", SqlCategories.Session),
        ["DeclareCursorStmt"] = ("declare_cursor", SqlCategories.Session),
        ["ClosePortalStmt"] = ("close", SqlCategories.Session),
        ["ListenStmt"] = ("listen", SqlCategories.Session),
        ["UnlistenStmt"] = ("unlisten", SqlCategories.Session),
        ["NotifyStmt"] = ("notify", SqlCategories.Session),
        ["LockStmt"] = ("lock", SqlCategories.Session),
        ["CopyStmt"] = ("copy", SqlCategories.Copy),
        ["DoStmt"] = ("do", SqlCategories.Procedural),
        ["CallStmt"] = ("call", SqlCategories.Procedural),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Object types whose statements act on the server rather than on one schema's objects.</summary>
    private static readonly FrozenSet<string> SystemObjects = new[]
    {
        "database", "tablespace", "extension", "language", "foreign_data_wrapper", "server", "event_trigger",
        "access_method", "publication", "subscription", "cast", "transform",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> PrivilegeObjects = new[] { "role", "policy", "user_mapping" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The kind and category of a statement node, or null when the node type is not known.</summary>
    public static (string Kind, string Category)? Of(string node, JsonElement body)
    {
        if (Fixed.TryGetValue(node, out var known))
        {
            return known;
        }

        return node switch
        {
            "SelectStmt" => body.Has("intoClause", out _) ? ("create_table_as", SqlCategories.Ddl) : ("select", SqlCategories.Query),
            "CreateTableAsStmt" => Text(body, "objtype") == "OBJECT_MATVIEW" ? ("create_materialized_view", SqlCategories.Ddl) : ("create_table_as", SqlCategories.Ddl),
            "DropStmt" => OnObject("drop", Text(body, "removeType")),
            "AlterTableStmt" => OnObject("alter", Text(body, "objtype")),
            "RenameStmt" => OnObject("alter", Text(body, "renameType") is "OBJECT_COLUMN" or "OBJECT_TABCONSTRAINT" or "OBJECT_TRIGGER" or "OBJECT_RULE" or "OBJECT_POLICY" ? Text(body, "relationType") : Text(body, "renameType")),
            "AlterObjectSchemaStmt" => OnObject("alter", Text(body, "objectType")),
            "AlterOwnerStmt" => OnObject("alter", Text(body, "objectType")),
            "AlterObjectDependsStmt" => OnObject("alter", Text(body, "objectType")),
            "DefineStmt" => OnObject("create", Text(body, "kind")),
            "CreateFunctionStmt" => (Flag(body, "is_procedure") ? "create_procedure" : "create_function", SqlCategories.Ddl),
            "AlterFunctionStmt" => OnObject("alter", Text(body, "objtype")),
            "GrantStmt" => (Flag(body, "is_grant") ? "grant" : "revoke", SqlCategories.Privilege),
            "GrantRoleStmt" => (Flag(body, "is_grant") ? "grant_role" : "revoke_role", SqlCategories.Privilege),
            "VacuumStmt" => (Flag(body, "is_vacuumcmd") ? "vacuum" : "analyze", SqlCategories.System),
            "FetchStmt" => (Flag(body, "ismove") ? "move" : "fetch", SqlCategories.Session),
            "TransactionStmt" => (Transaction(Text(body, "kind")), SqlCategories.Transaction),
            "VariableSetStmt" => Setting(body),
            _ => null,
        };
    }

    /// <summary>The parameter a SET, RESET or SHOW names, lower case (<c>all</c> for RESET ALL, SHOW ALL); empty otherwise.</summary>
    public static string SettingOf(string node, JsonElement body) => node switch
    {
        "VariableSetStmt" => Text(body, "kind") == "VAR_RESET_ALL" ? "all" : (Text(body, "name") ?? string.Empty).ToLowerInvariant(),
        "VariableShowStmt" => (Text(body, "name") ?? string.Empty).ToLowerInvariant(),
        "AlterSystemStmt" when body.Has("setstmt", out var set) => SettingOf("VariableSetStmt", set),
        _ => string.Empty,
    };

    private static (string, string) Setting(JsonElement body)
    {
        var name = (Text(body, "name") ?? string.Empty).ToLowerInvariant();
        var kind = Text(body, "kind");
        return name switch
        {
            "role" => ("set_role", SqlCategories.Privilege),
            "session_authorization" => ("set_session_authorization", SqlCategories.Privilege),
            _ when kind == "VAR_SET_MULTI" => ("set_transaction", SqlCategories.Transaction),
            "transaction_isolation" or "transaction_read_only" or "transaction_deferrable" => ("set_transaction", SqlCategories.Transaction),
            _ when kind is "VAR_RESET" or "VAR_RESET_ALL" => ("reset", SqlCategories.Session),
            _ => ("set", SqlCategories.Session),
        };
    }

    private static string Transaction(string? kind) => kind switch
    {
        "TRANS_STMT_BEGIN" or "TRANS_STMT_START" => "begin",
        "TRANS_STMT_COMMIT" => "commit",
        "TRANS_STMT_ROLLBACK" => "rollback",
        "TRANS_STMT_SAVEPOINT" => "savepoint",
        "TRANS_STMT_RELEASE" => "release_savepoint",
        "TRANS_STMT_ROLLBACK_TO" => "rollback_to_savepoint",
        "TRANS_STMT_PREPARE" => "prepare_transaction",
        "TRANS_STMT_COMMIT_PREPARED" => "commit_prepared",
        "TRANS_STMT_ROLLBACK_PREPARED" => "rollback_prepared",
        _ => "transaction",
    };

    private static (string, string) OnObject(string verb, string? objectType)
    {
        var noun = ObjectNoun(objectType);
        var category = SystemObjects.Contains(noun) ? SqlCategories.System
            : PrivilegeObjects.Contains(noun) ? SqlCategories.Privilege
            : SqlCategories.Ddl;
        return ($"{verb}_{noun}", category);
    }

    /// <summary><c>OBJECT_MATVIEW</c> → <c>materialized_view</c>, <c>OBJECT_TABLE</c> → <c>table</c>, …</summary>
    public static string ObjectNoun(string? objectType) => objectType switch
    {
        null => "object",
        "OBJECT_MATVIEW" => "materialized_view",
        "OBJECT_FDW" => "foreign_data_wrapper",
        "OBJECT_FOREIGN_SERVER" => "server",
        "OBJECT_OPCLASS" => "operator_class",
        "OBJECT_OPFAMILY" => "operator_family",
        "OBJECT_TSCONFIGURATION" => "text_search_configuration",
        "OBJECT_TSDICTIONARY" => "text_search_dictionary",
        "OBJECT_TSPARSER" => "text_search_parser",
        "OBJECT_TSTEMPLATE" => "text_search_template",
        "OBJECT_STATISTIC_EXT" => "statistics",
        "OBJECT_TABCONSTRAINT" => "constraint",
        "OBJECT_DOMCONSTRAINT" => "domain_constraint",
        "OBJECT_LARGEOBJECT" => "large_object",
        _ when objectType.StartsWith("OBJECT_", StringComparison.Ordinal) => objectType["OBJECT_".Length..].ToLowerInvariant(),
        _ => "object",
    };

    public static string? Text(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.Has(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Flag(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.Has(name, out var value) && value.ValueKind == JsonValueKind.True;
}
