namespace McpGateway.Audit;

/// <summary>The outcome of <c>audit verify</c>.</summary>
/// <param name="Entries">Entries checked before the first problem (all of them when intact).</param>
/// <param name="Purged">Entries whose payload was purged (their headers still chain).</param>
/// <param name="Head">The last good entry.</param>
/// <param name="FirstBad">The seq of the first entry that does not verify, if any.</param>
/// <param name="Problem">What is wrong with it.</param>
public sealed record AuditVerification(long Entries, long Purged, AuditEntry? Head, long? FirstBad, string? Problem)
{
    public bool Intact => FirstBad is null && AnchorProblem is null;

    /// <summary>Why the anchor itself was refused (a line that is not a valid checkpoint), if it was.</summary>
    public string? AnchorProblem { get; init; }

    /// <summary>The first entry checked (1 for the store; an exported range may start later).</summary>
    public long FirstSeq { get; init; } = 1;

    /// <summary>Signed checkpoints that verified.</summary>
    public int Checkpoints { get; init; }

    /// <summary>The newest entry a verified checkpoint signs (0: none).</summary>
    public long SignedThrough { get; init; }

    /// <summary>The newest entry (not a checkpoint) after <see cref="SignedThrough"/> that no checkpoint signs (0: none).</summary>
    public long UnsignedThrough { get; init; }

    /// <summary>The newest entry the anchor vouches for, when there was an anchor.</summary>
    public long? AnchoredThrough { get; init; }

