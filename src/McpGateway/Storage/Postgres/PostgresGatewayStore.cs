using System.Data.Common;
using System.Globalization;
using McpGateway.Storage.Relational;
using Npgsql;

namespace McpGateway.Storage.Postgres;

/// <summary>Options of the PostgreSQL store.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (a secret: it usually holds a password).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>How long a writer waits for the writers' lock before the store is declared unavailable.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The store for several replicas: the same tables as the embedded store in one PostgreSQL
/// database. Every write transaction first takes one transaction-scoped advisory lock, so
/// replicas append to one chain — the head is read after the lock, inside the transaction that
/// appends, never cached — and decide approvals and take job leases one at a time. A commit
/// returns once PostgreSQL has made it durable (<c>synchronous_commit</c> as the server has it).
/// </summary>
public sealed class PostgresGatewayStore : RelationalGatewayStore
{
    /// <summary>The advisory lock every write holds (the ASCII of "mcpgw:wr").</summary>
    public const long WritersLock = 0x6d63_7067_773a_7772;

    private readonly NpgsqlDataSource _dataSource;

    private PostgresGatewayStore(NpgsqlDataSource dataSource, string description, TimeProvider time, TimeSpan busyTimeout)
        : base(description, time, busyTimeout)
    {
        _dataSource = dataSource;
    }

    /// <summary>Opens the store, creating or migrating its tables when needed.</summary>
    public static async Task<PostgresGatewayStore> OpenAsync(PostgresStoreOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            // The text may hold a password: the message names no value.
            throw new StoreUnavailableException("The PostgreSQL store's connection string is not valid: give Npgsql key=value pairs such as 'Host=db;Database=gateway;Username=gateway;Password=…'.", ex);
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new StoreUnavailableException("The PostgreSQL store's connection string names no Host.");
        }

        builder.ApplicationName ??= "mcp-gateway";
        var description = $"PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}";
        var store = new PostgresGatewayStore(new NpgsqlDataSourceBuilder(builder.ConnectionString).Build(), description, time, options.BusyTimeout);
        try
        {
            await PostgresMigrations.ApplyAsync(store, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (StoreUnavailableException ex)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new StoreUnavailableException(ex.Message.Replace("could not complete a write", "cannot be opened", StringComparison.Ordinal), ex.InnerException ?? ex);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    internal override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Read committed: every statement after the lock sees what the previous holder committed.
            await using var command = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = {(long)BusyTimeout.TotalMilliseconds}; SELECT pg_advisory_xact_lock({WritersLock});",
                (NpgsqlConnection)connection,
                transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal override async Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    internal override string JsonMemberMissing(string column, string member) => $"({column}::jsonb -> '{member}') IS NULL";

    private protected override bool IsStoreFailure(Exception exception) => exception is DbException or TimeoutException;

    private protected override string Describe(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } => $"another writer held the store's lock for more than {BusyTimeout.TotalSeconds:0.#}s",
        PostgresException postgres => $"{postgres.SqlState}: {postgres.MessageText}",
        { InnerException: { } inner } => $"{exception.Message} {inner.Message}",
        _ => exception.Message,
    };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
