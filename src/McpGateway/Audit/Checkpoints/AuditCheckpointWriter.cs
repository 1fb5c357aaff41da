using McpGateway.Configuration;
using McpGateway.Diagnostics;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// Signs the chain head and records it twice: as an <c>audit.checkpoint</c> entry in the chain
/// (appended like any entry, through <see cref="IAuditStore.AppendAsync"/>) and as a line of the
/// checkpoint log outside the store. It follows the chain by reading what was appended since it
/// last looked; on its first look it starts from the newest logged checkpoint, checks that the
/// chain still holds it, and copies into the log any checkpoint the chain has and the log lacks
/// (a crash between the two writes, or another replica's). Not thread-safe: one caller at a time
/// (<see cref="AuditCheckpointService"/>).
/// </summary>
internal sealed partial class AuditCheckpointWriter(IAuditStore audit, AuditSigningKey key, AuditOptions options, TimeProvider time, ILogger<AuditCheckpointWriter> logger)
{
    // Seqs of entries (other than checkpoints) that no checkpoint covers yet, oldest first.
    private readonly Queue<long> _uncovered = new();
    private readonly Queue<CheckpointAnchor> _unlogged = new();
    private readonly CheckpointKeys _ownKey = new CheckpointKeys().Add(key.PublicKey);
    private AuditEntry? _head;
    private long _anchoredThrough;
    private DateTimeOffset _lastCheckpointAt = DateTimeOffset.MinValue;
    private bool _started;
    private string? _chainProblem;
    private string? _failure;

    /// <summary>What is wrong now (a checkpoint not taken or not logged, a chain behind its log); null while all is well.</summary>
    public string? Failure => Volatile.Read(ref _chainProblem) ?? Volatile.Read(ref _failure);

    /// <summary>Entries that no checkpoint covers yet.</summary>
    public int Uncovered => _uncovered.Count;

    /// <summary>Whether a checkpoint is due: <c>Every</c> entries uncovered, or any uncovered for <c>Interval</c>.</summary>
    public bool IsDue(DateTimeOffset now) =>
        _uncovered.Count >= options.Checkpoints.Every
        || (_uncovered.Count > 0 && now - _lastCheckpointAt >= options.Checkpoints.Interval);

