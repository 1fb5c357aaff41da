using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// Reads what <c>audit export --format jsonl</c> wrote back into entries, so a range can be
/// verified offline, without the store: the header fields and entry hash as exported, and the
/// payload as the text that was hashed (its canonical JSON; the text itself when the stored
/// payload was not JSON; none when it was purged).
/// </summary>
public static class ExportedRange
{
    public static async IAsyncEnumerable<AuditEntry> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (line.Length > 0)
            {
                yield return Parse(line, number);
            }
        }
    }

    private static AuditEntry Parse(string line, int number)
    {
        long seq = 0;
        try
        {
            var json = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("not a JSON object");
            seq = json["seq"]?.GetValue<long>() ?? throw new FormatException("no seq");
            var payload = json["payload"] switch
            {
                null => null,
                JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>(),
                var node => CanonicalJson.SerializeToString(node),
            };
            var lease = (json["payload"] as JsonObject)?["lease"] is JsonObject held
                ? new AuditLease(Required(held, "instanceId"), AuditChain.ParseTimestamp(Required(held, "until")))
                : null;
            return new AuditEntry(
                seq,
                AuditChain.ParseTimestamp(Required(json, "ts")),
                Required(json, "type"),
                new AuditIds(Optional(json, "callId"), Optional(json, "sessionId"), Optional(json, "approvalId"), Optional(json, "identity")),
                Required(json, "prevHash"),
                Required(json, "payloadHash"),
                Required(json, "entryHash"),
                payload,
                lease);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new AuditFormatException(seq, $"Line {number} of the export is not an exported entry ({ex.Message}).", ex);
        }
    }

    private static string Required(JsonObject json, string name) =>
        json[name]?.GetValue<string>() ?? throw new FormatException($"no {name}");

    private static string? Optional(JsonObject json, string name) => json[name]?.GetValue<string>();
}
