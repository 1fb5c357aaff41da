using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Model;

namespace McpGateway.Tools.RunSql;

/// <summary>What a <c>run_sql</c> call may return and do, from the decision's obligations and the caller's own <c>maxRows</c>.</summary>
/// <param name="MaxRows">Most rows returned.</param>
/// <param name="MaxResultBytes">Most bytes of rows returned (as JSON).</param>
/// <param name="ReadOnly">Run in a READ ONLY transaction.</param>
/// <param name="StatementTimeout">PostgreSQL's statement_timeout, or null for the server's.</param>
/// <param name="LockTimeout">PostgreSQL's lock_timeout, or null for the server's.</param>
/// <param name="MaxAffectedRows">Most rows a write may change, or null.</param>
internal sealed record SqlLimits(int MaxRows, long MaxResultBytes, bool ReadOnly, TimeSpan? StatementTimeout, TimeSpan? LockTimeout, long? MaxAffectedRows)
{
    public const int DefaultMaxRows = 1000;
    public const long DefaultMaxResultBytes = 1024 * 1024;

    public static SqlLimits From(SqlStatementRequest request, IReadOnlyDictionary<string, ObligationValue> obligations)
    {
        var maxRows = obligations.TryGetValue(RunSqlTool.MaxRows, out var rows) ? (int)Math.Clamp(rows.Number, 0, int.MaxValue) : DefaultMaxRows;
        if (request.MaxRows is { } asked && asked < maxRows)
        {
            maxRows = asked;
        }

        return new SqlLimits(
            maxRows,
            obligations.TryGetValue(RunSqlTool.MaxResultBytes, out var bytes) ? bytes.Number : DefaultMaxResultBytes,
            request.ReadOnly || (obligations.TryGetValue(RunSqlTool.ReadOnlyObligation, out var readOnly) && readOnly.Flag),
            obligations.TryGetValue(RunSqlTool.StatementTimeout, out var statement) ? statement.Duration : null,
            obligations.TryGetValue(RunSqlTool.LockTimeout, out var lockTimeout) ? lockTimeout.Duration : null,
            obligations.TryGetValue(RunSqlTool.MaxAffectedRows, out var affected) ? affected.Number : null);
    }
}
