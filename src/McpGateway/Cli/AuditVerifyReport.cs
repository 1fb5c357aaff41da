using McpGateway.Audit;

namespace McpGateway.Cli;

/// <summary>How <c>audit verify</c> words its outcome: what verified, and what it cannot prove.</summary>
internal static class AuditVerifyReport
{
    public static async Task<int> WriteAsync(AuditVerification result, bool exported, TextWriter output)
    {
        var what = exported ? "exported range" : "audit chain";
        if (result.AnchorProblem is { } anchorProblem)
        {
            await output.WriteLineAsync($"{what} NOT VERIFIED: {anchorProblem}").ConfigureAwait(false);
            return GatewayCli.CheckFailed;
        }

        if (!result.Intact)
        {
            await output.WriteLineAsync($"{what} BROKEN at entry {result.FirstBad}: {result.Problem}").ConfigureAwait(false);
            await output.WriteLineAsync($"{result.Entries} entries verified before it{(result.Head is { } h ? $" (last good: entry {h.Seq}, {h.EntryHash})" : string.Empty)}.").ConfigureAwait(false);
            return GatewayCli.CheckFailed;
        }

        var head = result.Head is { } last ? $"; head entry {last.Seq} {last.EntryHash}" : string.Empty;
        var range = exported && result.Head is { } end ? $" (entries {result.FirstSeq}–{end.Seq})" : string.Empty;
        var purged = result.Purged > 0 ? $", {result.Purged} with purged payloads" : string.Empty;
        await output.WriteLineAsync($"{what} OK: {result.Entries} entries{range}{purged}{head}").ConfigureAwait(false);
        foreach (var line in Proof(result, exported))
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        return GatewayCli.Success;
    }

    private static IEnumerable<string> Proof(AuditVerification result, bool exported)
    {
        if (result.Checkpoints == 0)
        {
            yield return "Not proven: no signed checkpoint covers these entries, so entries changed with their hashes recomputed would pass.";
        }
        else if (result.SignedThrough < result.FirstSeq)
        {
            yield return $"Linked: the range starts at a checkpoint that signs entry {result.SignedThrough}; no checkpoint in the range signs its own entries.";
            if (result.UnsignedThrough > 0)
            {
                yield return $"Not proven: entries {result.FirstSeq}–{result.UnsignedThrough} follow the newest checkpoint, so changed with their hashes recomputed they would pass.";
            }
        }
        else
        {
            yield return $"Signed: {result.Checkpoints} checkpoints verify; entries {result.FirstSeq}–{result.SignedThrough} are as signed.";
            if (result.UnsignedThrough > 0)
            {
                yield return $"Not proven: entries {result.SignedThrough + 1}–{result.UnsignedThrough} follow the newest checkpoint, so changed with their hashes recomputed they would pass.";
            }
        }

        if (exported)
        {
            yield return result.AnchoredThrough is null
                ? "Not proven: the range ends where the export ended; whether the chain went on after it is not shown (give --anchor FILE to check the range against a checkpoint log)."
                : "Anchored: every anchored checkpoint within the range matches; whether the chain went on after the range is not shown.";
        }
        else
        {
            yield return result.AnchoredThrough is null
                ? "Not proven: no anchor (no checkpoint log, no --anchor FILE), so removing the newest entries would pass."
                : $"Anchored: the chain reaches the newest checkpoint in the anchor (entry {result.AnchoredThrough}); removing entries after it would pass.";
        }

        foreach (var note in result.Notes)
        {
            yield return "Note: " + note;
        }
    }
}
