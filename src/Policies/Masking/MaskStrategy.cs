namespace McpGateway.Policies.Masking;

/// <summary>
/// What replaces a masked value. The members are ordered from the least to the most strict: when several
/// profiles or rules apply to one value, the strictest wins.
/// </summary>
public enum MaskStrategy
{
    /// <summary>
    /// <c>****</c> and the value's last four characters (a card's last four digits); a value shorter than eight
    /// characters is redacted instead, since four would be half of it or more.
    /// </summary>
    Partial,

    /// <summary>
    /// A deterministic token, <c>tok_</c> and sixteen letters: a keyed HMAC-SHA-256 of the value, so equal values
    /// give equal tokens (joins and counts still work) while the value cannot be recovered without the key.
    /// </summary>
    Token,

    /// <summary>A fixed marker naming what was there (<c>[EMAIL]</c>; <c>[REDACTED]</c> for rules and held secrets).</summary>
    Redact,

    /// <summary>Nothing: a JSON value or table cell becomes <c>null</c>, and a match inside text becomes the word <c>null</c>.</summary>
    Null,
}

/// <summary>Configuration names of the strategies.</summary>
public static class MaskStrategies
{
    /// <summary>The names a configuration may use.</summary>
    public static IReadOnlyList<string> Names => NameArray;

    private static readonly string[] NameArray = ["partial", "token", "redact", "null"];

    /// <summary>The configuration name of <paramref name="strategy"/>.</summary>
    public static string NameOf(MaskStrategy strategy) => NameArray[(int)strategy];

    /// <summary>The strategy configured as <paramref name="name"/> (lower-case).</summary>
    public static bool TryParse(string? name, out MaskStrategy strategy)
    {
        var index = name is null ? -1 : Array.IndexOf(NameArray, name);
        strategy = index < 0 ? MaskStrategy.Redact : (MaskStrategy)index;
        return index >= 0;
    }

    /// <summary>The stricter of two strategies.</summary>
    public static MaskStrategy Strictest(MaskStrategy a, MaskStrategy b) => a >= b ? a : b;
}
