using System.Text.Json.Nodes;

namespace McpGateway.Audit.Purge;

/// <summary>
/// Which payloads a purge removes: those of entries (and final approval requests) older than
/// <paramref name="Before"/>, of <paramref name="Identity"/> only when given (an erasure request).
/// </summary>
/// <param name="Identity">The identity in the entries' header (and the approvals' requester); null for every identity.</param>
/// <param name="Before">Only entries strictly older than this.</param>
public sealed record AuditPurgeSelector(string? Identity, DateTimeOffset Before)
{
    public JsonObject ToJson() => new()
    {
        ["identity"] = Identity,
        ["before"] = AuditChain.FormatTimestamp(Before),
    };
}

/// <summary>What a purge removed, and the <c>audit.purged</c> entry that records it (null when nothing was recorded).</summary>
/// <param name="Entries">Entries whose payload was removed.</param>
/// <param name="Approvals">Final approval requests whose stored request, preview and result were removed.</param>
/// <param name="Record">The <c>audit.purged</c> entry.</param>
public sealed record AuditPurgeResult(long Entries, long Approvals, AuditEntry? Record);

/// <summary>
/// Removes payloads while the headers stay: only the payload column of entries, and the stored
/// request (unmasked and masked arguments, preview, justification, result) of final approval
/// requests. Headers hash to their entry hash and chain as before, so <c>audit verify</c> still
/// passes and counts the purged entries. <c>audit.purged</c> and <c>audit.checkpoint</c>
/// entries are never purged: they are the evidence of purges and of the chain's extent.
/// </summary>
public interface IAuditPurgeStore
{
    /// <summary>
    /// Purges what <paramref name="selector"/> selects and appends the entry <paramref name="record"/>
    /// makes of the counts, in one write transaction; when <paramref name="recordWhenNothing"/> is
    /// false and nothing was purged, nothing is appended.
    /// </summary>
    Task<AuditPurgeResult> PurgeAsync(AuditPurgeSelector selector, Func<long, long, AuditAppend> record, bool recordWhenNothing, CancellationToken cancellationToken);
}
