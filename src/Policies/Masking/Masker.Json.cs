using System.Text.Json.Nodes;

namespace McpGateway.Policies.Masking;

public sealed partial class Masker
{
    /// <summary>
    /// Returns a masked deep copy of <paramref name="node"/>; the original is left as it was. Every string value
    /// and property name is masked as text, large numbers are checked too, values of secret-named fields and of
    /// Kubernetes Secret <c>data</c> and <c>stringData</c> are masked whole, path rules replace the values they
    /// name, and the cells of <paramref name="table"/> (whose rows are inside <paramref name="node"/>) get their
    /// column rules.
    /// </summary>
    public JsonNode? Mask(JsonNode? node, MaskingReport? report = null, MaskingTable? table = null)
    {
        if (node is null)
        {
            return null;
        }

        try
        {
            var route = table is null ? null : RouteTo(table.Rows, node);
            var copy = node.DeepClone();
            var copied = table is null ? null : table with { Rows = Follow(copy, route!) };
            return new TreeWalk(this, report, copied).Root(copy);
        }
        catch (Exception ex) when (ex is not MaskingException)
        {
            throw Failed(ex);
        }
    }

    /// <summary>
    /// Masks <paramref name="node"/> in place, as <see cref="Mask(JsonNode?, MaskingReport?, MaskingTable?)"/> masks a copy.
    /// When this throws, the tree may be partly masked and must be discarded.
    /// </summary>
    public void MaskInPlace(JsonNode node, MaskingReport? report = null, MaskingTable? table = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not (JsonObject or JsonArray))
        {
            throw new ArgumentException("Only an object or an array can be masked in place; mask a single value with Mask.", nameof(node));
        }

        try
        {
            if (table is not null)
            {
                _ = RouteTo(table.Rows, node);
            }

            if (!ReferenceEquals(new TreeWalk(this, report, table).Root(node), node))
            {
                throw new MaskingException("A path rule names the whole tree, which cannot be masked in place.");
            }
        }
        catch (Exception ex) when (ex is not MaskingException)
        {
            throw Failed(ex);
        }
    }

    // The property names and indices from root down to rows; rows must be inside root.
    private static List<(string? Name, int Index)> RouteTo(JsonNode rows, JsonNode root)
    {
        var route = new List<(string? Name, int Index)>();
        for (var node = rows; !ReferenceEquals(node, root); node = node.Parent)
        {
            if (node.Parent is null)
            {
                throw new ArgumentException("The table's rows are not inside the tree being masked.", nameof(rows));
            }

            route.Add(node.Parent is JsonObject ? (node.GetPropertyName(), -1) : (null, node.GetElementIndex()));
        }

        route.Reverse();
        return route;
    }

    private static JsonArray Follow(JsonNode root, List<(string? Name, int Index)> route)
    {
        var node = root;
        foreach (var (name, index) in route)
        {
            node = name is null ? node.AsArray()[index]! : node.AsObject()[name]!;
        }

        return node.AsArray();
    }
}
