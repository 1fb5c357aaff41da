using McpGateway.Configuration;
using McpGateway.Storage.Postgres;
using McpGateway.Storage.Relational;
using McpGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace McpGateway.Tests;

/// <summary>
/// A real store, deleted afterwards: SQLite in a fresh temporary folder, or PostgreSQL in a fresh
/// database of the test server (with a temporary data folder beside it for files such as keys).
/// </summary>
internal sealed class TemporaryStore : IAsyncDisposable
{
    private TemporaryStore(string folder, RelationalGatewayStore store, string? connectionString)
    {
        Folder = folder;
        Store = store;
        ConnectionString = connectionString;
    }

    public string Folder { get; }

    public StoreKind Kind => ConnectionString is null ? StoreKind.Sqlite : StoreKind.Postgres;

    /// <summary>The SQLite file (only for the embedded store).</summary>
    public string DatabasePath => Kind == StoreKind.Sqlite ? Path.Combine(Folder, SqliteGatewayStore.FileName) : throw new InvalidOperationException("The PostgreSQL store has no file.");

    /// <summary>The PostgreSQL database's connection string (only for that store).</summary>
    public string? ConnectionString { get; }

    public RelationalGatewayStore Store { get; }

    public static Task<TemporaryStore> CreateAsync(TimeProvider? time = null, TimeSpan? busyTimeout = null) =>
        CreateAsync(StoreKind.Sqlite, time, busyTimeout);

    public static async Task<TemporaryStore> CreateAsync(StoreKind kind, TimeProvider? time = null, TimeSpan? busyTimeout = null)
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("mcpgw-store-").FullName, "data");
        if (kind == StoreKind.Sqlite)
        {
            var options = new SqliteStoreOptions { Path = Path.Combine(folder, SqliteGatewayStore.FileName), BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10) };
            return new TemporaryStore(folder, await SqliteGatewayStore.OpenAsync(options, time ?? TimeProvider.System, CancellationToken.None), null);
        }

        Directory.CreateDirectory(folder);
        var connectionString = await TestPostgresServer.CreateDatabaseAsync();
        var store = await PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString, BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10) }, time ?? TimeProvider.System, CancellationToken.None);
        return new TemporaryStore(folder, store, connectionString);
    }

    /// <summary>Opens a second store on the same database or file, as another replica or process would.</summary>
    public async Task<RelationalGatewayStore> OpenAnotherAsync(TimeProvider? time = null, TimeSpan? busyTimeout = null) =>
        Kind == StoreKind.Sqlite
            ? await SqliteGatewayStore.OpenAsync(new SqliteStoreOptions { Path = DatabasePath, BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10) }, time ?? TimeProvider.System, CancellationToken.None)
            : await PostgresGatewayStore.OpenAsync(new PostgresStoreOptions { ConnectionString = ConnectionString!, BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(10) }, time ?? TimeProvider.System, CancellationToken.None);

    /// <summary>Runs SQL directly against the database, as someone tampering with it would.</summary>
    public int Execute(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row of a query, read directly.</summary>
    public object? Scalar(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Each row of a query as its values joined by '|' (∅ for null), read directly.</summary>
    public List<string> Rows(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private System.Data.Common.DbConnection Connect()
    {
        System.Data.Common.DbConnection connection = Kind == StoreKind.Postgres
            ? new Npgsql.NpgsqlConnection(ConnectionString)
            : new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (ConnectionString is { } connectionString)
        {
            await TestPostgresServer.DropDatabaseAsync(connectionString);
        }
        else
        {
            SqliteConnection.ClearAllPools();
        }

        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
    }
}
