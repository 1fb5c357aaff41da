using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Policies;
using McpGateway.Storage;

namespace McpGateway.Hosting.Authentication;

/// <summary>Looks up configured identities; configuration is their one source.</summary>
public interface IIdentityDirectory
{
    IdentityInfo? Find(string name);
}

/// <summary>
/// A key as shown to operators: never its secret or hash. <see cref="Status"/> is <c>active</c>,
/// <c>rotated</c> (replaced by <see cref="ReplacedBy"/> and still valid until
/// <see cref="ExpiresAt"/>, its grace period), <c>expired</c> or <c>revoked</c>.
/// </summary>
public sealed record ApiKeyInfo(string Id, string Identity, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string? Description, string? RotatedFrom, string Status, string? ReplacedBy = null);

/// <summary>A newly issued key: <see cref="Key"/> is shown once and never stored.</summary>
/// <param name="ReplacedValidUntil">For a rotation with a grace period: when the replaced key stops working, as stored.</param>
public sealed record IssuedKey(ApiKeyInfo Info, string Key, DateTimeOffset? ReplacedValidUntil = null);

/// <summary>The outcome of presenting a key.</summary>
public sealed record ApiKeyAuthentication(IdentityInfo? Identity, string? KeyId, string? Failure)
{
    public bool Succeeded => Identity is not null;
}

/// <summary>A key operation that cannot be done (unknown identity or key); the message says why.</summary>
public sealed class ApiKeyException : Exception
{
    public ApiKeyException()
    {
    }

    public ApiKeyException(string message)
        : base(message)
    {
    }

    public ApiKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Issues, checks, rotates and revokes API keys for configured identities. Key lifecycle events
/// are recorded in the audit chain.
/// </summary>
public sealed class ApiKeyService
{
    /// <summary>Last use is written at most this often per key, so authentication is not a write per call.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    // Compared against when the id is unknown, so both paths do the same work.
    private static readonly byte[] DecoyHash = ApiKeyFormat.HashSecret(ApiKeyFormat.NewSecret());

    private readonly IGatewayStore _store;
    private readonly AuditRecorder _audit;
    private readonly IIdentityDirectory _identities;
    private readonly TimeProvider _time;

    public ApiKeyService(IGatewayStore store, AuditRecorder audit, IIdentityDirectory identities, TimeProvider time)
    {
        _store = store;
        _audit = audit;
        _identities = identities;
        _time = time;
    }

    public async Task<IssuedKey> CreateAsync(string identity, DateTimeOffset? expiresAt, string? description, CancellationToken cancellationToken)
    {
        var info = RequireIdentity(identity);
        var issued = await IssueAsync(info.Name, expiresAt, description, null, cancellationToken).ConfigureAwait(false);
        await RecordAsync(AuditEventTypes.KeyCreated, issued.Info, null, cancellationToken).ConfigureAwait(false);
        return issued;
    }

    public async Task<ApiKeyAuthentication> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(presented, out var id, out var secret))
        {
            return new ApiKeyAuthentication(null, null, "The credential is not an McpGateway API key (mgw_<id>_<secret>).");
        }

        var key = await _store.Keys.FindAsync(id, cancellationToken).ConfigureAwait(false);
        var matches = CryptographicOperations.FixedTimeEquals(ApiKeyFormat.HashSecret(secret), key?.SecretHash ?? DecoyHash);
        if (key is null || !matches)
        {
            return new ApiKeyAuthentication(null, id, "The API key is not valid.");
        }

        var now = _time.GetUtcNow();
        var failure = Status(key, null, now) switch
        {
            "revoked" => "The API key was revoked.",
            "expired" => "The API key has expired.",
            _ => null,
        };
        var identity = _identities.Find(key.Identity);
        if (failure is null && identity is null)
        {
            failure = $"The API key's identity '{key.Identity}' is no longer configured.";
        }

        if (failure is not null)
        {
            return new ApiKeyAuthentication(null, id, failure);
        }

        if (key.LastUsedAt is not { } last || now - last >= LastUseResolution)
        {
            try
            {
                await _store.Keys.TouchAsync(id, now, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or System.Data.Common.DbException)
            {
                // Last use is bookkeeping, not a check: a busy store does not turn a valid key away.
                // It is written again on a later request.
            }
        }

        return new ApiKeyAuthentication(identity, id, null);
    }

