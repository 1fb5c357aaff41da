using McpGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace McpGateway.Tests;

/// <summary>A real SQLite store in a fresh temporary folder, deleted afterwards.</summary>
internal sealed class TemporaryStore : IAsyncDisposable
{
    private TemporaryStore(string folder, SqliteGatewayStore store)
    {
        Folder = folder;
        Store = store;
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, SqliteGatewayStore.FileName);

    public SqliteGatewayStore Store { get; }

    public static async Task<TemporaryStore> CreateAsync(TimeProvider? time = null, TimeSpan? busyTimeout = null)
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("mcpgw-store-").FullName, "data");
        var options = new SqliteStoreOptions { Path = Path.Combine(folder, SqliteGatewayStore.FileName), BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10) };
        return new TemporaryStore(folder, await SqliteGatewayStore.OpenAsync(options, time ?? TimeProvider.System, CancellationToken.None));
    }

    /// <summary>Runs SQL directly against the file, as someone tampering with it would.</summary>
    public int Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
    }
}
