using McpGateway.Policies.Model;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Configured masking profiles, as the host reads them (the policy bundle's <c>masking:</c> section, or
/// configuration). Plain settable properties so a binder or a reader can fill them; each part may carry the
/// <see cref="SourceLocation"/> it was read from, which every error about it then names. Validated and
/// compiled by <see cref="MaskingCatalog"/>.
/// </summary>
public sealed class MaskingOptions
{
    /// <summary>The profiles by name. <c>default</c> and <c>secrets</c> are built in and cannot be redefined.</summary>
    public IDictionary<string, MaskingProfileOptions> Profiles { get; init; } = new Dictionary<string, MaskingProfileOptions>(StringComparer.Ordinal);
}

/// <summary>One configured profile: the detectors it runs, its column rules and its path rules.</summary>
public sealed class MaskingProfileOptions
{
    /// <summary>Where the profile was written, for errors.</summary>
    public SourceLocation? Location { get; set; }

    /// <summary>Detectors and the strategy for each; <c>all</c> selects every detector.</summary>
    public IList<MaskingDetectorOptions> Detectors { get; init; } = [];

    /// <summary>Column rules for tabular results.</summary>
    public IList<MaskingColumnRuleOptions> Columns { get; init; } = [];

    /// <summary>Path rules for JSON results.</summary>
    public IList<MaskingPathRuleOptions> Paths { get; init; } = [];
}

/// <summary>A detector the profile runs (<c>email</c>, <c>payment_card</c>… or <c>all</c>) and its strategy (default <c>redact</c>).</summary>
public sealed class MaskingDetectorOptions
{
    public SourceLocation? Location { get; set; }

    public string? Detector { get; set; }

    public string? Strategy { get; set; }
}

/// <summary>
/// A column rule: <see cref="Name"/> is a glob on the output column's name, <see cref="Column"/> a base column
/// (<c>table.column</c> or <c>schema.table.column</c>, globs allowed); at least one is given. Strategy default <c>redact</c>.
/// </summary>
public sealed class MaskingColumnRuleOptions
{
    public SourceLocation? Location { get; set; }

    public string? Name { get; set; }

    public string? Column { get; set; }

    public string? Strategy { get; set; }
}

/// <summary>A path rule: a JSON path (<c>$.data.*</c>, <c>$..password</c>, <c>$.items[*].spec.token</c>) and its strategy (default <c>redact</c>).</summary>
public sealed class MaskingPathRuleOptions
{
    public SourceLocation? Location { get; set; }

    public string? Path { get; set; }

    public string? Strategy { get; set; }
}
