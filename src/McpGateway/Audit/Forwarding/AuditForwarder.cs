using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;
using McpGateway.Delivery;
using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit.Forwarding;

/// <summary>
/// Forwards the audit chain to the configured SIEM, one batch at a time, from whichever replica
/// holds the job lease <c>audit-forwarding</c>. The cursor — the last seq a receiver acknowledged
/// with a 2xx — is kept in the store and moves only after a 2xx, so forwarding is at least once:
/// a batch whose acknowledgement was lost is sent again whole, never in part. A failed batch is
/// retried as it is (same entries, same delivery id) with exponential backoff. Not thread-safe:
/// one caller at a time (<see cref="AuditForwardingService"/>).
/// </summary>
internal sealed partial class AuditForwarder(IGatewayStore store, GatewayRuntime runtime, GatewayInstance instance, IHttpClientFactory clients, ForwardingState state, TimeProvider time, ILogger<AuditForwarder> logger)
{
    public const string JobName = "audit-forwarding";

    private static readonly TimeSpan LeaseFor = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ForwardingBatch? _pending;
    private int _attempts;
    private DateTimeOffset _retryAt;
    private readonly HeldJobLease _lease = new(store.Jobs, JobName, instance.Id, LeaseFor);
    private CheckpointAnchor? _chainCheckpoint;

    /// <summary>The batch being delivered (built, not yet acknowledged), if any.</summary>
    public ForwardingBatch? Pending => _pending;

    /// <summary>
    /// One step: reads the cursor, builds the next batch when none is pending, and sends it when
    /// it is due. True when a batch was acknowledged (more may wait: call again at once).
    /// </summary>
    public async Task<bool> ForwardAsync(CancellationToken cancellationToken)
    {
        var snapshot = runtime.Current;
        if (snapshot.Configuration.AuditOrDefault.Forwarding is not { } options)
        {
            Forget();
            state.Off();
            return false;
        }

        var cursor = await store.Jobs.ReadPositionAsync(JobName, cancellationToken).ConfigureAwait(false);
        var head = await store.Audit.LastSeqAsync(cancellationToken).ConfigureAwait(false);
        state.Position(cursor, head);
        var now = time.GetUtcNow();
        if (!await _lease.HoldAsync(now, cancellationToken).ConfigureAwait(false))
        {
            Forget();
            return false;
        }

        // Settings changed by a reload, or the cursor moved under us (the lease changed hands in between).
        if (_pending is { } stale && (stale.Options != options || stale.FirstSeq != cursor + 1))
        {
            Forget();
        }

        if (_pending is null)
        {
            if (head <= cursor || await NextBatchAsync(cursor, options, snapshot.Configuration.AuditOrDefault, cancellationToken).ConfigureAwait(false) is not { } batch)
            {
                return false;
            }

            _pending = batch;
            _attempts = 0;
            _retryAt = now;
        }

        if (now < _retryAt)
        {
            return false;
        }

        var pending = _pending;
        var problem = await SendAsync(pending, options, snapshot.Secrets, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            var wait = SignedDelivery.Backoff(_attempts);
            _attempts++;
            _retryAt = time.GetUtcNow() + wait;
            state.Failed(problem);
            Failed(logger, pending.DeliveryId, pending.FirstSeq, pending.LastSeq, _attempts, problem, wait);
            return false;
        }

        Forget();
        if (!await store.Jobs.AdvancePositionAsync(JobName, instance.Id, pending.LastSeq, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            // Delivered, but another replica holds the lease now: it sends from the cursor, so
            // this batch may arrive again (at least once), and nothing is lost.
            _lease.Lost();
            LeaseLost(logger, pending.DeliveryId);
            return false;
        }

        state.Delivered(pending.LastSeq, head);
        Delivered(logger, pending.DeliveryId, pending.FirstSeq, pending.LastSeq);
        return true;
    }

    private void Forget()
    {
        _pending = null;
        _attempts = 0;
    }

    private async Task<ForwardingBatch?> NextBatchAsync(long cursor, ForwardingOptions options, AuditOptions audit, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>(Math.Min(options.BatchSize, 1024));
        await foreach (var entry in store.Audit.ReadAsync(new AuditQuery(AfterSeq: cursor) { Limit = options.BatchSize }, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
            if (entry.Type == AuditEventTypes.AuditCheckpoint && SignedCheckpoint.TryParse(entry.PayloadJson(), out _) is { } checkpoint)
            {
                _chainCheckpoint = new CheckpointAnchor(checkpoint, entry.Seq, entry.EntryHash);
            }
        }

        return entries.Count == 0 ? null : ForwardingBatch.Build(entries, options, NewestCheckpoint(audit));
    }

    /// <summary>The newest checkpoint known here: the last one forwarded from the chain, or the checkpoint log's, whichever reaches further.</summary>
    private CheckpointAnchor? NewestCheckpoint(AuditOptions audit)
    {
        CheckpointAnchor? logged = null;
        try
        {
            logged = CheckpointLog.ReadNewest(audit.CheckpointLog);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The chain's own checkpoints still go out; the checkpoint service reports the log.
        }

        return logged is not null && (_chainCheckpoint is null || logged.CheckpointSeq > _chainCheckpoint.CheckpointSeq) ? logged : _chainCheckpoint;
    }

    /// <summary>Sends one batch; null when the receiver took it (2xx), else why not (never a secret: the URL is not named).</summary>
    private Task<string?> SendAsync(ForwardingBatch batch, ForwardingOptions options, HeldSecrets secrets, CancellationToken cancellationToken) =>
        SignedDelivery.SendAsync(clients.CreateClient(SignedDelivery.ClientName), options.Url, options.SigningKey, secrets, httpsOnly: true, batch.Body, ForwardingBatch.MediaType, batch.DeliveryId, time.GetUtcNow(), Timeout, cancellationToken);

    [LoggerMessage(GatewayEventIds.ForwardingDelivered, LogLevel.Debug, "Audit forwarding: delivered {Delivery} (entries {FirstSeq} to {LastSeq})")]
    private static partial void Delivered(ILogger logger, string delivery, long firstSeq, long lastSeq);

    [LoggerMessage(GatewayEventIds.ForwardingFailed, LogLevel.Warning, "Audit forwarding: attempt {Attempt} of {Delivery} (entries {FirstSeq} to {LastSeq}) failed: {Problem}; retrying in {Backoff}")]
    private static partial void Failed(ILogger logger, string delivery, long firstSeq, long lastSeq, int attempt, string problem, TimeSpan backoff);

    [LoggerMessage(GatewayEventIds.ForwardingLeaseLost, LogLevel.Warning, "Audit forwarding: {Delivery} was delivered after this process lost the forwarding lease; the replica holding it sends from the stored cursor, so the batch may arrive twice")]
    private static partial void LeaseLost(ILogger logger, string delivery);
}
