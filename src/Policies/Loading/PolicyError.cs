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
        : base(Describe(errors))
    {
        Errors = errors;
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

    public ImmutableArray<PolicyError> Errors { get; }

    private static string Describe(ImmutableArray<PolicyError> errors) =>
        errors.Length == 1
            ? $"The policy bundle is invalid: {errors[0]}"
            : $"The policy bundle has {errors.Length} errors:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}

/// <summary>One file of a bundle: its path relative to the bundle root and its bytes.</summary>
public sealed record PolicySource(string Name, byte[] Content);
