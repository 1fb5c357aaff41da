using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace McpGateway.Policies.Facts;

/// <summary>The shape of a fact's value.</summary>
public enum FactType
{
    Text,
    Flag,
    Number,
    TextList,
}

/// <summary>One immutable fact value produced by a classifier.</summary>
public sealed class FactValue : IEquatable<FactValue>
{
    private FactValue(FactType type, string? text, bool flag, long number, ImmutableArray<string> items)
    {
        Type = type;
        Text = text;
        Flag = flag;
        Number = number;
        Items = items;
    }

    public static FactValue True { get; } = new(FactType.Flag, null, true, 0, []);

    public static FactValue False { get; } = new(FactType.Flag, null, false, 0, []);

    public FactType Type { get; }

    /// <summary>The value of a <see cref="FactType.Text"/> fact.</summary>
    public string? Text { get; }

    /// <summary>The value of a <see cref="FactType.Flag"/> fact.</summary>
    public bool Flag { get; }

    /// <summary>The value of an <see cref="FactType.Number"/> fact.</summary>
    public long Number { get; }

    /// <summary>The values of a <see cref="FactType.TextList"/> fact.</summary>
    public ImmutableArray<string> Items { get; }

    public static FactValue Of(string value) => new(FactType.Text, value ?? throw new ArgumentNullException(nameof(value)), false, 0, []);

    public static FactValue Of(bool value) => value ? True : False;

    public static FactValue Of(long value) => new(FactType.Number, null, false, value, []);

    public static FactValue Of(IEnumerable<string> values) => new(FactType.TextList, null, false, 0, [.. values]);

    public JsonNode ToJson() => Type switch
    {
        FactType.Text => JsonValue.Create(Text)!,
        FactType.Flag => JsonValue.Create(Flag),
        FactType.Number => JsonValue.Create(Number),
        _ => new JsonArray([.. Items.Select(i => (JsonNode?)JsonValue.Create(i))]),
    };

    public override string ToString() => Type switch
    {
        FactType.Text => Text!,
        FactType.Flag => Flag ? "true" : "false",
        FactType.Number => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "[" + string.Join(", ", Items) + "]",
    };

    public bool Equals(FactValue? other) =>
        other is not null && other.Type == Type && Type switch
        {
            FactType.Text => string.Equals(Text, other.Text, StringComparison.Ordinal),
            FactType.Flag => Flag == other.Flag,
            FactType.Number => Number == other.Number,
            _ => Items.SequenceEqual(other.Items, StringComparer.Ordinal),
        };

    public override bool Equals(object? obj) => Equals(obj as FactValue);

    public override int GetHashCode() => HashCode.Combine(Type, Text, Flag, Number, Items.Length);
}
