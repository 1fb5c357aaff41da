using System.Text.Json.Nodes;
using McpGateway.Storage;

namespace McpGateway.Audit.Purge;

/// <summary>
/// The two ways payloads are purged — an auditor's erasure request and the retention job — and
/// what the chain records of each (<c>audit.purged</c>: who asked, the selector and the counts,
/// never the purged content), written in the purge's own transaction.
/// </summary>
internal sealed class AuditPurgeService(IGatewayStore store, AuditRecorder recorder, TimeProvider time)
{
    public const string Erasure = "erasure";
    public const string Retention = "retention";

    /// <summary>
    /// Purges the payloads <paramref name="selector"/> selects, as asked by <paramref name="requestedBy"/>;
    /// recorded even when nothing matched, so every request is on the chain.
    /// </summary>
    public Task<AuditPurgeResult> EraseAsync(string requestedBy, AuditPurgeSelector selector, string? reason, CancellationToken cancellationToken) =>
        store.Purges.PurgeAsync(
            selector,
            (entries, approvals) => recorder.Prepare(new AuditAppend(AuditEventTypes.AuditPurged, new AuditIds(Identity: requestedBy), Payload(Erasure, requestedBy, selector, entries, approvals, reason))),
            recordWhenNothing: true,
            cancellationToken);

    /// <summary>Purges payloads older than <paramref name="retain"/>; recorded only when something was purged.</summary>
    public Task<AuditPurgeResult> RetainAsync(TimeSpan retain, CancellationToken cancellationToken)
    {
        var selector = new AuditPurgeSelector(null, time.GetUtcNow() - retain);
        var setting = $"McpGateway:Audit:RetainPayloads = {Policies.Model.DurationText.Format(retain)}";
        return store.Purges.PurgeAsync(
            selector,
            (entries, approvals) => recorder.Prepare(new AuditAppend(AuditEventTypes.AuditPurged, AuditIds.None, Payload(Retention, setting, selector, entries, approvals, null))),
            recordWhenNothing: false,
            cancellationToken);
    }

    private static JsonObject Payload(string kind, string requestedBy, AuditPurgeSelector selector, long entries, long approvals, string? reason) => new()
    {
        ["kind"] = kind,
        ["requestedBy"] = requestedBy,
        ["selector"] = selector.ToJson(),
        ["reason"] = reason,
        ["entries"] = entries,
        ["approvals"] = approvals,
    };
}
