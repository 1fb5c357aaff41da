using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;

namespace McpGateway.Audit.Forwarding;

/// <summary>
/// One POST to the SIEM: consecutive chain entries, one line each (JSON Lines as
/// <c>audit export --format jsonl</c> writes them, or OCSF), then — when the gateway knows one —
/// a last line <c>{"checkpoint":{…}}</c> holding the newest signed checkpoint as the checkpoint
/// log holds it. The delivery id names the range and its last entry, so every retry of the same
/// entries carries the same id, across restarts too.
/// </summary>
/// <param name="DeliveryId">The <c>X-McpGateway-Delivery</c> id: <c>fwd_&lt;first seq&gt;_&lt;last seq&gt;_&lt;16 hex of the last entry hash&gt;</c>.</param>
/// <param name="FirstSeq">The seq of the first entry.</param>
/// <param name="LastSeq">The seq of the last entry; the cursor moves here once a receiver took the batch.</param>
/// <param name="Count">How many entries the batch holds.</param>
/// <param name="Body">The lines, each ending with a newline.</param>
/// <param name="Options">The settings it was built for; a reload that changes them rebuilds it.</param>
internal sealed record ForwardingBatch(string DeliveryId, long FirstSeq, long LastSeq, int Count, string Body, ForwardingOptions Options)
{
    public const string MediaType = "application/x-ndjson";

    public static ForwardingBatch Build(IReadOnlyList<AuditEntry> entries, ForwardingOptions options, CheckpointAnchor? checkpoint)
    {
        if (entries.Count == 0)
        {
            throw new ArgumentException("A batch holds at least one entry.", nameof(entries));
        }

        var body = new StringBuilder();
        foreach (var entry in entries)
        {
            var line = options.Format == ForwardingFormat.Ocsf ? OcsfMapper.Map(entry) : AuditExporter.ToJson(entry);
            body.Append(AuditExporter.Line(line)).Append('\n');
        }

        if (checkpoint is not null)
        {
            body.Append(AuditExporter.Line(new JsonObject { ["checkpoint"] = checkpoint.ToJson() })).Append('\n');
        }

        var first = entries[0];
        var last = entries[^1];
        var id = string.Create(CultureInfo.InvariantCulture, $"fwd_{first.Seq}_{last.Seq}_{last.EntryHash[..Math.Min(16, last.EntryHash.Length)]}");
        return new ForwardingBatch(id, first.Seq, last.Seq, entries.Count, body.ToString(), options);
    }
}
