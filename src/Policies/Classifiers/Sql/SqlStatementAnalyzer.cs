using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>
/// Walks the whole parse tree of one statement (every field of every node, not only the ones
/// a statement kind is known to use) and gathers its facts. Anything it does not recognise
/// counts against <c>readOnly</c>; relations are resolved against the WITH queries in scope and
/// qualified with the connection's search path.
/// </summary>
internal sealed class SqlStatementAnalyzer
{
    private const int MaxDepth = 1000;

    private readonly IReadOnlyList<string> _searchPath;
    private readonly NameList _read = new();
    private readonly NameList _written = new();
    private readonly NameList _functions = new();
    private bool _readOnly = true;
    private bool _unbounded;
    private bool _tooDeep;
    private int _highestParameter;

    private SqlStatementAnalyzer(IReadOnlyList<string> searchPath)
    {
        _searchPath = searchPath.Count == 0 ? PostgresTargetInfo.DefaultSearchPath : searchPath;
    }

    /// <summary>The facts of one entry of the parse tree's <c>stmts</c>.</summary>
    public static SqlStatementFacts Analyze(JsonElement rawStatement, IReadOnlyList<string> searchPath)
    {
        var analyzer = new SqlStatementAnalyzer(searchPath);
        if (!rawStatement.Has("stmt", out var statement) || !TryNode(statement, out var node, out var body))
        {
            return Unknown("an empty statement", searchPath) with { Unparsed = "The parser returned a statement the gateway cannot read." };
        }

        return analyzer.Statement(node, body);
    }

    private static SqlStatementFacts Unknown(string node, IReadOnlyList<string> searchPath) =>
        new(SqlStatementKinds.Unknown, SqlCategories.Unknown, false, [], [], [], false, false, string.Empty, string.Empty, false, 0, node);

    private SqlStatementFacts Statement(string node, JsonElement body)
    {
        var explain = false;
        string? explainedNode = null;
        var kindNode = node;
        var kindBody = body;
        if (node == "ExplainStmt" && body.Has("query", out var explained) && TryNode(explained, out var innerNode, out var innerBody))
        {
            explain = true;
            explainedNode = innerNode;
            if (IsAnalyze(body))
            {
                // EXPLAIN ANALYZE runs the statement: it is judged as that statement.
                kindNode = innerNode;
                kindBody = innerBody;
            }
        }

        if (SqlStatementKinds.Of(kindNode, kindBody) is not var (kind, category))
        {
            return Unknown(kindNode, _searchPath) with
            {
                Unparsed = $"The statement type '{kindNode}' is not one the gateway knows, so no rule can judge it; rewrite it with statements of PostgreSQL 15.",
            };
        }

        // Relations a statement names outside any query are written (created, altered, dropped,
        // truncated, locked, granted on); SELECT and the DML nodes say for themselves.
        if (node == "CopyStmt")
        {
            Copy(body);
        }
        else
        {
            VisitNode(node, body, new Context(null, Writing: true), 0);
        }

        var readOnly = _readOnly && category == SqlCategories.Query && !_tooDeep;
        var facts = new SqlStatementFacts(
            kind,
            category,
            readOnly,
            _read.ToImmutable(),
            _written.ToImmutable(),
            _functions.ToImmutable(),
            _unbounded,
            explain,
            node == "CopyStmt" ? CopyTarget(body) : string.Empty,
            SqlStatementKinds.SettingOf(node, body),
            node is "DoStmt" or "ExecuteStmt" || explainedNode is "ExecuteStmt",
            _highestParameter,
            node)
        {
            OutsideTransaction = SqlTransactionRules.OutsideTransaction(node, body),
            Forbidden = SqlTransactionRules.Forbidden(node, body),
            Unparsed = _tooDeep ? "The statement is nested too deeply for the gateway to check; simplify it." : null,
        };
        return facts;
    }

    private static bool IsAnalyze(JsonElement explain)
    {
        if (!explain.Has("options", out var options) || options.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var option in options.EnumerateArray())
        {
            // Any ANALYZE option counts, even "ANALYZE false": judged as run is the safe reading.
            if (option.Has("DefElem", out var element) && SqlStatementKinds.Text(element, "defname") == "analyze")
            {
                return true;
            }
        }

        return false;
    }

