using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Turns what PostgreSQL and Npgsql report into messages a model can act on. A PostgreSQL error
/// keeps its SQLSTATE, condition, message, hint and position; its DETAIL and WHERE lines, which
/// often quote row values, are left out (the message is masked like any result as well).
/// </summary>
internal static class SqlErrors
{
    public static ToolCallException FromPostgres(PostgresException ex, string connection, string outcome)
    {
        var text = new StringBuilder();
        text.Append(Condition(ex.SqlState)).Append(' ').Append(ex.MessageText.TrimEnd('.')).Append('.');
        if (ex.Position > 0)
        {
            text.Append(" At character ").Append(ex.Position).Append(" of the statement.");
        }

        if (!string.IsNullOrEmpty(ex.Hint))
        {
            text.Append(" Hint: ").Append(ex.Hint.TrimEnd('.')).Append('.');
        }

        if (ex.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            text.Append(" The gateway ran the statement in a READ ONLY transaction (the policy or the statement's own facts say it only reads), so it may not write.");
        }

        return new ToolCallException($"PostgreSQL on '{connection}' refused the statement: {text} {outcome}", ex) { Detail = Detail(ex) };
    }

    /// <summary>What a client can branch on without reading the message: the SQLSTATE, its condition and the position.</summary>
    private static JsonObject Detail(PostgresException ex)
    {
        var detail = new JsonObject { ["sqlState"] = ex.SqlState };
        if (ConditionNames.TryGetValue(ex.SqlState, out var name))
        {
            detail["condition"] = name;
        }

        if (ex.Position > 0)
        {
            detail["position"] = ex.Position;
        }

        return detail;
    }

    /// <summary>The SQLSTATE with its condition name, as PostgreSQL's documentation lists it: <c>SQLSTATE 42P01 (undefined_table)</c>.</summary>
    private static string Condition(string sqlState) =>
        ConditionNames.TryGetValue(sqlState, out var name) ? $"SQLSTATE {sqlState} ({name}):" : $"SQLSTATE {sqlState}:";

    /// <summary>A connection that could not be opened, or broke: never the password, and what to do.</summary>
    public static ToolCallException FromConnection(Exception ex, string connection, string outcome)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresConnectionRefusedException refused)
            {
                return new ToolCallException(refused.Message + " " + outcome, ex);
            }

            if (inner is PostgresException postgres)
            {
                return postgres.SqlState switch
                {
                    PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                        new ToolCallException($"PostgreSQL on '{connection}' refused the gateway's credentials (SQLSTATE {postgres.SqlState}). An operator must fix the connection's username or password. {outcome}", ex) { Detail = Detail(postgres) },
                    _ => FromPostgres(postgres, connection, outcome),
                };
            }
        }

        var why = ex switch
        {
            NpgsqlException { InnerException: System.Net.Sockets.SocketException socket } => socket.SocketErrorCode.ToString(),
            NpgsqlException { InnerException: TimeoutException } => "the connection attempt timed out",
            NpgsqlException { InnerException: System.Security.Authentication.AuthenticationException } => "the TLS handshake failed",
            _ => ex.GetType().Name,
        };
        return new ToolCallException($"PostgreSQL connection '{connection}' could not be used ({why}). Retry later; if it persists, an operator must check the server. {outcome}", ex);
    }

    private static readonly Dictionary<string, string> ConditionNames = new(StringComparer.Ordinal)
    {
        ["0A000"] = "feature_not_supported",
        ["21000"] = "cardinality_violation",
        ["22001"] = "string_data_right_truncation",
        ["22003"] = "numeric_value_out_of_range",
        ["22007"] = "invalid_datetime_format",
        ["22008"] = "datetime_field_overflow",
        ["22012"] = "division_by_zero",
        ["22023"] = "invalid_parameter_value",
        ["22P02"] = "invalid_text_representation",
        ["23502"] = "not_null_violation",
        ["23503"] = "foreign_key_violation",
        ["23505"] = "unique_violation",
        ["23514"] = "check_violation",
        ["25001"] = "active_sql_transaction",
        ["25006"] = "read_only_sql_transaction",
        ["28000"] = "invalid_authorization_specification",
        ["28P01"] = "invalid_password",
        ["40001"] = "serialization_failure",
        ["40P01"] = "deadlock_detected",
        ["42501"] = "insufficient_privilege",
        ["42601"] = "syntax_error",
        ["42703"] = "undefined_column",
        ["42704"] = "undefined_object",
        ["42710"] = "duplicate_object",
        ["42723"] = "duplicate_function",
        ["42725"] = "ambiguous_function",
        ["42803"] = "grouping_error",
        ["42804"] = "datatype_mismatch",
        ["42830"] = "invalid_foreign_key",
        ["42883"] = "undefined_function",
        ["42P01"] = "undefined_table",
        ["42P02"] = "undefined_parameter",
        ["42P07"] = "duplicate_table",
        ["42P18"] = "indeterminate_datatype",
        ["55P03"] = "lock_not_available",
        ["57014"] = "query_canceled",
    };
}
