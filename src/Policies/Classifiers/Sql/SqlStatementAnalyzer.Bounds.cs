using System.Text;
using System.Text.Json;

namespace McpGateway.Policies.Classifiers.Sql;

/// <summary>Whether an UPDATE or DELETE is bounded by its WHERE.</summary>
internal sealed partial class SqlStatementAnalyzer
{
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
        var writer = new StringBuilder();
        Append(value, writer);
        return writer.ToString();

        static void Append(JsonElement value, StringBuilder writer)
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
}
