using System.Collections.Immutable;
using System.Text.Json;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// Classifies a <c>run_sql</c> call: validates its arguments, parses the SQL with PostgreSQL's
/// own grammar (libpg_query), and reduces it to the one statement that is both judged and sent.
/// Empty input, a syntax error, several statements or a statement type the gateway does not
/// know make the call unparsed; statements PostgreSQL cannot run in a transaction and changes
/// of search_path are refused.
/// </summary>
internal sealed class RunSqlClassifier : IToolClassifier
{
    internal const string ConnectionArgument = "connection";
    internal const string SqlArgument = "sql";
    internal const string ParamsArgument = "params";
    internal const string MaxRowsArgument = "maxRows";

    /// <summary>Longest SQL text accepted, in characters; longer text is refused before it is parsed.</summary>
    internal const int MaxSqlLength = 256 * 1024;

    /// <summary>Most parameters the PostgreSQL protocol binds.</summary>
    internal const int MaxParameters = 65535;

    private const string Example = "{\"connection\": \"orders\", \"sql\": \"SELECT id, total FROM orders WHERE customer_id = $1\", \"params\": [42]}";
    private const string SqlHelp = "give one PostgreSQL statement, like \"SELECT id FROM orders WHERE id = $1\"";

    public Classification Classify(JsonElement arguments, PolicyEnvironment environment)
    {
        var refusals = new List<Refusal>();
        if (ToolArguments.Read(RunSqlTool.Name, arguments, RunSqlTool.Arguments, Example, refusals) is not { } fields)
        {
            return Classification.Refused(RunSqlTool.Name, null, refusals[0]);
        }

        var connection = fields.RequiredString(ConnectionArgument, () => ConnectionHelp(environment));
        var target = CheckConnection(connection, environment, refusals);
        var sql = CheckSql(fields.RequiredString(SqlArgument, SqlHelp), refusals);
        var parameters = ReadParameters(fields[ParamsArgument], refusals);
        var maxRows = ReadMaxRows(fields[MaxRowsArgument], refusals);

        var facts = new FactSetBuilder();
        var unparsed = new List<string>();
        var statements = sql is null ? [] : Parse(sql, target?.SearchPath ?? PostgresTargetInfo.DefaultSearchPath, unparsed, refusals);
        SetFacts(statements, facts);
        facts.Set(CommonFacts.Unparsed, unparsed.Count > 0);
        facts.Set(CommonFacts.Complex, statements.Any(s => s.Complex));

        if (statements is [var single] && unparsed.Count == 0)
        {
            CheckParameterCount(single.HighestParameter, parameters, refusals);
        }

        var request = refusals.Count == 0 && unparsed.Count == 0 && connection is not null && sql is not null && parameters is { } values && statements is [var statement]
            ? new SqlStatementRequest(connection, sql, values, maxRows, statement.Kind, statement.Category, statement.ReadOnly)
            {
                ReferencedColumns = statement.ReferencedColumns,
                RelationsRead = statement.RelationsRead,
            }
            : null;
        return new Classification(RunSqlTool.Name, connection ?? RawConnection(fields), facts.Build(), [.. unparsed], [.. refusals], request);
    }

    private static string? RawConnection(ToolArguments fields) =>
        fields[ConnectionArgument] is { ValueKind: JsonValueKind.String } element && JsonText.TryGetString(element, out var name) ? name : null;

    private static string ConnectionHelp(PolicyEnvironment environment)
    {
        var names = string.Join(", ", environment.TargetNames(TargetKinds.Postgres));
        return names.Length == 0
            ? "give the name of a configured PostgreSQL connection (none are configured)"
            : $"give the name of a configured PostgreSQL connection ({names})";
    }

    private static PostgresTargetInfo? CheckConnection(string? connection, PolicyEnvironment environment, List<Refusal> refusals)
    {
        if (connection is null)
        {
            return null;
        }

        var target = environment.FindTarget(TargetKinds.Postgres, connection);
        if (target is not null)
        {
            return target as PostgresTargetInfo ?? new PostgresTargetInfo(target.Name);
        }

        var names = string.Join(", ", environment.TargetNames(TargetKinds.Postgres));
        refusals.Add(new Refusal(
            SqlRefusalCodes.UnknownTarget,
            names.Length == 0
                ? $"Connection '{JsonText.Display(connection)}' is not configured, and this gateway has no PostgreSQL connections configured, so run_sql cannot be used."
                : $"Connection '{JsonText.Display(connection)}' is not configured: use one of the configured PostgreSQL connections: {names}."));
        return null;
    }

