using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>Queries, writes and COPY: which relations they read and write, and the WITH names they see.</summary>
internal sealed partial class SqlStatementAnalyzer
{
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
                _relationNames.Add(name);
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
}
