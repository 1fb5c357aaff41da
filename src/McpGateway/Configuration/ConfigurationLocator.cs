namespace McpGateway.Configuration;

/// <summary>Finds the configuration file: <c>--config</c>, then <c>MCPGW_CONFIG</c>, then <c>appsettings.json</c> beside the app.</summary>
public static class ConfigurationLocator
{
    public const string EnvironmentVariable = "MCPGW_CONFIG";

    /// <summary>Said after an error when the template beside the app was used, so the fix is obvious.</summary>
    public const string DefaultHint = "hint: no --config was given and MCPGW_CONFIG is not set, so the template appsettings.json beside the app was used; pass --config FILE or set MCPGW_CONFIG.";

    /// <summary>Whether a command without <c>--config</c> falls back to the template beside the app.</summary>
    public static bool UsesDefault(string? commandLinePath) =>
        string.IsNullOrWhiteSpace(commandLinePath) && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static string Locate(string? commandLinePath)
    {
        if (!string.IsNullOrWhiteSpace(commandLinePath))
        {
            return Existing(commandLinePath, "--config");
        }

        if (System.Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return Existing(fromEnvironment, EnvironmentVariable);
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        return File.Exists(besideApp)
            ? besideApp
            : throw new ConfigurationException($"No configuration found: pass --config FILE, set {EnvironmentVariable}, or put appsettings.json beside the app ({AppContext.BaseDirectory}).");
    }

    private static string Existing(string path, string source)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full)
            ? full
            : throw new ConfigurationException($"Configuration file '{full}' (from {source}) does not exist.");
    }
}
