using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace McpGateway.Policies.Facts;

/// <summary>The facts of one element of an element list (a SQL statement, a shell stage, a Kubernetes object).</summary>
public sealed record FactElement(ImmutableDictionary<string, FactValue> Values)
{
    public FactValue? Get(string name) => Values.GetValueOrDefault(name);
}

/// <summary>
/// Everything a classifier learned about one call: call-level facts plus element lists.
/// Immutable; built with <see cref="FactSetBuilder"/>.
/// </summary>
public sealed class FactSet
{
    public static FactSet Empty { get; } = new(ImmutableDictionary<string, FactValue>.Empty, ImmutableDictionary<string, ImmutableArray<FactElement>>.Empty);

    internal FactSet(ImmutableDictionary<string, FactValue> values, ImmutableDictionary<string, ImmutableArray<FactElement>> elements)
    {
        Values = values;
        Elements = elements;
    }

    public ImmutableDictionary<string, FactValue> Values { get; }

    /// <summary>Element lists by name (for example <c>sql.statements</c>).</summary>
    public ImmutableDictionary<string, ImmutableArray<FactElement>> Elements { get; }

    public FactValue? Get(string name) => Values.GetValueOrDefault(name);

    public ImmutableArray<FactElement> ElementsOf(string list) =>
        Elements.TryGetValue(list, out var items) ? items : [];

    /// <summary>Facts as JSON, keys sorted, element lists as arrays of objects.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (name, value) in Values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[name] = value.ToJson();
        }

        foreach (var (list, items) in Elements.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var array = new JsonArray();
            foreach (var element in items)
            {
                var item = new JsonObject();
                foreach (var (name, value) in element.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    item[name] = value.ToJson();
                }

                array.Add(item);
            }

            json[list] = array;
        }

        return json;
    }
}

internal sealed class FactSetBuilder
{
    private readonly ImmutableDictionary<string, FactValue>.Builder _values = ImmutableDictionary.CreateBuilder<string, FactValue>(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<FactElement>.Builder> _elements = new(StringComparer.Ordinal);

    public FactSetBuilder Set(string name, FactValue value)
    {
        _values[name] = value;
        return this;
    }

    public FactSetBuilder Set(string name, string value) => Set(name, FactValue.Of(value));

    public FactSetBuilder Set(string name, bool value) => Set(name, FactValue.Of(value));

    public FactSetBuilder Set(string name, long value) => Set(name, FactValue.Of(value));

    public FactSetBuilder Set(string name, IEnumerable<string> value) => Set(name, FactValue.Of(value));

    public FactSetBuilder AddElement(string list, IEnumerable<KeyValuePair<string, FactValue>> values)
    {
        if (!_elements.TryGetValue(list, out var items))
        {
            items = ImmutableArray.CreateBuilder<FactElement>();
            _elements[list] = items;
        }

        items.Add(new FactElement(values.ToImmutableDictionary(StringComparer.Ordinal)));
        return this;
    }

    public FactSet Build() => new(
        _values.ToImmutable(),
        _elements.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal));
}
