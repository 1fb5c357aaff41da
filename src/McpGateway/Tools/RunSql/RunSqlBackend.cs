using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>Runs allowed <c>run_sql</c> calls on the connection's pooled data source of the call's snapshot, within the tool's own obligations.</summary>
internal sealed class RunSqlBackend(SqlStatementRunner runner) : IToolBackend<SqlStatementRequest>
{
    public async Task<ToolResult> ExecuteAsync(ExecutionRecord<SqlStatementRequest> record, CancellationToken cancellationToken)
    {
        var request = record.Request;
        if (record.Snapshot.Configuration.Target<PostgresTargetOptions>(TargetKinds.Postgres, request.Connection) is null
            || record.Snapshot.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, request.Connection) is not { } dataSource)
        {
            throw new ToolCallException($"Connection '{request.Connection}' is no longer configured, so nothing was run.");
        }

        var limits = SqlLimits.From(request, record.Obligations);
        var result = await runner.RunAsync(dataSource, request.Connection, request, limits, cancellationToken).ConfigureAwait(false);
        return new ToolResult(ToJson(result), masked => Summarize(request.Connection, masked), result.Columns) { Referenced = result.Referenced };
    }

    internal static JsonObject ToJson(SqlStatementResult result)
    {
        var columns = new JsonArray();
        foreach (var column in result.Columns)
        {
            var item = new JsonObject { ["name"] = column.Name, ["type"] = column.Type };
            if (column.Source is not null)
            {
                item["source"] = column.Source;
            }

            columns.Add(item);
        }

        return new JsonObject
        {
            ["command"] = result.Command,
            ["columns"] = columns,
            ["rows"] = new JsonArray([.. result.Rows]),
            ["rowCount"] = result.RowCount,
            ["rowsAffected"] = result.RowsAffected,
            ["truncated"] = result.Truncated,
            ["readOnly"] = result.ReadOnly,
            ["committed"] = result.Committed,
            ["durationMs"] = result.DurationMs,
        };
    }

    /// <summary>The text form, from the masked result: what ran and how it ended, the column names, then one JSON array per row.</summary>
    private static string Summarize(string connection, JsonObject masked)
    {
        var text = new StringBuilder();
        var rowCount = masked["rowCount"]?.GetValue<int>() ?? 0;
        text.Append(masked["command"]?.GetValue<string>()).Append(" on ").Append(connection).Append(": ");
        text.Append(rowCount).Append(rowCount == 1 ? " row" : " rows");
        if (masked["rowsAffected"] is JsonValue affected)
        {
            text.Append(", ").Append(affected.ToJsonString()).Append(" affected");
        }

        if (masked["truncated"]?.GetValue<bool>() == true)
        {
            text.Append(" (truncated: more rows were not read)");
        }

        text.Append(masked["committed"]?.GetValue<bool>() == true ? ", committed" : ", nothing committed");
        text.Append(" in ").Append(masked["durationMs"]?.ToJsonString()).Append(" ms");
        if (masked["columns"] is JsonArray { Count: > 0 } columns)
        {
            text.Append('\n').AppendJoin('\t', columns.Select(c => c?["name"]?.GetValue<string>()));
        }

        if (masked["rows"] is JsonArray rows)
        {
            foreach (var row in rows)
            {
                text.Append('\n').Append(row?.ToJsonString());
            }
        }

        return text.ToString();
    }
}
