using System.Text.Json;
using McpGateway.Policies.Classifiers.Sql;

namespace McpGateway.Tools.RunSql;

/// <summary>The <c>run_sql</c> tool as MCP clients see it.</summary>
internal static class RunSqlDeclaration
{
    private static readonly JsonElement Input = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "connection": { "type": "string", "description": "Name of a registered PostgreSQL connection." },
            "sql": { "type": "string", "description": "Exactly one PostgreSQL 15 statement, for example SELECT id, total FROM orders WHERE customer_id = $1. Refer to values as $1, $2, … and pass them in params; never paste values into the SQL." },
            "params": {
              "type": "array",
              "description": "Values bound to $1, $2, … in order: strings, numbers, booleans, null, or arrays of those (for = ANY($1)). PostgreSQL reads each as the type its place needs; cast where it cannot tell ($1::date).",
              "items": { "type": ["string", "number", "boolean", "null", "array"] }
            },
            "maxRows": { "type": "integer", "minimum": 1, "description": "Return at most this many rows (the policy may allow fewer)." }
          },
          "required": ["connection", "sql"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private static readonly JsonElement Output = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "callId": { "type": "string", "description": "The gateway's id for this call, as recorded in its audit log." },
            "command": { "type": "string", "description": "What ran: SELECT, INSERT, UPDATE, DELETE, MERGE or OTHER." },
            "columns": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "name": { "type": "string" },
                  "type": { "type": "string", "description": "PostgreSQL type, for example int4, text, numeric, timestamptz, jsonb; arrays end in []." },
                  "source": { "type": "string", "description": "schema.table.column the value comes from, when it is a table's column." }
                },
                "required": ["name", "type"]
              }
            },
            "rows": { "type": "array", "description": "One array of values per row, in column order. Numbers that JSON would round are strings; times are ISO 8601; bytea is base64; json and jsonb are JSON.", "items": { "type": "array" } },
            "rowCount": { "type": "integer", "description": "Rows returned here." },
            "rowsAffected": { "type": ["integer", "null"], "description": "Rows inserted, updated, deleted or merged; null for other statements." },
            "truncated": { "type": "boolean", "description": "True when more rows existed than the row or size limit allows; those were not read." },
            "readOnly": { "type": "boolean", "description": "The statement ran in a READ ONLY transaction." },
            "committed": { "type": "boolean", "description": "The statement's transaction was committed (false for read-only runs, which are rolled back)." },
            "durationMs": { "type": "integer" }
          },
          "required": ["callId", "command", "columns", "rows", "rowCount", "rowsAffected", "truncated", "readOnly", "committed", "durationMs"]
        }
        """).RootElement.Clone();

    public static ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => new(
        RunSqlTool.Name,
        "Run one SQL statement on PostgreSQL",
        $"""
        Run exactly one SQL statement on a registered PostgreSQL database. The gateway connects with its own credentials.
        Connections you may use: {string.Join(", ", usableTargets)}.
        Send one statement per call (no ';'-separated scripts, no BEGIN/COMMIT: each call is its own transaction). Pass values as params bound to $1, $2, … rather than writing them into the SQL. The grammar is PostgreSQL 15's: newer syntax is refused. Unqualified table names resolve through the connection's search path (usually public); SET search_path is refused, so qualify names (sales.orders) instead.
        Each call is checked against policy by what the statement really does: it may be refused with a reason, run in a READ ONLY transaction, or need an operator's approval. Results are capped (see `truncated`): select only the columns and rows you need, with WHERE and LIMIT. A PostgreSQL error is returned with its SQLSTATE so you can fix the statement. The result carries a `callId`.
        """,
        Input,
        Output,
        ReadOnly: false,
        Destructive: true,
        Idempotent: false,
        OpenWorld: false);
}
