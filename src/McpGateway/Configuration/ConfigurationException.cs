namespace McpGateway.Configuration;

/// <summary>The configuration could not be found or is invalid; the message lists every problem.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static ConfigurationException FromErrors(string file, IReadOnlyList<string> errors) =>
        new(errors.Count == 1
            ? $"Configuration '{file}' is invalid: {errors[0]}"
            : $"Configuration '{file}' has {errors.Count} errors:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
}
