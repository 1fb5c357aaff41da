using McpGateway.Configuration;
using McpGateway.Storage.Postgres;
using McpGateway.Storage.Sqlite;

namespace McpGateway.Storage;

/// <summary>Opens the store the configuration names (<c>McpGateway:Store</c>).</summary>
public static class GatewayStores
{
    public static async Task<IGatewayStore> OpenAsync(GatewayConfiguration configuration, TimeProvider time, CancellationToken cancellationToken)
    {
        if (configuration.Store.Kind == StoreKind.Sqlite)
        {
            return await SqliteGatewayStore.OpenAsync(configuration.DataDirectory, time, cancellationToken).ConfigureAwait(false);
        }

        var reference = configuration.Store.ConnectionString!;
        string connectionString;
        try
        {
            connectionString = reference.Resolve();
        }
        catch (SecretUnavailableException ex)
        {
            throw new StoreUnavailableException($"McpGateway:Store:ConnectionString: {ex.Message}", ex);
        }

        return await PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, time, cancellationToken).ConfigureAwait(false);
    }
}
