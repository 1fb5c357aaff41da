namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// What <c>audit verify</c> checks with: the trusted public keys, the anchor (the checkpoint log
/// or <c>--anchor FILE</c>; null when there is none) and whether the entries are an exported
/// range (which may start after entry 1, at a checkpoint, and may end before the anchor does).
/// </summary>
public sealed record AuditVerifyOptions(CheckpointKeys Keys, CheckpointAnchorFile? Anchor = null, bool ExportedRange = false);

/// <summary>
/// The checkpoint half of <c>audit verify</c>, fed each entry that chains correctly. A checkpoint
/// entry must verify with a trusted key and sign the hash its named entry really has (recomputed
/// hashes after a change do not); every anchored checkpoint must be in the chain as anchored,
/// the chain must reach the newest one, and the anchor may not lack a checkpoint older than its
/// newest (lines removed from it).
/// </summary>
internal sealed class CheckpointCheck
{
    // How far back a checkpoint may name its entry; the writer names the head it just read.
    private const int Window = 1 << 16;

    private readonly AuditVerifyOptions _options;
    private readonly string?[] _hashes = new string?[Window];
    private readonly Dictionary<long, CheckpointAnchor> _bySigned = [];
    private readonly Dictionary<long, CheckpointAnchor> _byEntry = [];
    private readonly CheckpointAnchor? _newestAnchor;
    private long _firstSeq;
    private string? _firstPrevHash;

    public CheckpointCheck(AuditVerifyOptions options)
    {
        _options = options;
        foreach (var anchor in options.Anchor?.Anchors ?? [])
        {
            _bySigned.TryAdd(anchor.Checkpoint.Statement.Seq, anchor);
            _byEntry.TryAdd(anchor.CheckpointSeq, anchor);
            if (_newestAnchor is null || anchor.Reaches > _newestAnchor.Reaches)
            {
                _newestAnchor = anchor;
            }
        }
    }

    /// <summary>Checkpoints in the chain whose signature and named hash verified.</summary>
    public int Verified { get; private set; }

    /// <summary>The newest entry a verified checkpoint signs (0: none).</summary>
    public long SignedThrough { get; private set; }

    /// <summary>The newest entry that is not a checkpoint (0: none).</summary>
    public long LastPlain { get; private set; }

    /// <summary>The newest anchored entry the chain was checked to reach (0: none).</summary>
    public long AnchoredThrough => _newestAnchor?.Reaches ?? 0;

    /// <summary>What the checks could not establish, in words.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Before the walk: every anchored checkpoint must verify (a forged line is a failure, not a pass).</summary>
    public string? CheckAnchor()
    {
        if (_options.Anchor is not { } anchor)
        {
            return null;
        }

        if (anchor.Problem is { } problem)
        {
            return $"The anchor is unusable: {problem}";
        }

        foreach (var line in anchor.Anchors)
        {
            if (line.Checkpoint.Check(_options.Keys) is { } invalid)
            {
                return $"Line {line.Line} of the anchor {anchor.Path} is not a valid checkpoint: {invalid}.";
            }
        }

        return null;
    }

    /// <summary>Checks one entry that chains to the one before it; returns what is wrong, if anything.</summary>
    public string? Observe(AuditEntry entry)
    {
        if (_firstSeq == 0)
        {
            _firstSeq = entry.Seq;
            _firstPrevHash = entry.PrevHash;
        }

        _hashes[entry.Seq % Window] = entry.EntryHash;
        if (_bySigned.TryGetValue(entry.Seq, out var signs) && !Same(entry.EntryHash, signs.Checkpoint.Statement.EntryHash))
        {
            return $"Entry {entry.Seq} is not the entry that the anchored checkpoint (line {signs.Line} of {_options.Anchor!.Path}, entry {signs.CheckpointSeq}) signs: the chain was rewritten up to entry {entry.Seq} and its hashes recomputed.";
        }

        if (_byEntry.TryGetValue(entry.Seq, out var holds) && (!Same(entry.EntryHash, holds.CheckpointHash) || entry.Type != AuditEventTypes.AuditCheckpoint))
        {
            return $"Entry {entry.Seq} is not the checkpoint entry that line {holds.Line} of the anchor {_options.Anchor!.Path} records: the chain was changed there.";
        }

        if (entry.Type != AuditEventTypes.AuditCheckpoint)
        {
            LastPlain = entry.Seq;
            return null;
        }

        return ObserveCheckpoint(entry);
    }