    /// <summary>What could not be established, in words.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Walks the chain from the first entry and stops at the first that does not verify: a gap in
/// seq (deleted), a header that does not hash to its entry hash (edited), a payload that does not
/// hash to its payload hash (edited), or a prevHash that is not the previous entry's hash
/// (edited, inserted, deleted or reordered). Deleting the newest entries, or rewriting entries and
/// recomputing the hashes after them, is caught only by signed checkpoints (see
/// <see cref="Checkpoints.CheckpointCheck"/>) and the anchor outside the store.
/// </summary>
public static class AuditVerifier
{
    /// <summary>The lease stored beside an entry (used to mark abandoned calls) must be the one its hashed payload carries.</summary>
    private static bool LeaseMatchesPayload(AuditEntry entry)
    {
        if (entry.PayloadJson() is not System.Text.Json.Nodes.JsonObject payload)
        {
            return false;
        }

        var lease = payload["lease"];
        if (entry.Lease is null || lease is null)
        {
            return entry.Lease is null && lease is null;
        }

        try
        {
            return lease["instanceId"]?.GetValue<string>() == entry.Lease.InstanceId
                && lease["until"]?.GetValue<string>() == AuditChain.FormatTimestamp(entry.Lease.Until);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The chain's links and hashes only: any checkpoint in it fails (there is no key to check it with).</summary>
    public static Task<AuditVerification> VerifyAsync(IAuditStore store, CancellationToken cancellationToken) =>
        VerifyAsync(store, new Checkpoints.AuditVerifyOptions(Checkpoints.CheckpointKeys.None), cancellationToken);

    public static Task<AuditVerification> VerifyAsync(IAuditStore store, Checkpoints.AuditVerifyOptions options, CancellationToken cancellationToken) =>
        VerifyAsync(store.ReadAsync(AuditQuery.All, cancellationToken), options, cancellationToken);

    /// <summary>Walks <paramref name="entries"/> (the store's, or an exported range's) and stops at the first that does not verify.</summary>
    public static async Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditEntry> entries, Checkpoints.AuditVerifyOptions options, CancellationToken cancellationToken)
    {
        var checkpoints = new Checkpoints.CheckpointCheck(options);
        if (checkpoints.CheckAnchor() is { } anchorProblem)
        {
            return new AuditVerification(0, 0, null, null, null) { AnchorProblem = anchorProblem };
        }

        AuditEntry? previous = null;
        long count = 0, purged = 0, first = 1;
        AuditVerification Result(long? firstBad, string? problem) => new(count, purged, previous, firstBad, problem)
        {
            FirstSeq = first,
            Checkpoints = checkpoints.Verified,
            SignedThrough = checkpoints.SignedThrough,
            UnsignedThrough = checkpoints.LastPlain > checkpoints.SignedThrough ? checkpoints.LastPlain : 0,
            AnchoredThrough = options.Anchor is null ? null : checkpoints.AnchoredThrough,
            Notes = checkpoints.Notes,
        };

        try
        {
            await foreach (var entry in entries.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                first = previous is null ? entry.Seq : first;
                var problem = previous is null && options.ExportedRange ? CheckRangeStart(entry) : Check(previous, entry);
                if ((problem ?? checkpoints.Observe(entry)) is { } found)
                {
                    return Result(entry.Seq, found);
                }

                purged += entry.Payload is null ? 1 : 0;
                count++;
                previous = entry;
            }
        }
        catch (AuditFormatException ex)
        {
            return Result(ex.Seq, ex.Message);
        }

        return checkpoints.Finish(previous) is { } truncated ? Result(truncated.FirstBad, truncated.Problem) : Result(null, null);
    }

    /// <summary>An exported range starts at entry 1 or at a checkpoint, whose signature links it to the entries before it.</summary>
    private static string? CheckRangeStart(AuditEntry entry)
    {
        if (entry.Seq == 1)
        {
            return Check(null, entry);
        }

        return entry.Type != AuditEventTypes.AuditCheckpoint
            ? $"The range starts at entry {entry.Seq}, which is not a checkpoint: verify an unfiltered range that starts at an audit.checkpoint entry (audit export --from-seq SEQ) or at entry 1."
            : CheckContent(entry);
    }

    private static string? Check(AuditEntry? previous, AuditEntry entry)
    {
        var expectedSeq = (previous?.Seq ?? 0) + 1;
        if (entry.Seq != expectedSeq)
        {
            return entry.Seq > expectedSeq
                ? $"Entry {entry.Seq} follows {(previous is null ? "the start of the log" : $"entry {previous.Seq}")}: {(entry.Seq - expectedSeq == 1 ? $"entry {expectedSeq} is" : $"entries {expectedSeq}–{entry.Seq - 1} are")} missing (deleted)."
                : $"Entry {entry.Seq} is out of order after entry {previous?.Seq}.";
        }

        var expectedPrev = previous?.EntryHash ?? AuditChain.Genesis;
        if (!string.Equals(entry.PrevHash, expectedPrev, StringComparison.Ordinal))
        {
            return previous is null
                ? $"Entry {entry.Seq} does not start the chain: its prevHash is not the genesis hash."
                : $"Entry {entry.Seq} does not chain to entry {previous.Seq}: its prevHash is not entry {previous.Seq}'s hash, so entry {previous.Seq} was changed, or entries were removed, inserted or reordered here.";
        }

        return CheckContent(entry);
    }

    /// <summary>The entry's own hashes: its payload against payloadHash, its header against its entry hash.</summary>
    private static string? CheckContent(AuditEntry entry)
    {
        if (entry.Payload is not null && !string.Equals(AuditChain.HashText(entry.Payload), entry.PayloadHash, StringComparison.Ordinal))
        {
            return $"Entry {entry.Seq}'s payload was changed: it no longer matches its payloadHash.";
        }

        if (entry.Payload is not null && !LeaseMatchesPayload(entry))
        {
            return $"Entry {entry.Seq}'s lease columns were changed: they no longer match the lease in its payload.";
        }

        var hash = AuditChain.EntryHash(entry.Seq, entry.Timestamp, entry.Type, entry.Ids, entry.PrevHash, entry.PayloadHash);
        return string.Equals(hash, entry.EntryHash, StringComparison.Ordinal)
            ? null
            : $"Entry {entry.Seq}'s header was changed: it no longer matches its entry hash.";
    }
}
