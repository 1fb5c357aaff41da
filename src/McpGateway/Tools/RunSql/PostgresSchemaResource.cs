using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Hosting.Mcp;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;
using McpGateway.Runtime;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// <c>mcpgw://postgres/{connection}/schema</c>: the schemas, tables and columns of a connection
/// that the caller's policies let it read, so a model can write SQL that fits. Reading it is a
/// <c>run_sql</c> call the gateway makes on the caller's behalf — one catalog statement, read-only,
/// through the whole pipeline (limits, <c>call.started</c>, execution, masking,
/// <c>call.finished</c>), allowed for any caller who may use <c>run_sql</c> on that connection
/// at all — and each table is then kept only when the caller's policies allow (or would ask
/// approval for) <c>SELECT * FROM</c> it.
/// </summary>
internal sealed class PostgresSchemaResource(GatewayRuntime runtime, ToolCallPipeline pipeline) : IGatewayResources
{
    public const string Prefix = "mcpgw://postgres/";
    public const string Suffix = "/schema";
    public const string Rule = "gateway:postgres-schema";

    /// <summary>At most this many tables are listed (the result says when there are more).</summary>
    public const int MaxTables = 1000;

    private const string CatalogQuery = """
        SELECT n.nspname AS schema, c.relname AS name,
               CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind,
               (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'nullable', NOT a.attnotnull) ORDER BY a.attnum)
                  FROM pg_catalog.pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
          AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
        ORDER BY 1, 2
        """;

    public IEnumerable<ResourceTemplate> Templates(CallerInfo caller)
    {
        var connections = Connections(caller);
        return connections.Count == 0
            ? []
            : [new ResourceTemplate
            {
                UriTemplate = Prefix + "{connection}" + Suffix,
                Name = "postgres-schema",
                Title = "PostgreSQL schema",
                Description = "The schemas, tables and columns of a run_sql connection that your policies let you read (JSON). Connections: " + string.Join(", ", connections) + ".",
                MimeType = "application/json",
            }];
    }

    public IEnumerable<Resource> List(CallerInfo caller) =>
        Connections(caller).Select(connection => new Resource
        {
            Uri = Prefix + connection + Suffix,
            Name = connection + "-schema",
            Title = $"Schema of '{connection}'",
            Description = $"The schemas, tables and columns of run_sql connection '{connection}' that your policies let you read.",
            MimeType = "application/json",
        });

    public bool Handles(string uri) => uri.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<ReadResourceResult> ReadAsync(CallerInfo caller, string uri, CancellationToken cancellationToken)
    {
        var usable = Connections(caller);
        var connection = uri.EndsWith(Suffix, StringComparison.Ordinal) && uri.Length > Prefix.Length + Suffix.Length
            ? Uri.UnescapeDataString(uri[Prefix.Length..^Suffix.Length])
            : null;
        if (connection is null || !usable.Contains(connection, StringComparer.Ordinal))
        {
            throw new McpProtocolException(
                $"There is no resource '{Policies.Text.PrintableText.Escape(uri, 200)}' for you. Read {Prefix}<connection>{Suffix} with one of your run_sql connections: {(usable.Count == 0 ? "none" : string.Join(", ", usable))}.",
                McpErrorCode.ResourceNotFound);
        }

        var arguments = JsonSerializer.SerializeToElement(new JsonObject { ["connection"] = connection, ["sql"] = CatalogQuery, ["maxRows"] = MaxTables });
        var outcome = await pipeline.RunAsync(new ToolCallRequest(caller, RunSqlTool.Name, arguments) { GatewayDecision = AllowCatalogRead }, cancellationToken).ConfigureAwait(false);
        if (outcome.IsError || outcome.Structured is not { } result)
        {
            throw new McpException($"The schema of '{connection}' could not be read: {outcome.Text}");
        }

        var schema = Filter(caller, connection, result);
        return new ReadResourceResult
        {
            Contents = [new TextResourceContents { Uri = uri, MimeType = "application/json", Text = schema.ToJsonString() }],
            Meta = new JsonObject { [GatewayMcpServer.CallIdMeta] = outcome.CallId },
        };
    }

    private IReadOnlyList<string> Connections(CallerInfo caller) => runtime.Engine.UsableTargets(caller.Identity, RunSqlTool.Name);

    /// <summary>
    /// The decision on the gateway's own catalog statement: allowed, read-only, when the caller
    /// may use run_sql on the connection at all and the statement was fully understood; the
    /// policy's deny otherwise.
    /// </summary>
    private PolicyDecision AllowCatalogRead(PolicyDecision decided)
    {
        if (decided.Classification is not { Request: SqlStatementRequest request, Refusals.IsEmpty: true, UnparsedReasons.IsEmpty: true }
            || !runtime.Engine.UsableTargets(decided.Identity, RunSqlTool.Name).Contains(request.Connection, StringComparer.Ordinal))
        {
            return decided;
        }

        return decided with
        {
            Effect = PolicyEffect.Allow,
            MatchedRules = [Rule],
            Reasons = [$"The gateway reads the catalog of '{request.Connection}' for {PrintableName(decided.Identity)}, who may use run_sql on it; tables are listed only where the caller's policies allow reading them."],
            Obligations = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, ObligationValue>(RunSqlTool.ReadOnlyObligation, new ObligationValue(ObligationKind.Flag, Flag: true))]),
            Approvals = [],
        };
    }

    /// <summary>The catalog's tables that the caller may read, grouped by schema.</summary>
    private JsonObject Filter(CallerInfo caller, string connection, JsonObject result)
    {
        var engine = runtime.Engine;
        var schemas = new JsonObject();
        foreach (var row in result["rows"] as JsonArray ?? [])
        {
            if (row is not JsonArray { Count: 4 } cells || cells[0]?.GetValue<string>() is not { } schemaName || cells[1]?.GetValue<string>() is not { } table)
            {
                continue;
            }

            var probe = JsonSerializer.SerializeToElement(new JsonObject { ["connection"] = connection, ["sql"] = $"SELECT * FROM {Quote(schemaName)}.{Quote(table)}" });
            var decision = engine.Evaluate(caller.Identity, RunSqlTool.Name, probe);
            if (decision.Effect == PolicyEffect.Deny)
            {
                continue;
            }

            if (schemas[schemaName] is not JsonObject tables)
            {
                schemas[schemaName] = tables = new JsonObject();
            }

            tables[table] = new JsonObject
            {
                ["kind"] = cells[2]?.DeepClone(),
                ["access"] = decision.Effect == PolicyEffect.Allow ? "read" : "approval",
                ["columns"] = cells[3] is JsonValue text && text.TryGetValue<string>(out var json) ? JsonNode.Parse(json) : cells[3]?.DeepClone(),
            };
        }

        var options = runtime.Current.Configuration.Target<PostgresTargetOptions>(TargetKinds.Postgres, connection);
        return new JsonObject
        {
            ["connection"] = connection,
            ["searchPath"] = new JsonArray([.. (options?.SearchPath ?? []).Select(p => JsonValue.Create(p))]),
            ["schemas"] = schemas,
            ["truncated"] = result["truncated"]?.DeepClone() ?? false,
            ["note"] = "Tables are listed where your policies allow reading them (access 'read') or would ask an operator's approval ('approval'); what a statement may do is still decided per call.",
        };
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string PrintableName(string identity) => Policies.Text.PrintableText.Escape(identity, 64);
}
