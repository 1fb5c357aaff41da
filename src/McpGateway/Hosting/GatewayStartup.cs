using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;
using McpGateway.Policies.Loading;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using McpGateway.Storage;

namespace McpGateway.Hosting;

/// <summary>What <c>serve</c> needs before it can accept a call; any failure stops it with a clear message.</summary>
internal static class GatewayStartup
{
    public static async Task<(GatewayRuntime Runtime, IGatewayStore Store, AuditSigningKey SigningKey)?> PrepareAsync(string? configPath, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var configuration = ConfigurationLoader.Load(configPath);
            var runtime = GatewayRuntime.Load(configuration, TimeProvider.System);
            SqliteGatewayStore store;
            try
            {
                store = await SqliteGatewayStore.OpenAsync(configuration.DataDirectory, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                runtime.Dispose();
                throw;
            }

            AuditSigningKey signingKey;
            try
            {
                // Checkpoints are signed from the first minute: a key that cannot be had stops serve now.
                signingKey = SigningKeySource.OpenOrCreate(configuration.AuditOrDefault, configuration.DataDirectory, store);
            }
            catch
            {
                await store.DisposeAsync().ConfigureAwait(false);
                runtime.Dispose();
                throw;
            }

            foreach (var unreadable in runtime.UnreadableAtLoad)
            {
                await error.WriteLineAsync($"warning: secret {unreadable} cannot be read now; calls that need it will fail until it can.").ConfigureAwait(false);
            }

            return (runtime, store, signingKey);
        }
        catch (Exception ex) when (ex is ConfigurationException or PolicyBundleException or StoreUnavailableException or AuditSigningKeyException)
        {
            await McpGateway.Cli.CliErrors.ReportAsync(error, ex, configPath).ConfigureAwait(false);

            return null;
        }
    }
}
