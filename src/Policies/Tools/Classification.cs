using System.Collections.Immutable;
using McpGateway.Policies.Facts;

namespace McpGateway.Policies.Tools;

/// <summary>
/// A built-in refusal: something about the call that no policy bundle can allow
/// (bad arguments, an unknown target, a credential header, a URL leaving the service).
/// </summary>
/// <param name="Code">Stable identifier, reported as matched rule <c>builtin:&lt;code&gt;</c>.</param>
/// <param name="Reason">What is wrong and how to fix the call.</param>
public sealed record Refusal(string Code, string Reason)
{
    /// <summary>The code of refusals of the arguments themselves: a missing, mistyped or unknown field.</summary>
    public const string ArgumentsCode = "arguments";
}

/// <summary>What a classifier learned about one call.</summary>
public sealed class Classification
{
    public Classification(string tool, string? target, FactSet facts, ImmutableArray<string> unparsedReasons, ImmutableArray<Refusal> refusals, object? request)
    {
        Tool = tool;
        Target = target;
        Facts = facts;
        UnparsedReasons = unparsedReasons;
        Refusals = refusals;
        Request = request;
    }

    public string Tool { get; }

    /// <summary>The target the call names (<c>connection</c> in rules), when it could be read.</summary>
    public string? Target { get; }

    public FactSet Facts { get; }

    /// <summary>Why the call is <c>unparsed</c>; empty when it was fully understood.</summary>
    public ImmutableArray<string> UnparsedReasons { get; }

    /// <summary>Built-in denies; non-empty means the call is refused whatever the bundle says.</summary>
    public ImmutableArray<Refusal> Refusals { get; }

    /// <summary>The tool-specific, normalised request: exactly what executes if the call is allowed.</summary>
    public object? Request { get; }

    public bool IsUnparsed => !UnparsedReasons.IsEmpty;

    public static Classification Refused(string tool, string? target, params Refusal[] refusals) =>
        new(tool, target, new FactSetBuilder().Set(CommonFacts.Unparsed, false).Set(CommonFacts.Complex, false).Build(), [], [.. refusals], null);
}
