using System.Collections.Immutable;

namespace McpGateway.Policies.Masking;

/// <summary>A column of a tabular result, as the backend describes it.</summary>
/// <param name="Name">The column's name as returned (an alias when the statement gave one).</param>
/// <param name="Type">Its type as the backend names it (<c>text</c>, <c>int4</c>), when known.</param>
/// <param name="Source">
/// The base column it comes from, <c>table.column</c> or <c>schema.table.column</c>, when the backend knows it;
/// null for expressions, functions, aliases of computed values and anything else without one.
/// </param>
public sealed record MaskingColumn(string Name, string? Type = null, string? Source = null);

/// <summary>
/// The base columns a statement referenced, directly, through <c>*</c> or a whole-row reference, or through a
/// view, as the statement's classifier resolved them (<c>schema.table.column</c> or <c>table.column</c>).
/// Column rules use it to fail closed: when a ruled column is referenced, every output column without a known
/// base column gets that rule's strategy, since it may carry the ruled value under another name.
/// </summary>
public sealed class ReferencedColumns
{
    private ReferencedColumns(ImmutableArray<string> columns, bool isUnknown)
    {
        Columns = columns;
        IsUnknown = isUnknown;
    }

    /// <summary>Nothing is known about what the statement read: every column rule counts as referenced.</summary>
    public static ReferencedColumns Unknown { get; } = new([], isUnknown: true);

    /// <summary>The statement read no base column (<c>SELECT 1</c>).</summary>
    public static ReferencedColumns None { get; } = new([], isUnknown: false);

    /// <summary>True when nothing is known, so every column rule counts as referenced.</summary>
    public bool IsUnknown { get; }

    /// <summary>The base columns, as given.</summary>
    public ImmutableArray<string> Columns { get; }

    /// <summary>The statement referenced exactly <paramref name="columns"/>.</summary>
    public static ReferencedColumns Of(IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return new ReferencedColumns([.. columns.Where(column => !string.IsNullOrWhiteSpace(column)).Distinct(StringComparer.OrdinalIgnoreCase)], isUnknown: false);
    }

    public override string ToString() => IsUnknown ? "unknown" : string.Join(", ", Columns);
}