    private void Copy(JsonElement body)
    {
        _readOnly = false;
        if (body.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var context = new Context(null, false);
        foreach (var property in body.EnumerateObject())
        {
            if (NameOf(property).SequenceEqual("relation"u8))
            {
                AddRelation(property.Value, context with { Writing = SqlStatementKinds.Flag(body, "is_from") }, ignoreWith: true);
            }
            else
            {
                Member(property, context, 1);
            }
        }
    }

    private static string CopyTarget(JsonElement body) =>
        SqlStatementKinds.Flag(body, "is_program") ? "program"
        : SqlStatementKinds.Text(body, "filename") is not null ? "file"
        : "stdio";

    private void Walk(JsonElement value, Context context, int depth)
    {
        if (depth > MaxDepth)
        {
            _tooDeep = true;
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, context, depth + 1);
                }

                break;
            case JsonValueKind.Object:
                if (value.Has("relname", out _))
                {
                    AddRelation(value, context, ignoreWith: false);
                }

                foreach (var property in value.EnumerateObject())
                {
                    Member(property, context, depth + 1);
                }

                break;
        }
    }

    /// <summary>A member of a tree object: a node (its name starts upper case) or a field.</summary>
    private void Member(JsonProperty property, Context context, int depth)
    {
        var name = NameOf(property);
        if (name.Length > 0 && name[0] is >= (byte)'A' and <= (byte)'Z')
        {
            VisitNode(SqlNodeNames.Of(name), property.Value, context, depth);
        }
        else
        {
            VisitField(name, property.Value, context, depth);
        }
    }

    private void VisitField(ReadOnlySpan<byte> name, JsonElement value, Context context, int depth)
    {
        if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return;
        }

        if (name.SequenceEqual("intoClause"u8))
        {
            // SELECT … INTO creates a table.
            _readOnly = false;
            Walk(value, context with { Writing = true }, depth);
        }
        else if (name.SequenceEqual("lockingClause"u8))
        {
            // FOR UPDATE/SHARE locks rows; its relation names are aliases of the FROM list.
            _readOnly = false;
        }
        else
        {
            if (name.SequenceEqual("typeName"u8))
            {
                CheckType(value);
            }

            Walk(value, context, depth);
        }
    }

    private void VisitNode(string node, JsonElement body, Context context, int depth)
    {
        if (depth > MaxDepth)
        {
            _tooDeep = true;
            return;
        }

        if (!SqlReadAllowList.Nodes.Contains(node))
        {
            _readOnly = false;
        }

        switch (node)
        {
            case "SelectStmt":
                Query(body, context with { Writing = false }, depth);
                break;
            case "InsertStmt" or "UpdateStmt" or "DeleteStmt" or "MergeStmt":
                Modify(node, body, context with { Writing = false }, depth);
                break;
            case "FuncCall":
                AddFunction(body, "funcname");
                WalkExcept(body, "funcname"u8, context, depth);
                break;
            case "CallStmt":
                if (body.Has("funccall", out var call))
                {
                    AddFunction(call, "funcname");
                    WalkExcept(call, "funcname"u8, context, depth);
                }

                break;
            case "RangeTableSample":
                AddFunction(body, "method");
                WalkExcept(body, "method"u8, context, depth);
                break;
            case "A_Expr":
                CheckOperator(body, "name");
                WalkExcept(body, "name"u8, context, depth);
                break;
            case "SubLink":
                // x op ANY (SELECT …) names its operator in operName.
                if (body.Has("operName"))
                {
                    CheckOperator(body, "operName");
                }

                WalkExcept(body, "operName"u8, context, depth);
                break;
            case "SortBy":
                // ORDER BY x USING op.
                if (body.Has("useOp"))
                {
                    CheckOperator(body, "useOp");
                }

                WalkExcept(body, "useOp"u8, context, depth);
                break;
            case "ParamRef":
                if (body.Has("number", out var number) && number.TryGetInt32(out var n))
                {
                    _highestParameter = Math.Max(_highestParameter, n);
                }

                break;
            case "DropStmt":
                DropObjects(body);
                Walk(body, context, depth);
                break;
            case "ColumnRef" or "A_Const" or "String" or "Integer" or "Float" or "Boolean" or "BitString":
                break;
            default:
                Walk(body, context, depth);
                break;
        }
    }

    private void WalkExcept(JsonElement body, ReadOnlySpan<byte> skipped, Context context, int depth)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!NameOf(property).SequenceEqual(skipped))
            {
                Member(property, context, depth + 1);
            }
        }
    }

    /// <summary>A SELECT (also VALUES and set operations): its WITH queries first, then the rest with their names in scope.</summary>
    private void Query(JsonElement body, Context context, int depth)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var inner = With(body, context, depth);
        foreach (var property in body.EnumerateObject())
        {
            if (!NameOf(property).SequenceEqual("withClause"u8))
            {
                Member(property, inner, depth + 1);
            }
        }
    }

    /// <summary>INSERT, UPDATE, DELETE, MERGE: the target is written (and read when rows come back or are matched).</summary>
    private void Modify(string node, JsonElement body, Context context, int depth)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var inner = With(body, context, depth);
        if (body.Has("relation", out var target))
        {
            var readsTarget = node != "InsertStmt" || body.Has("returningList", out _) || body.Has("onConflictClause", out _);
            AddRelation(target, inner with { Writing = true }, ignoreWith: true);
            if (readsTarget)
            {
                AddRelation(target, inner with { Writing = false }, ignoreWith: true);
            }
        }

        if (node is "UpdateStmt" or "DeleteStmt" && IsUnbounded(body))
        {
            _unbounded = true;
        }

        foreach (var property in body.EnumerateObject())
        {
            var name = NameOf(property);
            if (!name.SequenceEqual("withClause"u8) && !name.SequenceEqual("relation"u8))
            {
                Member(property, inner, depth + 1);
            }
        }
    }

    /// <summary>
    /// Visits the WITH queries of <paramref name="body"/> and returns the context of the
    /// statement they belong to. Each query sees the names before it (all of them under
    /// RECURSIVE), as PostgreSQL resolves them.
    /// </summary>
    private Context With(JsonElement body, Context context, int depth)
    {
        if (!body.Has("withClause", out var with) || !with.Has("ctes", out var ctes) || ctes.ValueKind != JsonValueKind.Array)
        {
            return context;
        }

        var recursive = SqlStatementKinds.Flag(with, "recursive");
        var names = new List<string>();
        foreach (var item in ctes.EnumerateArray())
        {
            if (item.Has("CommonTableExpr", out var cte) && SqlStatementKinds.Text(cte, "ctename") is { } name)
            {
                names.Add(name);
            }
        }

        var all = new Context(new Scope(names.ToArray(), context.Scope), context.Writing);
        var index = 0;
        foreach (var item in ctes.EnumerateArray())
        {
            var visible = recursive ? all : new Context(new Scope(names.Take(index).ToArray(), context.Scope), context.Writing);
            if (item.Has("CommonTableExpr", out var cte))
            {
                WalkExcept(cte, "ctename"u8, visible with { Writing = false }, depth + 1);
            }
            else
            {
                Walk(item, visible, depth + 1);
            }

            index++;
        }

        return all;
    }

    private static bool IsUnbounded(JsonElement body) =>
        !body.Has("whereClause", out var where) || RowIndependent(where);

    /// <summary>
    /// Whether a condition lets every row through whatever the row holds: it reads no column,
    /// compares an expression with itself, or is an OR with such a branch (an AND needs every
    /// branch to be one).
    /// </summary>
    private static bool RowIndependent(JsonElement condition)
    {
        if (condition.Has("BoolExpr", out var boolean) && boolean.Has("args", out var args) && args.ValueKind == JsonValueKind.Array)
        {
            var op = SqlStatementKinds.Text(boolean, "boolop");
            if (op == "OR_EXPR")
            {
                return args.EnumerateArray().Any(RowIndependent);
            }

            if (op == "AND_EXPR")
            {
                return args.EnumerateArray().All(RowIndependent);
            }
        }

        if (condition.Has("A_Expr", out var expression)
            && SqlNames.Strings(expression.Has("name", out var name) ? name : default) is ["="] or [SqlNames.Catalog, "="]
            && expression.Has("lexpr", out var left) && expression.Has("rexpr", out var right)
            && WithoutLocations(left) == WithoutLocations(right))
        {
            return true;
        }

        return !Mentions(condition, "ColumnRef");
    }

    private static bool Mentions(JsonElement value, string node)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (property.Name == node || Mentions(property.Value, node))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (Mentions(item, node))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static string WithoutLocations(JsonElement value)
    {
        var writer = new System.Text.StringBuilder();
        Append(value, writer);
        return writer.ToString();

        static void Append(JsonElement value, System.Text.StringBuilder writer)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.Append('{');
                    foreach (var property in value.EnumerateObject())
                    {
                        if (property.Name != "location")
                        {
                            writer.Append(property.Name).Append(':');
                            Append(property.Value, writer);
                            writer.Append(',');
                        }
                    }

                    writer.Append('}');
                    break;
                case JsonValueKind.Array:
                    writer.Append('[');
                    foreach (var item in value.EnumerateArray())
                    {
                        Append(item, writer);
                        writer.Append(',');
                    }

                    writer.Append(']');
                    break;
                default:
                    writer.Append(value.GetRawText());
                    break;
            }
        }
    }

    private void AddRelation(JsonElement relation, Context context, bool ignoreWith)
    {
        if (relation.Has("RangeVar", out var wrapped))
        {
            relation = wrapped;
        }

        if (SqlStatementKinds.Text(relation, "relname") is { } name)
        {
            var temporary = SqlStatementKinds.Text(relation, "relpersistence") == "t";
            AddRelation(SqlStatementKinds.Text(relation, "schemaname"), name, temporary, context, ignoreWith);
        }
    }

    private void AddRelation(string? schema, string name, bool temporary, Context context, bool ignoreWith)
    {
        var target = context.Writing ? _written : _read;
        if (schema is not null)
        {
            target.Add(SqlNames.Part(schema) + "." + SqlNames.Part(name));
            return;
        }

        if (!ignoreWith && context.Scope?.Contains(name) == true)
        {
            return;
        }

        if (temporary)
        {
            target.Add("pg_temp." + SqlNames.Part(name));
            return;
        }

        // An unqualified name may be in any schema of the search path; pg_catalog is searched
        // first, and every relation there starts with pg_.
        if (name.StartsWith("pg_", StringComparison.Ordinal))
        {
            target.Add(SqlNames.Catalog + "." + SqlNames.Part(name));
        }

        foreach (var path in _searchPath)
        {
            target.Add(SqlNames.Part(path) + "." + SqlNames.Part(name));
        }
    }

    /// <summary>DROP TABLE/VIEW/INDEX/SEQUENCE/… names the relations it drops as lists of strings.</summary>
    private void DropObjects(JsonElement body)
    {
        if (SqlStatementKinds.Text(body, "removeType") is not ("OBJECT_TABLE" or "OBJECT_VIEW" or "OBJECT_MATVIEW" or "OBJECT_INDEX" or "OBJECT_SEQUENCE" or "OBJECT_FOREIGN_TABLE")
            || !body.Has("objects", out var objects) || objects.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var item in objects.EnumerateArray())
        {
            if (item.Has("List", out var list) && list.Has("items", out var items) && SqlNames.Strings(items) is { Count: > 0 } parts)
            {
                AddRelation(parts.Count == 1 ? null : parts[^2], parts[^1], temporary: false, new Context(null, Writing: true), ignoreWith: true);
            }
        }
    }

    private void AddFunction(JsonElement call, string field)
    {
        if (!call.Has(field, out var nameList) || SqlNames.Strings(nameList) is not { Count: > 0 } parts)
        {
            _readOnly = false;
            return;
        }

        var name = SqlNames.WithoutCatalog(parts);
        _functions.Add(SqlNames.Join(name));
        if (name.Count != 1 || !SqlReadAllowList.Functions.Contains(name[0]))
        {
            _readOnly = false;
        }
    }

    private void CheckOperator(JsonElement expression, string field)
    {
        if (!expression.Has(field, out var nameList) || SqlNames.Strings(nameList) is not { Count: > 0 } parts)
        {
            _readOnly = false;
            return;
        }

        var name = SqlNames.WithoutCatalog(parts);
        if (name.Count != 1 || !SqlReadAllowList.Operators.Contains(name[0]))
        {
            _readOnly = false;
        }
    }

    private void CheckType(JsonElement typeName)
    {
        if (!typeName.Has("names", out var nameList) || SqlNames.Strings(nameList) is not { Count: > 0 } parts)
        {
            _readOnly = false;
            return;
        }

        var builtIn = parts.Count == 2 && parts[0] == SqlNames.Catalog
            || parts.Count == 1 && SqlReadAllowList.Types.Contains(parts[0]);
        if (!builtIn)
        {
            _readOnly = false;
        }
    }

    /// <summary>A member's name as it is in the tree (node and field names need no unescaping).</summary>
    private static ReadOnlySpan<byte> NameOf(JsonProperty property) => JsonMarshal.GetRawUtf8PropertyName(property);

    /// <summary>Node names start with an upper-case letter (<c>SelectStmt</c>, <c>A_Expr</c>); field names do not.</summary>
    private static bool IsNodeName(string name) => name.Length > 0 && char.IsAsciiLetterUpper(name[0]);

    private static bool TryNode(JsonElement wrapper, out string node, out JsonElement body)
    {
        if (wrapper.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in wrapper.EnumerateObject())
            {
                if (IsNodeName(property.Name))
                {
                    node = property.Name;
                    body = property.Value;
                    return true;
                }
            }
        }

        node = string.Empty;
        body = default;
        return false;
    }

    /// <summary>The WITH query names visible at a point of the tree.</summary>
    private sealed class Scope(string[] names, Scope? parent)
    {
        public bool Contains(string name) => Array.IndexOf(names, name) >= 0 || parent?.Contains(name) == true;
    }

    private readonly record struct Context(Scope? Scope, bool Writing);

    /// <summary>Names in the order first seen, each once (a statement names few, so a list is searched).</summary>
    private sealed class NameList
    {
        private readonly List<string> _items = [];

        public void Add(string name)
        {
            if (!_items.Contains(name, StringComparer.Ordinal))
            {
                _items.Add(name);
            }
        }

        public ImmutableArray<string> ToImmutable() => [.. _items];
    }
}
