using System.Collections.Frozen;
using System.Text;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// The node type names of PostgreSQL 15's parse trees, so the walker reads a name from the
/// tree's UTF-8 without making a new string for every node it passes.
/// </summary>
internal static class SqlNodeNames
{
    private static readonly FrozenSet<string> Known = new[]
    {
        "RangeVar", "TableFunc", "Var", "Param", "Aggref", "GroupingFunc", "WindowFunc", "SubscriptingRef",
        "FuncExpr", "NamedArgExpr", "OpExpr", "DistinctExpr", "NullIfExpr", "ScalarArrayOpExpr", "BoolExpr",
        "SubLink", "SubPlan", "AlternativeSubPlan", "FieldSelect", "FieldStore", "RelabelType", "CoerceViaIO",
        "ArrayCoerceExpr", "ConvertRowtypeExpr", "CollateExpr", "CaseExpr", "CaseWhen", "CaseTestExpr",
        "ArrayExpr", "RowExpr", "RowCompareExpr", "CoalesceExpr", "MinMaxExpr", "SQLValueFunction", "XmlExpr",
        "NullTest", "BooleanTest", "CoerceToDomain", "CoerceToDomainValue", "SetToDefault", "CurrentOfExpr",
        "NextValueExpr", "InferenceElem", "TargetEntry", "RangeTblRef", "JoinExpr", "FromExpr",
        "OnConflictExpr", "IntoClause", "MergeAction", "RawStmt", "Query", "InsertStmt", "DeleteStmt",
        "UpdateStmt", "MergeStmt", "SelectStmt", "ReturnStmt", "PLAssignStmt", "AlterTableStmt",
        "AlterTableCmd", "AlterDomainStmt", "SetOperationStmt", "GrantStmt", "GrantRoleStmt",
        "AlterDefaultPrivilegesStmt", "ClosePortalStmt", "ClusterStmt", "CopyStmt", "CreateStmt", "DefineStmt",
        "DropStmt", "TruncateStmt", "CommentStmt", "FetchStmt", "IndexStmt", "CreateFunctionStmt",
        "AlterFunctionStmt", "DoStmt", "RenameStmt", "RuleStmt", "NotifyStmt", "ListenStmt", "UnlistenStmt",
        "TransactionStmt", "ViewStmt", "LoadStmt", "CreateDomainStmt", "CreatedbStmt", "DropdbStmt",
        "VacuumStmt", "ExplainStmt", "CreateTableAsStmt", "CreateSeqStmt", "AlterSeqStmt", "VariableSetStmt",
        "VariableShowStmt", "DiscardStmt", "CreateTrigStmt", "CreatePLangStmt", "CreateRoleStmt",
        "AlterRoleStmt", "DropRoleStmt", "LockStmt", "ConstraintsSetStmt", "ReindexStmt", "CheckPointStmt",
        "CreateSchemaStmt", "AlterDatabaseStmt", "AlterDatabaseRefreshCollStmt", "AlterDatabaseSetStmt",
        "AlterRoleSetStmt", "CreateConversionStmt", "CreateCastStmt", "CreateOpClassStmt", "CreateOpFamilyStmt",
        "AlterOpFamilyStmt", "PrepareStmt", "ExecuteStmt", "DeallocateStmt", "DeclareCursorStmt",
        "CreateTableSpaceStmt", "DropTableSpaceStmt", "AlterObjectDependsStmt", "AlterObjectSchemaStmt",
        "AlterOwnerStmt", "AlterOperatorStmt", "AlterTypeStmt", "DropOwnedStmt", "ReassignOwnedStmt",
        "CompositeTypeStmt", "CreateEnumStmt", "CreateRangeStmt", "AlterEnumStmt", "AlterTSDictionaryStmt",
        "AlterTSConfigurationStmt", "CreateFdwStmt", "AlterFdwStmt", "CreateForeignServerStmt",
        "AlterForeignServerStmt", "CreateUserMappingStmt", "AlterUserMappingStmt", "DropUserMappingStmt",
        "AlterTableSpaceOptionsStmt", "AlterTableMoveAllStmt", "SecLabelStmt", "CreateForeignTableStmt",
        "ImportForeignSchemaStmt", "CreateExtensionStmt", "AlterExtensionStmt", "AlterExtensionContentsStmt",
        "CreateEventTrigStmt", "AlterEventTrigStmt", "RefreshMatViewStmt", "ReplicaIdentityStmt",
        "AlterSystemStmt", "CreatePolicyStmt", "AlterPolicyStmt", "CreateTransformStmt", "CreateAmStmt",
        "CreatePublicationStmt", "AlterPublicationStmt", "CreateSubscriptionStmt", "AlterSubscriptionStmt",
        "DropSubscriptionStmt", "CreateStatsStmt", "AlterCollationStmt", "CallStmt", "AlterStatsStmt", "A_Expr",
        "ColumnRef", "ParamRef", "FuncCall", "A_Star", "A_Indices", "A_Indirection", "A_ArrayExpr", "ResTarget",
        "MultiAssignRef", "TypeCast", "CollateClause", "SortBy", "WindowDef", "RangeSubselect", "RangeFunction",
        "RangeTableSample", "RangeTableFunc", "RangeTableFuncCol", "TypeName", "ColumnDef", "IndexElem",
        "StatsElem", "Constraint", "DefElem", "RangeTblEntry", "RangeTblFunction", "TableSampleClause",
        "WithCheckOption", "SortGroupClause", "GroupingSet", "WindowClause", "ObjectWithArgs", "AccessPriv",
        "CreateOpClassItem", "TableLikeClause", "FunctionParameter", "LockingClause", "RowMarkClause",
        "XmlSerialize", "WithClause", "InferClause", "OnConflictClause", "CTESearchClause", "CTECycleClause",
        "CommonTableExpr", "MergeWhenClause", "RoleSpec", "TriggerTransition", "PartitionElem", "PartitionSpec",
        "PartitionBoundSpec", "PartitionRangeDatum", "PartitionCmd", "VacuumRelation", "PublicationObjSpec",
        "PublicationTable", "InlineCodeBlock", "CallContext", "Integer", "Float", "Boolean", "String",
        "BitString", "List", "IntList", "OidList", "A_Const",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The node name spelled by <paramref name="utf8"/>, shared when it is a known one.</summary>
    public static string Of(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= 64)
        {
            Span<char> chars = stackalloc char[utf8.Length];
            var ascii = true;
            for (var i = 0; i < utf8.Length; i++)
            {
                ascii &= utf8[i] < 0x80;
                chars[i] = (char)utf8[i];
            }

            if (ascii && Lookup.TryGetValue(chars, out var known))
            {
                return known;
            }
        }

        return Encoding.UTF8.GetString(utf8);
    }
}
