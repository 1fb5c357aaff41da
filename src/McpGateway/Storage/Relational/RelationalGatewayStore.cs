using System.Data.Common;
using McpGateway.Audit;

namespace McpGateway.Storage.Relational;

/// <summary>
/// What the SQLite and PostgreSQL stores share: every table, statement and rule is the same; a
/// store supplies its connections, its writers' lock and the few SQL fragments that differ. Every
/// write runs in one transaction that first takes the store's writers' lock, so what a write
/// reads (the chain head, an approval's state) cannot change before it commits — across
/// processes and replicas. Writers in this process queue on a gate instead of in the database,
/// which then only arbitrates between processes.
/// </summary>
public abstract class RelationalGatewayStore : IGatewayStore
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly RelationalAuditStore _audit;

    private protected RelationalGatewayStore(string description, TimeProvider time, TimeSpan busyTimeout)
    {
        Description = description;
        Time = time;
        BusyTimeout = busyTimeout;
        Keys = new RelationalKeyStore(this);
        _audit = new RelationalAuditStore(this, time);
        Audit = _audit;
        Approvals = new RelationalApprovalStore(this, _audit);
        Purges = new RelationalAuditPurge(this, _audit);
        PolicyRevisions = new RelationalPolicyRevisionStore(this);
        var outbox = new RelationalOutbox(this);
        Outbox = outbox;
        Jobs = outbox;
        Console = new RelationalConsoleStore(this);
    }

    public IKeyStore Keys { get; }

    public IAuditStore Audit { get; }

    /// <summary>The audit chain's group commits so far, in this process.</summary>
    public AuditBatchCounters AuditBatches => _audit.Counters;

    public IApprovalStore Approvals { get; }

    public Audit.Purge.IAuditPurgeStore Purges { get; }

    public IPolicyRevisionStore PolicyRevisions { get; }

    public IJobLeases Jobs { get; }

    public IOutbox Outbox { get; }

    public IConsoleStore Console { get; }

    public string Description { get; }

    internal TimeProvider Time { get; }

    /// <summary>How long a writer waits for the writers' lock before the store is declared unavailable.</summary>
    internal TimeSpan BusyTimeout { get; }

    /// <summary>Opens a connection with the settings every operation relies on.</summary>
    internal abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction holding the store's writers' lock.</summary>
    internal abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Begins a read-only transaction that sees one consistent snapshot of every table, without blocking writers.</summary>
    internal abstract Task<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A SQL condition, true when the JSON object held as text in <paramref name="column"/> has no member <paramref name="member"/>.</summary>
    internal abstract string JsonMemberMissing(string column, string member);

    /// <summary>Whether <paramref name="exception"/> means the store failed (rather than the gateway).</summary>
    private protected virtual bool IsStoreFailure(Exception exception) => exception is DbException;

    /// <summary>The failure in a few words, for the message of <see cref="StoreUnavailableException"/>; never a credential.</summary>
    private protected virtual string Describe(Exception exception) => exception.Message;

    /// <summary>Opens a connection for reading; a store that cannot be opened is <see cref="StoreUnavailableException"/>.</summary>
    internal async Task<DbConnection> OpenForReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new StoreUnavailableException($"The store at '{Description}' cannot be read: {Describe(ex)}", ex);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction holding the writers' lock and commits it.</summary>
    internal async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!await _writeGate.WaitAsync(BusyTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new StoreUnavailableException($"The store at '{Description}' is busy: no write could start within {BusyTimeout.TotalSeconds:0.#}s.");
        }

        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new StoreUnavailableException($"The store at '{Description}' could not complete a write ({Describe(ex)}).", ex);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public abstract ValueTask DisposeAsync();
}
