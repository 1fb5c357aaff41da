using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// The <c>run_sql</c> tool as the policy layer sees it. SQL is read with PostgreSQL 15's grammar
/// (libpg_query): syntax added by later versions does not parse, so such a call is unparsed
/// and does not run.
/// </summary>
public static class RunSqlTool
{
    public const string Name = "run_sql";

    public const string StatementCount = "sql.statementCount";
    public const string MultiStatement = "sql.multiStatement";
    public const string ReadOnly = "sql.readOnly";
    public const string TablesRead = "sql.tablesRead";
    public const string TablesWritten = "sql.tablesWritten";
    public const string Functions = "sql.functions";
    public const string UnboundedWrite = "sql.unboundedWrite";

    public const string Statements = "sql.statements";
    public const string StatementKind = "sql.statements.kind";
    public const string StatementCategory = "sql.statements.category";
    public const string StatementReadOnly = "sql.statements.readOnly";
    public const string StatementTablesRead = "sql.statements.tablesRead";
    public const string StatementTablesWritten = "sql.statements.tablesWritten";
    public const string StatementFunctions = "sql.statements.functions";
    public const string StatementUnboundedWrite = "sql.statements.unboundedWrite";
    public const string StatementExplain = "sql.statements.explain";
    public const string StatementCopyTarget = "sql.statements.copyTarget";
    public const string StatementSetting = "sql.statements.setting";

    public const string MaxRows = "maxRows";
    public const string MaxResultBytes = "maxResultBytes";
    public const string ReadOnlyObligation = "readOnly";
    public const string StatementTimeout = "statementTimeout";
    public const string LockTimeout = "lockTimeout";
    public const string MaxAffectedRows = "maxAffectedRows";

    public static IReadOnlyList<FactDescriptor> Facts { get; } =
    [
        new(StatementCount, FactType.Number, "How many statements the SQL holds; run_sql runs exactly one, so any other count is unparsed."),
        new(MultiStatement, FactType.Flag, "The SQL holds more than one statement (such a call is also unparsed)."),
        new(ReadOnly, FactType.Flag, "The statement only reads: every node kind, function, operator and type in it is on the read allow-list (no SELECT INTO, FOR UPDATE/SHARE, data-modifying WITH, nextval, set_config, …). False when unparsed."),
        new(TablesRead, FactType.TextList, "Relations read, schema-qualified (unqualified names as every schema of the connection's search path; pg_ names also as pg_catalog); quoted names keep their quotes."),
        new(TablesWritten, FactType.TextList, "Relations inserted into, updated, deleted from, created, altered, dropped, truncated, locked or granted on, schema-qualified like sql.tablesRead."),
        new(Functions, FactType.TextList, "Functions called (also procedures called by CALL), as written with pg_catalog. dropped."),
        new(UnboundedWrite, FactType.Flag, "An UPDATE or DELETE, also inside WITH, has no WHERE or one that does not depend on the row (a constant, x = x, an OR with such a branch)."),
        new(StatementKind, FactType.Text, "The statement kind: select, insert, update, delete, merge, truncate, create_table, drop_table, alter_table, grant, set, set_role, begin, commit, copy, do, call, explain, …; the explained statement's kind under EXPLAIN ANALYZE; unknown for a statement the gateway does not know.", Statements),
        new(StatementCategory, FactType.Text, "The statement's family: query, dml, ddl, transaction, session, privilege, system, copy, procedural, unknown.", Statements),
        new(StatementReadOnly, FactType.Flag, "This statement only reads (see sql.readOnly).", Statements),
        new(StatementTablesRead, FactType.TextList, "Relations this statement reads.", Statements),
        new(StatementTablesWritten, FactType.TextList, "Relations this statement writes.", Statements),
        new(StatementFunctions, FactType.TextList, "Functions this statement calls.", Statements),
        new(StatementUnboundedWrite, FactType.Flag, "This statement updates or deletes without a row-dependent WHERE.", Statements),
        new(StatementExplain, FactType.Flag, "The statement is under EXPLAIN (with ANALYZE its kind is the explained statement's, as it runs).", Statements),
        new(StatementCopyTarget, FactType.Text, "For COPY: stdio, file or program; empty for other statements.", Statements),
        new(StatementSetting, FactType.Text, "For SET, RESET, SHOW and ALTER SYSTEM: the parameter, lower case (all for RESET ALL); empty otherwise.", Statements),
    ];

    public static IReadOnlyList<ElementListDescriptor> ElementLists { get; } =
    [
        new(Statements, StatementKind, "The statements of the SQL, each with its own facts; as a list, their kinds."),
    ];

    public static IReadOnlyList<ObligationDescriptor> Obligations { get; } =
    [
        new(MaxRows, ObligationKind.Count, "Most rows returned to the agent; the rest are not read and the result is marked truncated."),
        new(MaxResultBytes, ObligationKind.Size, "Largest result returned to the agent; the rest is not read and the result is marked truncated."),
        new(ReadOnlyObligation, ObligationKind.Flag, "Run the statement in a READ ONLY transaction, whatever it looks like."),
        new(StatementTimeout, ObligationKind.Duration, "PostgreSQL statement_timeout for the statement."),
        new(LockTimeout, ObligationKind.Duration, "PostgreSQL lock_timeout for the statement."),
        new(MaxAffectedRows, ObligationKind.Count, "Most rows a write may change; a write that changes more is rolled back."),
    ];

    /// <summary>
    /// The arguments <c>run_sql</c> accepts; the classifier refuses any other. The optional
    /// <c>justification</c> every target tool takes is removed by the pipeline before classification.
    /// </summary>
    public static IReadOnlyList<string> Arguments { get; } =
    [
        RunSqlClassifier.ConnectionArgument, RunSqlClassifier.SqlArgument, RunSqlClassifier.ParamsArgument,
        RunSqlClassifier.MaxRowsArgument,
    ];

    public static ToolDescriptor Create() => new(Name, TargetKinds.Postgres, Facts, ElementLists, Obligations, new RunSqlClassifier(), Arguments);
}
