using System.Security.Cryptography;
using McpGateway.Runtime;
using McpGateway.Storage;

namespace McpGateway.Audit.Changes;

/// <summary>
/// The evidence of configuration changes: each loaded policy revision's files, kept
/// content-addressed in the store, and a <c>config.reloaded</c> entry for every successful reload.
/// </summary>
internal sealed class ConfigurationHistory(IGatewayStore store, AuditRecorder recorder, TimeProvider time)
{
    /// <summary>Stores the files of <paramref name="snapshot"/>'s bundle, unless that revision is stored already.</summary>
    public Task<bool> SaveRevisionAsync(RuntimeSnapshot snapshot, CancellationToken cancellationToken) =>
        store.PolicyRevisions.SaveAsync(Revision(snapshot, time.GetUtcNow()), cancellationToken);

    /// <summary>Stores the new revision's files, then records <c>config.reloaded</c> with <paramref name="change"/>.</summary>
    public async Task<AuditEntry> RecordReloadAsync(RuntimeSnapshot after, ConfigurationChange change, CancellationToken cancellationToken)
    {
        await SaveRevisionAsync(after, cancellationToken).ConfigureAwait(false);
        return await recorder.RecordAsync(new AuditAppend(AuditEventTypes.ConfigReloaded, AuditIds.None, change.ToJson()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The revision of <paramref name="snapshot"/>'s bundle with its files exactly as they were loaded.</summary>
    public static PolicyRevision Revision(RuntimeSnapshot snapshot, DateTimeOffset at) => new(
        snapshot.Revision,
        at,
        [.. snapshot.Engine.Current.Bundle.Sources.Select(s => new PolicyRevisionFile(s.Name, Convert.ToHexStringLower(SHA256.HashData(s.Content)), s.Content))]);
}
