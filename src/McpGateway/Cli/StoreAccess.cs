using McpGateway.Configuration;
using McpGateway.Storage;

namespace McpGateway.Cli;

/// <summary>Loads the configuration and opens the store for verbs that work on it directly.</summary>
internal static class StoreAccess
{
    public static async Task<(GatewayConfiguration Configuration, IGatewayStore Store)?> OpenAsync(string? configPath, TextWriter error, CancellationToken cancellationToken)
    {
        GatewayConfiguration configuration;
        try
        {
            configuration = ConfigurationLoader.Load(configPath);
        }
        catch (ConfigurationException ex)
        {
            await CliErrors.ReportAsync(error, ex, configPath).ConfigureAwait(false);
            return null;
        }

        try
        {
            var store = await GatewayStores.OpenAsync(configuration, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            return (configuration, store);
        }
        catch (StoreUnavailableException ex)
        {
            await CliErrors.ReportAsync(error, ex, configPath).ConfigureAwait(false);
            return null;
        }
    }
}
