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
internal sealed partial class SqlStatementAnalyzer
{
    private const int MaxDepth = 1000;

    private readonly IReadOnlyList<string> _searchPath;
    private readonly NameList _read = new();
    private readonly NameList _written = new();
    private readonly NameList _functions = new();
    private readonly List<SqlRelation> _readRaw = [];
    private readonly NameList _columns = new();
    private readonly NameList _rowCandidates = new();
    private readonly NameList _relationNames = new();
    private bool _columnsUnknown;
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
            return Unknown("an empty statement") with { Unparsed = "The parser returned a statement the gateway cannot read." };
        }

        return analyzer.Statement(node, body);
    }

    private static SqlStatementFacts Unknown(string node) =>
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
            return Unknown(kindNode) with
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
            ReferencedColumns = readOnly && !explain ? ReferencedColumns() : null,
            RelationsRead = [.. _readRaw],
        };
        return facts;
    }

    /// <summary>
    /// The base columns a read-only statement may return values of, <c>schema.table.column</c>
    /// (<c>schema.table.*</c> for every column), over-approximated: every column name it mentions
    /// anywhere, under every relation it reads; null when it cannot say (a function that runs a
    /// query from text). Views are the executor's to check: it knows which relations are tables.
    /// </summary>
    private ImmutableArray<string>? ReferencedColumns()
    {
        if (_columnsUnknown)
        {
            return null;
        }

        var star = _columns.Contains("*") || _rowCandidates.Items.Any(name => _relationNames.Contains(name));
        var referenced = new List<string>();
        foreach (var relation in _readRaw)
        {
            var table = relation.Schema + "." + relation.Name;
            if (star)
            {
                referenced.Add(table + ".*");
                continue;
            }

            foreach (var column in _columns.Items)
            {
                referenced.Add(table + "." + column);
            }
        }

        return [.. referenced];
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

                if (SqlStatementKinds.Text(value, "aliasname") is { } alias)
                {
                    _relationNames.Add(alias);
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
            case "ColumnRef":
                AddColumn(body);
                break;
            case "A_Const" or "String" or "Integer" or "Float" or "Boolean" or "BitString":
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

        public IReadOnlyList<string> Items => _items;

        public bool Contains(string name) => _items.Contains(name, StringComparer.Ordinal);

        public ImmutableArray<string> ToImmutable() => [.. _items];
    }
}
