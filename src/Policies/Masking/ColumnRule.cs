using McpGateway.Policies.Model;

namespace McpGateway.Policies.Masking;

/// <summary>
/// A rule for table columns: by output name (a glob, without case), by base column (<c>table.column</c> or
/// <c>schema.table.column</c>, each part a glob, without case, matched from the right so <c>users.email</c>
/// matches <c>public.users.email</c>), or both (either matches).
/// </summary>
internal sealed class ColumnRule
{
    private readonly Glob? _name;
    private readonly Glob[]? _column;

    public ColumnRule(string? name, string? column, MaskStrategy strategy)
    {
        _name = string.IsNullOrEmpty(name) ? null : Glob.Compile(name);
        _column = string.IsNullOrEmpty(column) ? null : [.. column.Split('.').Select(part => Glob.Compile(part))];
        Strategy = strategy;
        Description = "column:" + (column ?? name);
    }

    public MaskStrategy Strategy { get; }

    /// <summary>How reports name the rule (<c>column:users.email</c>).</summary>
    public string Description { get; }

    /// <summary>Whether the output column <paramref name="column"/> is ruled, by its name or its known base column.</summary>
    public bool Matches(MaskingColumn column) =>
        (_name is not null && _name.IsMatch(column.Name, ignoreCase: true))
        || (column.Source is { } source && MatchesBase(source));

    /// <summary>Whether the statement's reading of <paramref name="referenced"/> reaches the ruled column.</summary>
    public bool IsReferenced(ReferencedColumns referenced) => referenced.IsUnknown || referenced.Columns.Any(MatchesBase);

    private bool MatchesBase(string baseColumn)
    {
        var parts = baseColumn.Split('.');

        // schema.table.* is every column of the table: any rule by name, and a rule by base column when the table matches.
        var every = parts[^1] == "*";
        if (_name is not null && (every || _name.IsMatch(parts[^1], ignoreCase: true)))
        {
            return true;
        }

        if (_column is null)
        {
            return false;
        }

        var n = Math.Min(parts.Length, _column.Length);
        for (var i = every ? 2 : 1; i <= n; i++)
        {
            if (!_column[^i].IsMatch(parts[^i], ignoreCase: true))
            {
                return false;
            }
        }

        // A rule naming only a column ("email") is matched by any table's; a base column must name its column.
        return n >= 1;
    }
}
