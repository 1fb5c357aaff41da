using System.Text.Json.Nodes;

namespace McpGateway.Policies.Masking;

/// <summary>
/// A table inside a JSON result, so that column rules apply to its cells: <paramref name="Rows"/> is the array of
/// rows inside the tree being masked (the same instance), each row an array of cells in column order or an
/// object keyed by column name.
/// </summary>
/// <param name="Rows">The rows array, as it is in the tree given to the masker.</param>
/// <param name="Columns">The result's columns, in order.</param>
/// <param name="Referenced">The base columns the statement referenced; null means unknown, which fails closed.</param>
public sealed record MaskingTable(JsonArray Rows, IReadOnlyList<MaskingColumn> Columns, ReferencedColumns? Referenced = null);
