using McpGateway.Audit;

namespace McpGateway.Storage;

/// <summary>
/// The gateway's durable memory: API keys, the audit chain, approval requests, job leases and the
/// outbox of notifications. SQLite is
/// the embedded default; a PostgreSQL store implements the same interfaces for several replicas.
/// </summary>
public interface IGatewayStore : IAsyncDisposable
{
    IKeyStore Keys { get; }

    IAuditStore Audit { get; }

    IApprovalStore Approvals { get; }

    /// <summary>Purges of payloads (retention, erasure requests); headers stay.</summary>
    Audit.Purge.IAuditPurgeStore Purges { get; }

    /// <summary>The files of every policy revision that was loaded, content-addressed.</summary>
    IPolicyRevisionStore PolicyRevisions { get; }

    IJobLeases Jobs { get; }

    /// <summary>The operator console's sessions and Data Protection keys.</summary>
    IConsoleStore Console { get; }

    IOutbox Outbox { get; }

    /// <summary>Where the store lives, for messages (never a credential).</summary>
    string Description { get; }
}

/// <summary>A stored API key. Only a SHA-256 of the secret is kept.</summary>
public sealed record ApiKeyRecord(
    string Id,
    string Identity,
    byte[] SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    string? Description,
    string? RotatedFrom);

public interface IKeyStore
{
    Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken);

    IAsyncEnumerable<ApiKeyRecord> ListAsync(string? identity, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Moves the key's expiry earlier (never later); false when there is no such key.</summary>
    Task<bool> ExpireByAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>The store is missing, locked, full or broken; the caller must fail closed.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
