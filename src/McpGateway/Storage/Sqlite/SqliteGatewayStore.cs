using System.Data.Common;
using McpGateway.Storage.Relational;
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
public sealed class SqliteGatewayStore : RelationalGatewayStore
{
    public const string FileName = "gateway.db";

    private readonly string _connectionString;

    private SqliteGatewayStore(SqliteStoreOptions options, TimeProvider time)
        : base(options.Path, time, options.BusyTimeout)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
    }

    /// <summary>Opens (creating and migrating when needed) the store in <paramref name="dataDirectory"/>.</summary>
    public static Task<SqliteGatewayStore> OpenAsync(string dataDirectory, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(new SqliteStoreOptions { Path = System.IO.Path.Combine(dataDirectory, FileName) }, time, cancellationToken);

    public static async Task<SqliteGatewayStore> OpenAsync(SqliteStoreOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            PrepareDataFolder(options.Path);
            var store = new SqliteGatewayStore(options, time);
            await SqliteMigrations.ApplyAsync(store, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"The store at '{options.Path}' cannot be opened: {ex.Message}", ex);
        }
    }

    internal override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>BEGIN IMMEDIATE</c>, not deferred: it takes SQLite's write lock now, so what is read
    /// inside (the chain head) cannot change before the commit.
    /// </summary>
    internal override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <summary>Deferred: in WAL mode the snapshot is taken at the first read, and writers go on.</summary>
    internal override Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    internal override string JsonMemberMissing(string column, string member) => $"json_extract({column}, '$.{member}') IS NULL";

    private protected override string Describe(Exception exception) =>
        exception is SqliteException sqlite ? $"{sqlite.SqliteErrorCode}: {sqlite.Message}" : exception.Message;

    public override ValueTask DisposeAsync()
    {
        // The write gate is not disposed: a writer finishing during shutdown must still release it.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Creates the data folder when it is missing and proves that it can be written — with a real
    /// write, since permission bits prove nothing for root or on a read-only mount — and that the
    /// database file opens for writing. Otherwise SQLite would open the store read-only and the
    /// gateway would fail only at its first call.
    /// </summary>
    private static void PrepareDataFolder(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        try
        {
            CreateFolder(folder);
            ProbeWrite(folder);
            CreateOrOpenForWrite(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(
                $"The data folder '{folder}' cannot be written: {Reason(folder, ex)} Make it writable for this user, or set McpGateway:DataDirectory (environment: McpGateway__DataDirectory) to a folder that is.",
                ex);
        }
    }

    private static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void ProbeWrite(string folder)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.DeleteOnClose };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var path = System.IO.Path.Combine(folder, $".write-check-{Guid.NewGuid():N}");
        try
        {
            using var probe = new FileStream(path, options);
            probe.WriteByte(0);
            probe.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The reason names the folder, not the throw-away file.
            throw new IOException(ex.Message.Replace(path, folder, StringComparison.Ordinal), ex);
        }
    }

    private static void CreateOrOpenForWrite(string path)
    {
        if (File.Exists(path))
        {
            // Opened for writing, nothing written: fails when the file is read-only for this user.
            using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return;
        }

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

    /// <summary>Why the folder cannot be written, in one sentence.</summary>
    private static string Reason(string folder, Exception exception)
    {
        for (var existing = folder; !string.IsNullOrEmpty(existing); existing = System.IO.Path.GetDirectoryName(existing))
        {
            if (File.Exists(existing))
            {
                return $"'{existing}' is a file, not a folder.";
            }

            if (Directory.Exists(existing))
            {
                break;
            }
        }

        var message = exception.Message.ReplaceLineEndings(" ").Trim();
        return message.EndsWith('.') ? message : message + ".";
    }
}
