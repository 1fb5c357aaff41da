using System.Text.Json.Nodes;

namespace McpGateway.Policies.Masking;

/// <summary>One masked value, for <c>--explain</c>: what matched, where, and how it was masked — never the value.</summary>
/// <param name="Rule">The detector name (<c>email</c>), <c>held_secret</c>, <c>kubernetes_secret</c>, or a rule (<c>column:users.email</c>, <c>path:$.data.*</c>).</param>
/// <param name="Strategy">How it was masked.</param>
/// <param name="Location"><c>text</c>, or the JSON path of the value (<c>$["rows"][3][1]</c>); for a property name, its path followed by <c> (name)</c>.</param>
/// <param name="Offset">Where the masked stretch starts in the text of that value (0 for a whole value).</param>
/// <param name="Length">How long the masked stretch was (0 when unknown).</param>
public sealed record MaskingFinding(string Rule, MaskStrategy Strategy, string Location, int Offset, int Length);

/// <summary>
/// What one masking call (or several, for one tool call) masked: a count per detector or rule, for the audit
/// record, and, when asked for, each finding's place. Never holds a value. Not thread-safe: one per call.
/// </summary>
public sealed class MaskingReport
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<MaskingFinding>? _findings;

    /// <summary>A report; with <paramref name="explain"/> it also keeps every finding (bounded by <see cref="MaxFindings"/>).</summary>
    public MaskingReport(bool explain = false)
    {
        _findings = explain ? [] : null;
    }

    /// <summary>The most findings an explaining report keeps; counts go on.</summary>
    public const int MaxFindings = 10_000;

    /// <summary>Masked values per detector or rule name, in name order.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>How many values were masked in all.</summary>
    public int Total { get; private set; }

    /// <summary>Each finding, when the report explains; empty otherwise.</summary>
    public IReadOnlyList<MaskingFinding> Findings => _findings ?? (IReadOnlyList<MaskingFinding>)[];

    internal bool Explains => _findings is not null;

    /// <summary>The counts as a JSON object for an audit record: <c>{"email": 2, "held_secret": 1}</c>.</summary>
    public JsonObject ToJson() => new(_counts.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value))));

    internal void Add(string rule, MaskStrategy strategy, Func<string>? location, int offset, int length)
    {
        _counts[rule] = _counts.GetValueOrDefault(rule) + 1;
        Total++;
        if (_findings is not null && _findings.Count < MaxFindings)
        {
            _findings.Add(new MaskingFinding(rule, strategy, location?.Invoke() ?? "text", offset, length));
        }
    }

    internal void AddHeld(int count, Func<string>? location)
    {
        for (var i = 0; i < count; i++)
        {
            Add(MaskDetectors.HeldSecret, MaskStrategy.Redact, location, 0, 0);
        }
    }

    public override string ToString() => string.Join(", ", _counts.Select(pair => $"{pair.Key}={pair.Value}"));
}
