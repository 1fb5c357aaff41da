using McpGateway.Configuration;

namespace McpGateway.Cli;

/// <summary>How verbs report a failure on standard error.</summary>
internal static class CliErrors
{
    /// <summary>
    /// Writes <c>error: message</c>, and, when the configuration could not be loaded from the
    /// file beside the app (the fallback without <c>--config</c> and <c>MCPGW_CONFIG</c>), the
    /// hint that says so. Other errors get no hint: a configuration that loaded is not the empty
    /// template, which never loads.
    /// </summary>
    public static async Task ReportAsync(TextWriter error, Exception exception, string? configPath)
    {
        await error.WriteLineAsync($"error: {exception.Message}").ConfigureAwait(false);
        if (exception is ConfigurationException && ConfigurationLocator.UsesDefault(configPath))
        {
            await error.WriteLineAsync(ConfigurationLocator.DefaultHint).ConfigureAwait(false);
        }
    }
}
