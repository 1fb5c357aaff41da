using McpGateway.Configuration;

namespace McpGateway.Hosting.Cli;

/// <summary>How verbs report a failure on standard error.</summary>
internal static class CliErrors
{
    /// <summary>
    /// Writes <c>error: message</c>, and, when the command fell back to the template
    /// configuration beside the app, the hint that says so (the usual cause of the error).
    /// </summary>
    public static async Task ReportAsync(TextWriter error, string message, string? configPath)
    {
        await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
        if (ConfigurationLocator.UsesDefault(configPath))
        {
            await error.WriteLineAsync(ConfigurationLocator.DefaultHint).ConfigureAwait(false);
        }
    }
}
