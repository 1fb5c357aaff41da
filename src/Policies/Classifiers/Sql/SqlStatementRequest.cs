using System.Collections.Immutable;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// The <c>run_sql</c> call that was classified: exactly what the backend runs. <see cref="Sql"/>
/// is the text the parser read as one statement, unchanged; send it as one statement with the
/// extended protocol, binding <see cref="Parameters"/> as <c>$1…</c>, inside a transaction
/// (<c>READ ONLY</c> when <see cref="ReadOnly"/> or the decision's <c>readOnly</c> obligation
/// says so), with <c>standard_conforming_strings</c> on as the parser assumes, and without
/// any client-side rewriting or splitting of the text (Npgsql: positional parameters, or SQL
/// rewriting disabled).
/// </summary>
/// <param name="Connection">The configured connection (<c>Targets:Postgres:&lt;name&gt;</c>).</param>
/// <param name="Sql">The statement text as parsed.</param>
/// <param name="Parameters">The <c>params</c> values in order, each a JSON string, number, boolean, null, or array of those.</param>
/// <param name="MaxRows">The caller's own row limit, or null; the decision's <c>maxRows</c> obligation caps it.</param>
/// <param name="Kind">The statement kind (<c>sql.statements.kind</c>).</param>
/// <param name="Category">The statement category (<c>sql.statements.category</c>).</param>
/// <param name="ReadOnly">The statement is read-only by the classifier's allow-list (<c>sql.readOnly</c>).</param>
public sealed record SqlStatementRequest(
    string Connection,
    string Sql,
    ImmutableArray<JsonElement> Parameters,
    int? MaxRows,
    string Kind,
    string Category,
    bool ReadOnly)
{
    /// <summary>
    /// The base columns whose values the statement may return (<c>schema.table.column</c> or
    /// <c>schema.table.*</c>), or null when unknown; masking's column rules use it, after the
    /// executor has made sure every relation in <see cref="RelationsRead"/> is a table (a view
    /// hides its base columns).
    /// </summary>
    public ImmutableArray<string>? ReferencedColumns { get; init; }

    /// <summary>The relations the statement reads (every reading of an unqualified name).</summary>
    public ImmutableArray<SqlRelation> RelationsRead { get; init; } = [];
}
