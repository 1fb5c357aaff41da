using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>What one parsed statement does, as the facts of <c>sql.statements[]</c> show it.</summary>
/// <param name="Kind">Statement kind (<c>select</c>, <c>delete</c>, <c>drop_table</c>, …); the explained statement's kind under EXPLAIN ANALYZE.</param>
/// <param name="Category">One of <see cref="SqlCategories"/>.</param>
/// <param name="ReadOnly">Every node, function, operator and type in the statement is on the read allow-list.</param>
/// <param name="TablesRead">Relations read, schema-qualified.</param>
/// <param name="TablesWritten">Relations written, created, altered, dropped, locked or granted on, schema-qualified.</param>
/// <param name="Functions">Functions called, <c>pg_catalog.</c> dropped.</param>
/// <param name="UnboundedWrite">An UPDATE or DELETE (also in a WITH) without a WHERE, or with one that does not depend on the row.</param>
/// <param name="Explain">The statement is under EXPLAIN.</param>
/// <param name="CopyTarget">For COPY: <c>stdio</c>, <c>file</c> or <c>program</c>; empty otherwise.</param>
/// <param name="Setting">For SET, RESET, SHOW and ALTER SYSTEM: the parameter, lower case; empty otherwise.</param>
/// <param name="Complex">The statement runs code the gateway cannot see (DO, EXECUTE of a prepared statement).</param>
/// <param name="HighestParameter">The highest <c>$n</c> the statement uses (0 when none).</param>
/// <param name="NodeType">The parse tree's statement node (<c>SelectStmt</c>, …).</param>
internal sealed record SqlStatementFacts(
    string Kind,
    string Category,
    bool ReadOnly,
    ImmutableArray<string> TablesRead,
    ImmutableArray<string> TablesWritten,
    ImmutableArray<string> Functions,
    bool UnboundedWrite,
    bool Explain,
    string CopyTarget,
    string Setting,
    bool Complex,
    int HighestParameter,
    string NodeType)
{
    /// <summary>Why the statement cannot run inside a transaction (the gateway runs every statement in one), or null.</summary>
    public string? OutsideTransaction { get; init; }

    /// <summary>Why the gateway refuses the statement whatever the policy says, or null.</summary>
    public string? Forbidden { get; init; }

    /// <summary>Why the statement is not understood, or null.</summary>
    public string? Unparsed { get; init; }

    /// <summary>
    /// For a read-only statement: the base columns whose values it may return,
    /// <c>schema.table.column</c> or <c>schema.table.*</c>, unquoted; null when unknown (anything
    /// that writes, EXPLAIN, a function that runs a query from text).
    /// </summary>
    public ImmutableArray<string>? ReferencedColumns { get; init; }

    /// <summary>The relations read, unquoted, every reading of an unqualified name.</summary>
    public ImmutableArray<SqlRelation> RelationsRead { get; init; } = [];
}

/// <summary>A relation a statement names: its schema and name as PostgreSQL stores them (unquoted).</summary>
public readonly record struct SqlRelation(string Schema, string Name);
