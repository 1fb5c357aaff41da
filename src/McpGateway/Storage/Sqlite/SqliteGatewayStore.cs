using McpGateway.Audit;
using Microsoft.Data.Sqlite;

namespace McpGateway.Storage.Sqlite;

/// <summary>Options of the embedded store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file; created with mode 0600 (its folder 0700) when missing.</summary>
    public required string Path { get; init; }

    /// <summary>How long a writer waits for another writer before the store is declared unavailable.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The embedded store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a write that
/// returned survives a crash. Every write runs in a <c>BEGIN IMMEDIATE</c> transaction, which
/// serialises writers across processes.
/// </summary>
public sealed class SqliteGatewayStore : IGatewayStore
{
    public const string FileName = "gateway.db";

    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;

    // Writers in this process queue here instead of in SQLite's sleeping busy handler, which
    // only has to arbitrate between processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private SqliteGatewayStore(SqliteStoreOptions options, TimeProvider time)
    {
        Description = options.Path;
        Time = time;
        _busyTimeout = options.BusyTimeout;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
        Keys = new SqliteKeyStore(this);
        Audit = new SqliteAuditStore(this, time);
    }

    public IKeyStore Keys { get; }

    public IAuditStore Audit { get; }

    public string Description { get; }

    internal TimeProvider Time { get; }

    /// <summary>Opens (creating and migrating when needed) the store in <paramref name="dataDirectory"/>.</summary>
    public static Task<SqliteGatewayStore> OpenAsync(string dataDirectory, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(new SqliteStoreOptions { Path = System.IO.Path.Combine(dataDirectory, FileName) }, time, cancellationToken);

    public static async Task<SqliteGatewayStore> OpenAsync(SqliteStoreOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            CreateFile(options.Path);
            var store = new SqliteGatewayStore(options, time);
            await SqliteMigrations.ApplyAsync(store, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"The store at '{options.Path}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>Opens a connection with the per-connection settings every operation relies on.</summary>
    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {(int)_busyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a connection for reading; a store that cannot be opened is <see cref="StoreUnavailableException"/>.</summary>
    internal async Task<SqliteConnection> OpenForReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"The store at '{Description}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a <c>BEGIN IMMEDIATE</c> transaction and commits it.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!await _writeGate.WaitAsync(_busyTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new StoreUnavailableException($"The store at '{Description}' is busy: no write could start within {_busyTimeout.TotalSeconds:0.#}s.");
        }

        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            // Not deferred: BEGIN IMMEDIATE takes the write lock now, so what is read inside
            // (the chain head) cannot change before the commit.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"The store at '{Description}' could not complete a write ({ex.SqliteErrorCode}: {ex.Message}).", ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        // The write gate is not disposed: a writer finishing during shutdown must still release it.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private static void CreateFile(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var _ = new FileStream(path, options);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first.
            }
        }
    }
}
