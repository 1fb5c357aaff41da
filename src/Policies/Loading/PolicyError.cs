using System.Collections.Immutable;
using McpGateway.Policies.Model;

namespace McpGateway.Policies.Loading;

/// <summary>One problem found while loading a bundle, with where it was written.</summary>
public sealed record PolicyError(SourceLocation? Location, string Message)
{
    public override string ToString() => Location is { } at ? $"{at}: {Message}" : Message;
}

/// <summary>A bundle that failed to load; carries every error found.</summary>
public sealed class PolicyBundleException : Exception
{
    public PolicyBundleException(ImmutableArray<PolicyError> errors)
        : base(Describe(errors, errors.Length))
    {
        Errors = errors;
    }

    /// <summary>Every error found; the exception keeps the first <see cref="MaxReported"/> and counts the rest.</summary>
    public PolicyBundleException(IReadOnlyList<PolicyError> errors)
        : base(Describe(Bounded(errors), errors.Count))
    {
        Errors = Bounded(errors);
    }

    public PolicyBundleException()
        : this([])
    {
    }

    public PolicyBundleException(string message)
        : this([new PolicyError(null, message)])
    {
    }

    public PolicyBundleException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new PolicyError(null, message)];
    }

    /// <summary>Most errors one exception reports; a bundle broken everywhere says how many more there are.</summary>
    public const int MaxReported = 100;

    public ImmutableArray<PolicyError> Errors { get; }

    /// <summary>The first <see cref="MaxReported"/> errors, and a last line counting the rest.</summary>
    private static ImmutableArray<PolicyError> Bounded(IReadOnlyList<PolicyError> errors) =>
        errors.Count <= MaxReported
            ? [.. errors]
            : [.. errors.Take(MaxReported), new PolicyError(null, $"… and {errors.Count - MaxReported:N0} more errors; fix these first.")];

    private static string Describe(ImmutableArray<PolicyError> errors, int total) =>
        total == 1
            ? $"The policy bundle is invalid: {errors[0]}"
            : $"The policy bundle has {total:N0} errors:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}

/// <summary>One file of a bundle: its path relative to the bundle root and its bytes.</summary>
public sealed record PolicySource(string Name, byte[] Content);
