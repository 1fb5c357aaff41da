using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>
/// How entries chain: <c>payloadHash = SHA-256(JCS(payload))</c>, and
/// <c>entryHash = SHA-256(JCS(header))</c> where the header holds seq, ts, type, the ids,
/// prevHash (the previous entry's entryHash, or 64 zeros for the first) and payloadHash.
/// </summary>
public static class AuditChain
{
    public static string Genesis { get; } = new('0', 64);

    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Truncates to what the header records (milliseconds).</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) => ParseTimestamp(FormatTimestamp(value));

    public static string PayloadText(JsonObject payload) => CanonicalJson.SerializeToString(payload);

    public static string HashText(string canonical) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    public static JsonObject Header(long seq, DateTimeOffset timestamp, string type, AuditIds ids, string prevHash, string payloadHash) => new()
    {
        ["seq"] = seq,
        ["ts"] = FormatTimestamp(timestamp),
        ["type"] = type,
        ["callId"] = ids.CallId,
        ["sessionId"] = ids.SessionId,
        ["approvalId"] = ids.ApprovalId,
        ["identity"] = ids.Identity,
        ["prevHash"] = prevHash,
        ["payloadHash"] = payloadHash,
    };

    public static string EntryHash(long seq, DateTimeOffset timestamp, string type, AuditIds ids, string prevHash, string payloadHash) =>
        CanonicalJson.HashHex(Header(seq, timestamp, type, ids, prevHash, payloadHash));

    /// <summary>The payload as recorded: a start's lease is part of what is hashed.</summary>
    public static JsonObject WithLease(JsonObject payload, AuditLease? lease)
    {
        if (lease is null)
        {
            return payload;
        }

        var copy = (JsonObject)payload.DeepClone();
        copy["lease"] = new JsonObject { ["instanceId"] = lease.InstanceId, ["until"] = FormatTimestamp(lease.Until) };
        return copy;
    }

    /// <summary>Builds the next entry after <paramref name="previous"/> (null for the first).</summary>
    public static AuditEntry Next(AuditEntry? previous, DateTimeOffset now, AuditAppend append)
    {
        var seq = (previous?.Seq ?? 0) + 1;
        var prevHash = previous?.EntryHash ?? Genesis;
        var timestamp = Truncate(now);
        var payload = PayloadText(WithLease(append.Payload, append.Lease));
        var payloadHash = HashText(payload);
        var entryHash = EntryHash(seq, timestamp, append.Type, append.Ids, prevHash, payloadHash);
        return new AuditEntry(seq, timestamp, append.Type, append.Ids, prevHash, payloadHash, entryHash, payload, append.Lease);
    }
}