    private static string? CheckSql(string? sql, List<Refusal> refusals)
    {
        if (sql is null)
        {
            return null;
        }

        if (sql.Length > MaxSqlLength)
        {
            refusals.Add(new Refusal(SqlRefusalCodes.Arguments, $"Argument 'sql' is {sql.Length:N0} characters long; the gateway accepts at most {MaxSqlLength:N0}. Send a shorter statement, and pass data as params."));
            return null;
        }

        // The parser reads up to the first NUL; PostgreSQL refuses one anyway. Refused so that
        // what is parsed is always the whole text that would be sent.
        if (sql.Contains('\0', StringComparison.Ordinal))
        {
            refusals.Add(new Refusal(SqlRefusalCodes.Arguments, "Argument 'sql' contains a NUL character (\\u0000), which PostgreSQL does not accept in a statement: remove it."));
            return null;
        }

        return sql;
    }

    private static ImmutableArray<JsonElement>? ReadParameters(JsonElement? element, List<Refusal> refusals)
    {
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            refusals.Add(new Refusal(SqlRefusalCodes.Arguments, $"Argument 'params' must be an array of values bound to $1, $2, … in order, like [42, \"open\"], not {JsonText.KindOf(value)}; or leave it out."));
            return null;
        }

        var count = value.GetArrayLength();
        if (count > MaxParameters)
        {
            refusals.Add(new Refusal(SqlRefusalCodes.Arguments, $"Argument 'params' has {count:N0} values; PostgreSQL binds at most {MaxParameters:N0}. Pass a list as one array value instead (WHERE id = ANY($1))."));
            return null;
        }

        var values = ImmutableArray.CreateBuilder<JsonElement>(count);
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            index++;
            if (!IsBindable(item, allowArray: true))
            {
                refusals.Add(new Refusal(SqlRefusalCodes.Arguments, $"Parameter ${index} is {JsonText.KindOf(item)}: give a string, number, boolean, null or an array of those; pass JSON documents as a string and cast it ($1::jsonb)."));
                return null;
            }