    /// <summary>After the walk of an intact chain ending at <paramref name="last"/>: does it reach the newest anchored checkpoint?</summary>
    public (long FirstBad, string Problem)? Finish(AuditEntry? last)
    {
        var end = last?.Seq ?? 0;
        if (_newestAnchor is { } newest && end < newest.Reaches && !_options.ExportedRange)
        {
            return (end + 1, $"The chain ends at entry {end}, before the newest anchored checkpoint (entry {newest.CheckpointSeq}, line {newest.Line} of {_options.Anchor!.Path}): entries {end + 1}–{newest.Reaches} were removed from its end.");
        }

        return null;
    }

    private string? ObserveCheckpoint(AuditEntry entry)
    {
        if (entry.Payload is null)
        {
            Notes.Add($"Checkpoint entry {entry.Seq}'s payload was purged; its signature cannot be checked.");
            return null;
        }

        if (SignedCheckpoint.TryParse(entry.PayloadJson(), out var problem) is not { } checkpoint)
        {
            return $"Entry {entry.Seq} is an audit.checkpoint, but its payload is not a checkpoint: {problem}.";
        }

        if (checkpoint.Check(_options.Keys) is { } invalid)
        {
            return $"Checkpoint entry {entry.Seq} is not valid: {invalid}.";
        }

        var statement = checkpoint.Statement;
        if (statement.Seq >= entry.Seq)
        {
            return $"Checkpoint entry {entry.Seq} signs entry {statement.Seq}, which is not before it: it was altered.";
        }

        if (statement.Seq >= _firstSeq)
        {
            if (entry.Seq - statement.Seq >= Window)
            {
                return $"Checkpoint entry {entry.Seq} signs entry {statement.Seq}, further back than any checkpoint the gateway writes: it was altered.";
            }

            var actual = _hashes[statement.Seq % Window];
            if (!Same(actual, statement.EntryHash))
            {
                return $"Checkpoint entry {entry.Seq} signs entry {statement.Seq} as {statement.EntryHash[..16]}…, but the chain's entry {statement.Seq} hashes to {actual?[..16]}…: entries {Math.Max(SignedThrough + 1, _firstSeq)}–{statement.Seq} were changed and their hashes recomputed.";
            }
        }
        else if (statement.Seq == _firstSeq - 1)
        {
            if (!Same(_firstPrevHash, statement.EntryHash))
            {
                return $"Checkpoint entry {entry.Seq} signs entry {statement.Seq} as {statement.EntryHash[..16]}…, but the range's first entry {_firstSeq} follows an entry that hashes to {_firstPrevHash?[..16]}…: the range does not continue the signed chain.";
            }
        }
        else
        {
            Notes.Add($"Checkpoint entry {entry.Seq} signs entry {statement.Seq}, before the range; the range's link to the entries before it is not proven by it.");
        }

        if (_newestAnchor is { } newest && newest.CheckpointSeq > entry.Seq && !_byEntry.ContainsKey(entry.Seq) && !_options.ExportedRange)
        {
            return $"Checkpoint entry {entry.Seq} is not in the anchor {_options.Anchor!.Path}, which holds later checkpoints: lines were removed from the anchor.";
        }

        Verified++;
        SignedThrough = Math.Max(SignedThrough, statement.Seq);
        return null;
    }

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.Ordinal);
}
