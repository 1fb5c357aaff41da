using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Runtime;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// What an approver sees of a <c>run_sql</c> call: the statement exactly as it would run, its
/// parameters, its facts, and PostgreSQL's estimate of the rows it touches from <c>EXPLAIN</c> —
/// never <c>EXPLAIN ANALYZE</c>, which would run it — in a READ ONLY transaction that is rolled back.
/// </summary>
internal static class RunSqlPreview
{
    /// <summary>Kinds PostgreSQL can EXPLAIN.</summary>
    private static readonly HashSet<string> Explainable = new(StringComparer.Ordinal) { "select", "insert", "update", "delete", "merge", "values", "table" };

    private static readonly TimeSpan ExplainTimeout = TimeSpan.FromSeconds(5);

    public static ToolPreview Describe(SqlStatementRequest request, JsonObject? facts = null, JsonObject? plan = null)
    {
        var detail = new JsonObject
        {
            ["connection"] = request.Connection,
            ["statement"] = request.Sql,
            ["normalized"] = Normalize(request.Sql),
            ["params"] = new JsonArray([.. request.Parameters.Select(p => JsonNode.Parse(p.GetRawText()))]),
            ["kind"] = request.Kind,
            ["category"] = request.Category,
            ["readOnly"] = request.ReadOnly,
            ["maxRows"] = request.MaxRows,
        };
        if (facts is not null)
        {
            detail["facts"] = facts;
        }

        if (plan is not null)
        {
            detail["explain"] = plan;
        }

        var estimate = plan?["estimatedRows"] is JsonValue rows ? $", about {rows.ToJsonString()} rows estimated" : string.Empty;
        return new ToolPreview($"{request.Kind.ToUpperInvariant()} on {request.Connection}{(request.ReadOnly ? " (read-only)" : string.Empty)}{estimate}: {Shorten(OneLine(request.Sql), 200)}", detail, MustMatchAtExecution: false);
    }

    /// <summary>The preview with the statement's facts (classified again, with the snapshot's policy environment) and PostgreSQL's estimate.</summary>
    public static async ValueTask<ToolPreview> DescribeAsync(SqlStatementRequest request, RuntimeSnapshot snapshot, CancellationToken cancellationToken)
    {
        var facts = Facts(request, snapshot);
        var plan = snapshot.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, request.Connection) is { } dataSource && Explainable.Contains(request.Kind)
            ? await ExplainAsync(dataSource, request, cancellationToken).ConfigureAwait(false)
            : null;
        return Describe(request, facts, plan);
    }

    private static JsonObject? Facts(SqlStatementRequest request, RuntimeSnapshot snapshot)
    {
        if (snapshot.Engine.Current.Tools.Find(RunSqlTool.Name) is not { } tool)
        {
            return null;
        }

        var arguments = new JsonObject
        {
            ["connection"] = request.Connection,
            ["sql"] = request.Sql,
            ["params"] = new JsonArray([.. request.Parameters.Select(p => JsonNode.Parse(p.GetRawText()))]),
        };
        var classification = tool.Classifier.Classify(JsonSerializer.SerializeToElement(arguments), snapshot.Engine.Current.Environment);
        return classification.Facts.ToJson();
    }

    /// <summary>EXPLAIN (FORMAT JSON) of the statement with its parameters: the plan's top node and its estimated rows; an error is shown as such.</summary>
    private static async Task<JsonObject> ExplainAsync(NpgsqlDataSource dataSource, SqlStatementRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL statement_timeout = {SqlParameters.Milliseconds(ExplainTimeout)}"));

            // The statement follows on its own line, so a trailing comment in it cannot swallow anything.
            var explain = new NpgsqlBatchCommand("EXPLAIN (FORMAT JSON)\n" + request.Sql);
            foreach (var value in request.Parameters)
            {
                explain.Parameters.Add(SqlParameters.Bind(value));
            }

            batch.BatchCommands.Add(explain);
            string? text = null;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    text = reader.GetFieldValue<string>(0);
                }
            }

            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            var plan = text is null ? null : JsonNode.Parse(text)?[0]?["Plan"];

            // A write's top node (ModifyTable) returns no rows; the rows it would change are its input's.
            var rows = plan?["Node Type"]?.GetValue<string>() == "ModifyTable" && plan["Plans"] is JsonArray { Count: > 0 } inputs
                ? inputs[0]?["Plan Rows"]
                : plan?["Plan Rows"];
            return new JsonObject
            {
                ["estimatedRows"] = rows?.DeepClone(),
                ["estimatedCost"] = plan?["Total Cost"]?.DeepClone(),
                ["node"] = plan?["Node Type"]?.DeepClone(),
                ["plan"] = plan?.DeepClone(),
            };
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresConnectionRefusedException or JsonException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            var why = ex is PostgresException postgres ? $"SQLSTATE {postgres.SqlState}: {postgres.MessageText}" : "the connection could not be used";
            return new JsonObject { ["error"] = $"No estimate: {why}." };
        }
    }

    /// <summary>
    /// The statement as it runs, trimmed, with line breaks as <c>\n</c>. Nothing else is changed:
    /// joining lines could let a <c>--</c> comment appear to hide what follows, and approvers must
    /// read what PostgreSQL reads.
    /// </summary>
    internal static string Normalize(string sql) => sql.Trim().ReplaceLineEndings("\n");

    /// <summary>One line for the summary: line breaks shown as ⏎.</summary>
    private static string OneLine(string sql) => sql.Trim().ReplaceLineEndings(" ⏎ ");

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
