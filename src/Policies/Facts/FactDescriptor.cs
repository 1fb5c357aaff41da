namespace McpGateway.Policies.Facts;

/// <summary>How a fact's values are compared when a rule matches them.</summary>
public enum FactMatching
{
    /// <summary>Ordinal comparison.</summary>
    Exact,

    /// <summary>
    /// A URL path. Comparisons fail closed: rules that restrict (deny, approval) also match the
    /// path in another letter case or with or without a trailing slash, because many servers treat
    /// those as the same resource; allow rules match exactly.
    /// </summary>
    Path,

    /// <summary>
    /// A name servers compare without regard to case (query parameter names, header names):
    /// rules that restrict match it case-insensitively; allow rules match exactly.
    /// </summary>
    Name,
}

/// <summary>A fact a tool's classifier produces, as the policy validator knows it.</summary>
/// <param name="Name">Dotted name, for example <c>http.method</c>; element facts start with their list's name.</param>
/// <param name="Type">The value's shape.</param>
/// <param name="Description">One line for documentation and error messages.</param>
/// <param name="ElementList">The element list this fact belongs to, or null for a call-level fact.</param>
public sealed record FactDescriptor(string Name, FactType Type, string Description, string? ElementList = null, FactMatching Matching = FactMatching.Exact);

/// <summary>
/// An element list (for example <c>sql.statements</c>). Its name is also usable as a call-level
/// string-list fact holding every element's <see cref="KeyFact"/>.
/// </summary>
public sealed record ElementListDescriptor(string Name, string KeyFact, string Description);

/// <summary>Facts every tool produces.</summary>
internal static class CommonFacts
{
    public const string Unparsed = "unparsed";
    public const string Complex = "complex";

    public static IReadOnlyList<FactDescriptor> All { get; } =
    [
        new(Unparsed, FactType.Flag, "The classifier could not fully understand the call; only a rule that names this fact can allow it."),
        new(Complex, FactType.Flag, "The call uses constructs too complex to reason about; only a rule that names this fact can allow it."),
    ];
}
