using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>Streams entries as JSON Lines: the header, the entry hash and the payload.</summary>
public static class AuditExporter
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<long> WriteJsonLinesAsync(IAuditStore store, AuditQuery query, TextWriter output, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var entry in store.ReadAsync(query, cancellationToken).ConfigureAwait(false))
        {
            await output.WriteLineAsync(ToJson(entry).ToJsonString(Options)).ConfigureAwait(false);
            count++;
        }

        return count;
    }

    public static JsonObject ToJson(AuditEntry entry)
    {
        var json = AuditChain.Header(entry.Seq, entry.Timestamp, entry.Type, entry.Ids, entry.PrevHash, entry.PayloadHash);
        json["entryHash"] = entry.EntryHash;
        json["payload"] = entry.Payload is null ? null : JsonNode.Parse(entry.Payload);
        return json;
    }
}
