using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>Entry types of the audit chain.</summary>
public static class AuditEventTypes
{
    public const string CallRefused = "call.refused";
    public const string CallStarted = "call.started";
    public const string CallFinished = "call.finished";
    public const string CallAbandoned = "call.abandoned";
    public const string ApprovalRequested = "approval.requested";
    public const string ApprovalDecided = "approval.decided";
    public const string ApprovalExecuted = "approval.executed";
    public const string ApprovalExpired = "approval.expired";
    public const string ApprovalCancelled = "approval.cancelled";
    public const string UnmaskedViewed = "unmasked.viewed";
    public const string ExportDownloaded = "export.downloaded";
    public const string KeyCreated = "key.created";
    public const string KeyRevoked = "key.revoked";
    public const string KeyRotated = "key.rotated";

    /// <summary>A signed checkpoint of the chain head (see <see cref="Checkpoints.SignedCheckpoint"/>).</summary>
    public const string AuditCheckpoint = "audit.checkpoint";

    /// <summary>Payloads were purged (retention or an erasure request): who asked, the selector, the count — never the content.</summary>
    public const string AuditPurged = "audit.purged";

    /// <summary>The configuration, bundle or a secret file changed and was reloaded: revisions and names, never values.</summary>
    public const string ConfigReloaded = "config.reloaded";

    /// <summary>An identified caller was refused a new MCP session (over its session quota).</summary>
    public const string SessionRefused = "session.refused";

    /// <summary>An operator or auditor signed in to the console (how: the key's id or the issuer).</summary>
    public const string ConsoleSignedIn = "console.signed_in";

    /// <summary>A console session ended by signing out.</summary>
    public const string ConsoleSignedOut = "console.signed_out";
}

/// <summary>The ids an entry is about; all optional.</summary>
public sealed record AuditIds(string? CallId = null, string? SessionId = null, string? ApprovalId = null, string? Identity = null)
{
    public static AuditIds None { get; } = new();
}

/// <summary>What a writer asks to append. The store assigns seq, ts and the hashes.</summary>
/// <param name="Type">One of <see cref="AuditEventTypes"/>.</param>
/// <param name="Ids">The ids the entry is about.</param>
/// <param name="Payload">The content, already masked; canonicalised (RFC 8785) before hashing.</param>
/// <param name="Lease">For <c>call.started</c>: the writing instance and until when it vouches for the call.</param>
public sealed record AuditAppend(string Type, AuditIds Ids, JsonObject Payload, AuditLease? Lease = null)
{
    /// <summary>How the recorder masks the payload (a call's profiles ∪ <c>default</c>); null for the <c>default</c> profile.</summary>
    public Policies.Masking.Masker? Masker { get; init; }
}

/// <summary>The instance that started a call and how long its claim on the call lasts.</summary>
public sealed record AuditLease(string InstanceId, DateTimeOffset Until);

/// <summary>
/// One chain entry. The header — seq, ts, type, ids, prevHash, payloadHash — is fixed; the entry's
/// hash covers the header only, so a payload can be purged while the chain still verifies.
/// </summary>
public sealed record AuditEntry(
    long Seq,
    DateTimeOffset Timestamp,
    string Type,
    AuditIds Ids,
    string PrevHash,
    string PayloadHash,
    string EntryHash,
    string? Payload,
    AuditLease? Lease)
{
    /// <summary>
    /// The payload as JSON; null when it was purged, or when it is not JSON any more (changed
    /// outside the gateway, which <c>audit verify</c> reports).
    /// </summary>
    public JsonNode? PayloadJson()
    {
        if (Payload is null)
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(Payload);
            _ = node is JsonObject obj ? obj.Count : 0;
            return node;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The payload as exports show it: the JSON, or the stored text when it is not JSON, or null when purged.</summary>
    public JsonNode? PayloadForExport() => PayloadJson() ?? (Payload is null ? null : JsonValue.Create(Payload));
}

/// <summary>Which entries to read; all bounds optional and inclusive.</summary>
public sealed record AuditQuery(DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Identity = null, long? AfterSeq = null, string? SessionId = null)
{
    /// <summary>Only the entries of calls of this tool (from the index, so purged payloads still match).</summary>
    public string? Tool { get; init; }

    /// <summary>Only the entries of calls with this decision (<c>allow</c>, <c>deny</c>, <c>approval</c>).</summary>
    public string? Decision { get; init; }

    /// <summary>Only the entries of this approval and of every call that carried it.</summary>
    public string? ApprovalId { get; init; }

    /// <summary>At most this many entries.</summary>
    public int? Limit { get; init; }

    public static AuditQuery All { get; } = new();
}

public interface IAuditStore
{
    /// <summary>
    /// Appends one entry, reading the chain head inside the same write transaction, and returns it
    /// once it is durable. Throws <see cref="Storage.StoreUnavailableException"/> otherwise: the
    /// caller must then refuse whatever the entry was about.
    /// </summary>
    Task<AuditEntry> AppendAsync(AuditAppend entry, CancellationToken cancellationToken);

    /// <summary>Entries in seq order.</summary>
    IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>The seq of the newest entry; 0 when the chain is empty.</summary>
    Task<long> LastSeqAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends <c>call.abandoned</c> for every <c>call.started</c> whose lease ended before
    /// <paramref name="now"/> without a finish — never for a start whose instance still vouches for
    /// it. Runs in one write transaction, so replicas doing this at once mark each call once.
    /// </summary>
    Task<IReadOnlyList<AuditEntry>> MarkAbandonedAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
