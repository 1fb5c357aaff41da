using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>Streams entries as JSON Lines: the header, the entry hash and the payload.</summary>
public static class AuditExporter
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line of a JSON Lines export (or SIEM batch): compact, with non-ASCII text as it is.</summary>
    public static string Line(JsonObject json) => json.ToJsonString(Options);

    public static Task<long> WriteJsonLinesAsync(IAuditStore store, AuditQuery query, TextWriter output, CancellationToken cancellationToken) =>
        WriteLinesAsync(store, query, output, ToJson, cancellationToken);

    /// <summary>One OCSF 1.1 API Activity event per line (see <see cref="OcsfMapper"/>).</summary>
    public static Task<long> WriteOcsfAsync(IAuditStore store, AuditQuery query, TextWriter output, CancellationToken cancellationToken) =>
        WriteLinesAsync(store, query, output, OcsfMapper.Map, cancellationToken);

    private static async Task<long> WriteLinesAsync(IAuditStore store, AuditQuery query, TextWriter output, Func<AuditEntry, JsonObject> map, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var entry in store.ReadAsync(query, cancellationToken).ConfigureAwait(false))
        {
            await output.WriteLineAsync(Line(map(entry))).ConfigureAwait(false);
            count++;
        }

        return count;
    }

    private static readonly string[] CsvColumns = ["seq", "ts", "type", "callId", "sessionId", "approvalId", "identity", "prevHash", "payloadHash", "entryHash", "payload"];

    /// <summary>RFC 4180 CSV: one header row, then one row per entry; the payload is its canonical JSON.</summary>
    public static async Task<long> WriteCsvAsync(IAuditStore store, AuditQuery query, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteAsync(string.Join(',', CsvColumns) + "\r\n").ConfigureAwait(false);
        long count = 0;
        await foreach (var entry in store.ReadAsync(query, cancellationToken).ConfigureAwait(false))
        {
            string?[] cells =
            [
                entry.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), AuditChain.FormatTimestamp(entry.Timestamp), entry.Type,
                entry.Ids.CallId, entry.Ids.SessionId, entry.Ids.ApprovalId, entry.Ids.Identity,
                entry.PrevHash, entry.PayloadHash, entry.EntryHash, entry.Payload,
            ];
            await output.WriteAsync(string.Join(',', cells.Select(Csv)) + "\r\n").ConfigureAwait(false);
            count++;
        }

        return count;
    }

    private static string Csv(string? cell)
    {
        if (cell is null)
        {
            return string.Empty;
        }

        return cell.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : cell;
    }

    public static JsonObject ToJson(AuditEntry entry)
    {
        var json = AuditChain.Header(entry.Seq, entry.Timestamp, entry.Type, entry.Ids, entry.PrevHash, entry.PayloadHash);
        json["entryHash"] = entry.EntryHash;
        json["payload"] = entry.PayloadForExport();
        return json;
    }
}