    /// <summary>Reads the entries appended since the last look (on the first, from the newest logged checkpoint).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            await ReadAsync(_head?.Seq, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var newest = ReadNewestLogged();
        _anchoredThrough = newest?.CheckpointSeq ?? 0;
        await ReadAsync(newest is null ? null : newest.Checkpoint.Statement.Seq - 1, newest, cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    /// <summary>Signs the head and appends the checkpoint to the chain, then to the log. Returns null when every entry is covered already.</summary>
    public async Task<CheckpointAnchor?> TakeAsync(CancellationToken cancellationToken)
    {
        if (_head is not { } head || _uncovered.Count == 0)
        {
            return null;
        }

        var now = AuditChain.Truncate(time.GetUtcNow());
        var signed = SignedCheckpoint.Sign(new CheckpointStatement(head.Seq, head.EntryHash, now, key.KeyId), key);

        // The payload is the gateway's own (hashes, a time, a key id, a signature): nothing to
        // mask, and masking could only corrupt the signature, so it is appended as it is.
        var entry = await audit.AppendAsync(new AuditAppend(AuditEventTypes.AuditCheckpoint, AuditIds.None, signed.ToPayload()), cancellationToken).ConfigureAwait(false);
        var anchor = new CheckpointAnchor(signed, entry.Seq, entry.EntryHash);
        _unlogged.Enqueue(anchor);
        _anchoredThrough = Math.Max(_anchoredThrough, entry.Seq);
        Cover(head.Seq, now);
        Volatile.Write(ref _failure, null);
        Taken(logger, entry.Seq, head.Seq, key.KeyId);
        FlushLog();
        return anchor;
    }

    /// <summary>Appends to the log what is not there yet; what cannot be written is tried again next time.</summary>
    public void FlushLog()
    {
        while (_unlogged.TryPeek(out var anchor))
        {
            try
            {
                CheckpointLog.Append(options.CheckpointLog, anchor);
                _unlogged.Dequeue();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var problem = $"checkpoint entry {anchor.CheckpointSeq} is in the chain but could not be written to the checkpoint log {options.CheckpointLog} ({ex.GetType().Name}: {ex.Message}); it is tried again";
                Volatile.Write(ref _failure, problem);
                LogFailed(logger, anchor.CheckpointSeq, options.CheckpointLog, $"{ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
    }

    /// <summary>Records a failure of a tick (the store, the signature) for health and the next look.</summary>
    public void Fail(string problem)
    {
        Volatile.Write(ref _failure, problem);
        Failed(logger, problem);
    }

    private CheckpointAnchor? ReadNewestLogged()
    {
        try
        {
            return CheckpointLog.ReadNewest(options.CheckpointLog);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail($"the checkpoint log {options.CheckpointLog} cannot be read ({ex.GetType().Name}: {ex.Message})");
            return null;
        }
    }

    private async Task ReadAsync(long? afterSeq, CheckpointAnchor? logged, CancellationToken cancellationToken)
    {
        var reachedLogged = logged is null;
        await foreach (var entry in audit.ReadAsync(new AuditQuery(AfterSeq: afterSeq), cancellationToken).ConfigureAwait(false))
        {
            if (logged is not null && (entry.Seq == logged.Checkpoint.Statement.Seq || entry.Seq == logged.CheckpointSeq))
            {
                var expected = entry.Seq == logged.CheckpointSeq ? logged.CheckpointHash : logged.Checkpoint.Statement.EntryHash;
                if (!string.Equals(entry.EntryHash, expected, StringComparison.Ordinal))
                {
                    ChainBehind($"entry {entry.Seq} of the chain is not the one the newest logged checkpoint (entry {logged.CheckpointSeq}) names: the chain was rewritten; run 'mcp-gateway audit verify'");
                }

                reachedLogged |= entry.Seq == logged.CheckpointSeq;
            }

            Observe(entry);
        }

        if (!reachedLogged)
        {
            ChainBehind($"the chain ends at entry {_head?.Seq ?? 0}, before the newest logged checkpoint (entry {logged!.CheckpointSeq}): its newest entries were removed; run 'mcp-gateway audit verify'");
        }
    }

    private void Observe(AuditEntry entry)
    {
        _head = entry;
        if (entry.Type != AuditEventTypes.AuditCheckpoint)
        {
            _uncovered.Enqueue(entry.Seq);
            return;
        }

        if (SignedCheckpoint.TryParse(entry.PayloadJson(), out var problem) is not { } checkpoint)
        {
            NotLogged(logger, entry.Seq, problem ?? "its payload was purged");
            return;
        }

        Cover(checkpoint.Statement.Seq, entry.Timestamp);
        if (entry.Seq <= _anchoredThrough)
        {
            return;
        }

        // A checkpoint the log lacks: copied in only when it is this key's and verifies.
        if (checkpoint.Check(_ownKey) is { } invalid)
        {
            NotLogged(logger, entry.Seq, invalid);
            return;
        }

        _unlogged.Enqueue(new CheckpointAnchor(checkpoint, entry.Seq, entry.EntryHash));
        _anchoredThrough = entry.Seq;
    }

    private void Cover(long seq, DateTimeOffset at)
    {
        while (_uncovered.TryPeek(out var next) && next <= seq)
        {
            _uncovered.Dequeue();
        }

        _lastCheckpointAt = at > _lastCheckpointAt ? at : _lastCheckpointAt;
    }

    private void ChainBehind(string problem)
    {
        Volatile.Write(ref _chainProblem, problem);
        ChainBehindLog(logger, options.CheckpointLog, problem);
    }

    [LoggerMessage(GatewayEventIds.CheckpointTaken, LogLevel.Information, "Audit checkpoint at entry {Seq} signs entry {SignedSeq} (key {KeyId})")]
    private static partial void Taken(ILogger logger, long seq, long signedSeq, string keyId);

    [LoggerMessage(GatewayEventIds.CheckpointFailed, LogLevel.Error, "Audit checkpoint not taken: {Problem}")]
    private static partial void Failed(ILogger logger, string problem);

    [LoggerMessage(GatewayEventIds.CheckpointLogFailed, LogLevel.Error, "Audit checkpoint at entry {Seq} could not be written to the checkpoint log {Path}: {Problem}")]
    private static partial void LogFailed(ILogger logger, long seq, string path, string problem);

    [LoggerMessage(GatewayEventIds.CheckpointChainBehindLog, LogLevel.Critical, "The audit chain does not match the checkpoint log {Path}: {Problem}")]
    private static partial void ChainBehindLog(ILogger logger, string path, string problem);

    [LoggerMessage(GatewayEventIds.CheckpointNotLogged, LogLevel.Error, "Checkpoint entry {Seq} of the chain is not copied to the checkpoint log: {Problem}")]
    private static partial void NotLogged(ILogger logger, long seq, string problem);
}
