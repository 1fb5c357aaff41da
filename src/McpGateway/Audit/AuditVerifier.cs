namespace McpGateway.Audit;

/// <summary>The outcome of <c>audit verify</c>.</summary>
/// <param name="Entries">Entries checked before the first problem (all of them when intact).</param>
/// <param name="Purged">Entries whose payload was purged (their headers still chain).</param>
/// <param name="Head">The last good entry.</param>
/// <param name="FirstBad">The seq of the first entry that does not verify, if any.</param>
/// <param name="Problem">What is wrong with it.</param>
public sealed record AuditVerification(long Entries, long Purged, AuditEntry? Head, long? FirstBad, string? Problem)
{
    public bool Intact => FirstBad is null;
}

/// <summary>
/// Walks the chain from the first entry and stops at the first that does not verify: a gap in
/// seq (deleted), a header that does not hash to its entry hash (edited), a payload that does not
/// hash to its payload hash (edited), or a prevHash that is not the previous entry's hash
/// (edited, inserted, deleted or reordered). Deleting the newest entries, or rewriting the whole
/// chain, is only caught against signed checkpoints.
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

    public static async Task<AuditVerification> VerifyAsync(IAuditStore store, CancellationToken cancellationToken)
    {
        AuditEntry? previous = null;
        long count = 0, purged = 0;
        try
        {
            await foreach (var entry in store.ReadAsync(AuditQuery.All, cancellationToken).ConfigureAwait(false))
            {
                if (Check(previous, entry) is { } problem)
                {
                    return new AuditVerification(count, purged, previous, entry.Seq, problem);
                }

                purged += entry.Payload is null ? 1 : 0;
                count++;
                previous = entry;
            }
        }
        catch (AuditFormatException ex)
        {
            return new AuditVerification(count, purged, previous, ex.Seq, ex.Message);
        }

        return new AuditVerification(count, purged, previous, null, null);
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