    public async Task<ApiKeyInfo> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        var key = await RequireKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (!await _store.Keys.RevokeAsync(key.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new ApiKeyException($"Key {key.Id} was already revoked.");
        }

        var revoked = Describe((await _store.Keys.FindAsync(key.Id, cancellationToken).ConfigureAwait(false))!, await FindReplacementAsync(key, cancellationToken).ConfigureAwait(false));
        await RecordAsync(AuditEventTypes.KeyRevoked, revoked, null, cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    /// <summary>
    /// Issues a replacement for <paramref name="keyId"/>; the old key stops working after
    /// <paramref name="grace"/> (at once when zero).
    /// </summary>
    public async Task<IssuedKey> RotateAsync(string keyId, DateTimeOffset? expiresAt, TimeSpan grace, CancellationToken cancellationToken)
    {
        var old = await RequireKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (await FindReplacementAsync(old, cancellationToken).ConfigureAwait(false) is { } replacement)
        {
            throw new ApiKeyException($"Key {old.Id} was already rotated: its replacement is {replacement}. Rotate or revoke that one instead.");
        }

        if (Status(old, null, _time.GetUtcNow()) is var status && status != "active")
        {
            throw new ApiKeyException($"Key {old.Id} is {status}; only an active key can be rotated. Create a new key instead.");
        }

        RequireIdentity(old.Identity);

        var issued = await IssueAsync(old.Identity, expiresAt, old.Description, old.Id, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (grace <= TimeSpan.Zero)
        {
            await _store.Keys.RevokeAsync(old.Id, now, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _store.Keys.ExpireByAsync(old.Id, now + grace, cancellationToken).ConfigureAwait(false);
        }

        await RecordAsync(AuditEventTypes.KeyRotated, issued.Info, new JsonObject { ["replaces"] = old.Id, ["oldKeyValidUntil"] = AuditChain.FormatTimestamp(now + (grace > TimeSpan.Zero ? grace : TimeSpan.Zero)) }, cancellationToken).ConfigureAwait(false);
        return grace > TimeSpan.Zero ? issued with { ReplacedValidUntil = now + grace } : issued;
    }

    public async IAsyncEnumerable<ApiKeyInfo> ListAsync(string? identity, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A replacement has the identity of the key it replaces, so it is in the same list.
        var keys = await _store.Keys.ListAsync(identity, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var replacements = keys.Where(k => k.RotatedFrom is not null).ToDictionary(k => k.RotatedFrom!, k => k.Id, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            yield return Describe(key, replacements.GetValueOrDefault(key.Id));
        }
    }

    private async Task<IssuedKey> IssueAsync(string identity, DateTimeOffset? expiresAt, string? description, string? rotatedFrom, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (expiresAt is { } expiry && expiry <= now)
        {
            throw new ApiKeyException($"The expiry {expiry:O} is not in the future.");
        }

        var id = ApiKeyFormat.NewId();
        var secret = ApiKeyFormat.NewSecret();
        var record = new ApiKeyRecord(id, identity, ApiKeyFormat.HashSecret(secret), now, expiresAt, null, null, description, rotatedFrom);
        await _store.Keys.InsertAsync(record, cancellationToken).ConfigureAwait(false);
        return new IssuedKey(Describe(record, null), ApiKeyFormat.Compose(id, secret));
    }

    private IdentityInfo RequireIdentity(string identity)
    {
        var info = _identities.Find(identity) ?? throw new ApiKeyException($"Identity '{identity}' is not configured; keys can only be issued for identities in the configuration's 'Identities' section.");
        return info.Roles.Count > 0
            ? info
            : throw new ApiKeyException($"Identity '{identity}' holds no role (agent, operator or auditor), so a key would grant nothing; give it a role in the configuration first.");
    }

    private async Task<ApiKeyRecord> RequireKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var id = ApiKeyFormat.NormaliseId(keyId) ?? throw new ApiKeyException($"That is not a key id; key ids are {ApiKeyFormat.IdLength} characters, as shown by 'keys list'.");
        return await _store.Keys.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ApiKeyException($"There is no key {id}.");
    }

    private async Task RecordAsync(string type, ApiKeyInfo key, JsonObject? extra, CancellationToken cancellationToken)
    {
        var payload = new JsonObject
        {
            ["keyId"] = key.Id,
            ["identity"] = key.Identity,
            ["expiresAt"] = key.ExpiresAt is { } e ? AuditChain.FormatTimestamp(e) : null,
            ["description"] = key.Description,
        };
        foreach (var (name, value) in extra ?? [])
        {
            payload[name] = value?.DeepClone();
        }

        await _audit.RecordAsync(new AuditAppend(type, new AuditIds(Identity: key.Identity), payload), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The id of the key that replaced <paramref name="key"/> by rotation, if any.</summary>
    private async Task<string?> FindReplacementAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await foreach (var other in _store.Keys.ListAsync(key.Identity, cancellationToken).ConfigureAwait(false))
        {
            if (other.RotatedFrom == key.Id)
            {
                return other.Id;
            }
        }

        return null;
    }

    private ApiKeyInfo Describe(ApiKeyRecord key, string? replacedBy) =>
        new(key.Id, key.Identity, key.CreatedAt, key.ExpiresAt, key.RevokedAt, key.LastUsedAt, key.Description, key.RotatedFrom, Status(key, replacedBy, _time.GetUtcNow()), replacedBy);

    /// <summary>A replaced key that has neither expired nor been revoked is in its rotation grace period.</summary>
    private static string Status(ApiKeyRecord key, string? replacedBy, DateTimeOffset now) =>
        key.RevokedAt is not null ? "revoked"
        : key.ExpiresAt is { } e && e <= now ? "expired"
        : replacedBy is not null ? "rotated"
        : "active";
}
