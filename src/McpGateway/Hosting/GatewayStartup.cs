using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;
using McpGateway.Policies.Loading;
using McpGateway.Runtime;
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

            // The store first: it proves the data folder can be written before anything (a
            // generated key) is created in it.
            var store = await GatewayStores.OpenAsync(configuration, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            GatewayRuntime runtime;
            try
            {
                runtime = GatewayRuntime.Load(configuration, TimeProvider.System);
            }
            catch
            {
                await store.DisposeAsync().ConfigureAwait(false);
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

            if (runtime.CreatedRequestHashKey is { } keyFile)
            {
                await error.WriteLineAsync($"warning: no McpGateway:Audit:RequestHashKey is configured, so a request-hash key was created in '{keyFile}' (mode 0600). Back it up with the store: without it, recorded requestHmac values cannot be recomputed to match a request.").ConfigureAwait(false);
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