            values.Add(item.Clone());
        }

        return values.MoveToImmutable();
    }

    private static bool IsBindable(JsonElement value, bool allowArray) => value.ValueKind switch
    {
        JsonValueKind.String => JsonText.TryGetString(value, out _),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
        JsonValueKind.Array => allowArray && value.EnumerateArray().All(v => IsBindable(v, allowArray: false)),
        _ => false,
    };

    private static int? ReadMaxRows(JsonElement? element, List<Refusal> refusals)
    {
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var rows) && rows > 0)
        {
            return rows;
        }

        refusals.Add(new Refusal(SqlRefusalCodes.Arguments, $"Argument 'maxRows' must be a whole number of at least 1, like 100, not {JsonText.KindOf(value)}; or leave it out."));
        return null;
    }

    private static void CheckParameterCount(int highest, ImmutableArray<JsonElement>? parameters, List<Refusal> refusals)
    {
        if (parameters is not { } values || values.Length == highest)
        {
            return;
        }

        refusals.Add(new Refusal(
            SqlRefusalCodes.Arguments,
            highest > values.Length
                ? $"The statement uses ${highest} but 'params' has {values.Length} value(s): give one value for each of $1 to ${highest}, in order."
                : highest == 0
                    ? $"'params' has {values.Length} value(s) but the statement uses no parameters: refer to them as $1, $2, … or leave 'params' out."
                    : $"'params' has {values.Length} values but the statement uses only $1 to ${highest}: remove the extra values."));
    }

    private static List<SqlStatementFacts> Parse(string sql, IReadOnlyList<string> searchPath, List<string> unparsed, List<Refusal> refusals)
    {
        if (!PgQuery.IsAvailable)
        {
            refusals.Add(new Refusal(SqlRefusalCodes.ParserUnavailable, $"run_sql is unavailable: {PgQuery.LoadError} An operator must install it; nothing the call changes can fix this."));
            return [];
        }

        var outcome = PgQuery.Parse(sql);
        if (outcome.TooDeep)
        {
            unparsed.Add("The statement is nested too deeply for the gateway to check (its parse tree is more than 1,000 levels deep): simplify it.");
            return [];
        }

        if (outcome.Tree is not { } tree)
        {
            unparsed.Add($"The SQL is not valid in {PgQuery.GrammarVersion}'s grammar: {outcome.Error}{(outcome.Position > 0 ? $" (at character {outcome.Position})" : string.Empty)}. Fix the syntax; syntax newer than {PgQuery.GrammarVersion} is not accepted.");
            return [];
        }

        using (tree)
        {
            var statements = new List<SqlStatementFacts>();
            if (tree.RootElement.Has("stmts", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var raw in list.EnumerateArray())
                {
                    statements.Add(SqlStatementAnalyzer.Analyze(raw, searchPath));
                }
            }
            else
            {
                unparsed.Add("The parser returned a tree the gateway cannot read.");
            }

            Judge(statements, unparsed, refusals);
            return statements;
        }
    }

    private static void Judge(List<SqlStatementFacts> statements, List<string> unparsed, List<Refusal> refusals)
    {
        if (statements.Count == 0)
        {
            unparsed.Add($"Argument 'sql' holds no statement (only whitespace, comments or semicolons): {SqlHelp}.");
            return;
        }

        if (statements.Count > 1)
        {
            var kinds = string.Join(", ", statements.Select(s => s.Kind));
            unparsed.Add($"run_sql runs exactly one statement per call, and this SQL has {statements.Count} ({kinds}). Send each statement in its own call.");
        }

        foreach (var statement in statements)
        {
            if (statement.Unparsed is { } reason)
            {
                unparsed.Add(reason);
            }

            if (statement.Forbidden is { } forbidden)
            {
                refusals.Add(new Refusal(SqlRefusalCodes.ForbiddenStatement, forbidden));
            }

            if (statement.OutsideTransaction is { } what)
            {
                refusals.Add(new Refusal(SqlRefusalCodes.OutsideTransaction, $"{what} cannot run inside a transaction block, and run_sql runs every statement in one, so the gateway cannot run it. An administrator must run it directly."));
            }
        }
    }

    /// <summary>The names of every statement, each once; a single statement's list as it is.</summary>
    private static FactValue Union(List<SqlStatementFacts> statements, Func<SqlStatementFacts, ImmutableArray<string>> names) =>
        statements.Count == 1
            ? FactValue.Of(names(statements[0]))
            : FactValue.Of(statements.SelectMany(s => names(s)).Distinct(StringComparer.Ordinal));

    private static void SetFacts(List<SqlStatementFacts> statements, FactSetBuilder facts)
    {
        facts.Set(RunSqlTool.StatementCount, statements.Count);
        facts.Set(RunSqlTool.MultiStatement, statements.Count > 1);
        facts.Set(RunSqlTool.ReadOnly, statements.Count == 1 && statements[0].ReadOnly && statements[0].Unparsed is null);
        facts.Set(RunSqlTool.TablesRead, Union(statements, s => s.TablesRead));
        facts.Set(RunSqlTool.TablesWritten, Union(statements, s => s.TablesWritten));
        facts.Set(RunSqlTool.Functions, Union(statements, s => s.Functions));
        facts.Set(RunSqlTool.UnboundedWrite, statements.Any(s => s.UnboundedWrite));
        foreach (var statement in statements)
        {
            facts.AddElement(RunSqlTool.Statements,
            [
                KeyValuePair.Create(RunSqlTool.StatementKind, FactValue.Of(statement.Kind)),
                KeyValuePair.Create(RunSqlTool.StatementCategory, FactValue.Of(statement.Category)),
                KeyValuePair.Create(RunSqlTool.StatementReadOnly, FactValue.Of(statement.ReadOnly)),
                KeyValuePair.Create(RunSqlTool.StatementTablesRead, FactValue.Of(statement.TablesRead)),
                KeyValuePair.Create(RunSqlTool.StatementTablesWritten, FactValue.Of(statement.TablesWritten)),
                KeyValuePair.Create(RunSqlTool.StatementFunctions, FactValue.Of(statement.Functions)),
                KeyValuePair.Create(RunSqlTool.StatementUnboundedWrite, FactValue.Of(statement.UnboundedWrite)),
                KeyValuePair.Create(RunSqlTool.StatementExplain, FactValue.Of(statement.Explain)),
                KeyValuePair.Create(RunSqlTool.StatementCopyTarget, FactValue.Of(statement.CopyTarget)),
                KeyValuePair.Create(RunSqlTool.StatementSetting, FactValue.Of(statement.Setting)),
            ]);
        }
    }
}
