using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>The relations, functions, operators and types a statement names.</summary>
internal sealed partial class SqlStatementAnalyzer
{
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
        _relationNames.Add(name);
        if (schema is not null)
        {
            AddRelation(schema, name, context);
            return;
        }

        if (!ignoreWith && context.Scope?.Contains(name) == true)
        {
            return;
        }

        if (temporary)
        {
            AddRelation("pg_temp", name, context);
            return;
        }

        // An unqualified name may be in any schema of the search path; pg_catalog is searched
        // first, and every relation there starts with pg_.
        if (name.StartsWith("pg_", StringComparison.Ordinal))
        {
            AddRelation(SqlNames.Catalog, name, context);
        }

        foreach (var path in _searchPath)
        {
            AddRelation(path, name, context);
        }
    }

    private void AddRelation(string schema, string name, Context context)
    {
        (context.Writing ? _written : _read).Add(SqlNames.Part(schema) + "." + SqlNames.Part(name));
        if (!context.Writing)
        {
            if (!_readRaw.Contains(new SqlRelation(schema, name)))
            {
                _readRaw.Add(new SqlRelation(schema, name));
            }
        }
    }

    /// <summary>
    /// A column reference: its column name (<c>*</c> for <c>t.*</c>), and a one-part name that may
    /// be a whole-row reference (<c>SELECT c FROM customers c</c>), settled once every relation
    /// name of the statement is known.
    /// </summary>
    private void AddColumn(JsonElement body)
    {
        if (!body.Has("fields", out var fields) || SqlNames.Strings(fields) is not { Count: > 0 } parts)
        {
            _columnsUnknown = true;
            return;
        }

        _columns.Add(parts[^1]);
        if (parts.Count == 1)
        {
            _rowCandidates.Add(parts[0]);
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

        if (name.Count == 1 && SqlReadAllowList.RunsQueries.Contains(name[0]))
        {
            _columnsUnknown = true;
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
}
