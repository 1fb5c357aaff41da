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
    public static AuditEntry Next(AuditEntry? previous, DateTimeOffset now, AuditAppend append) =>
        Next(previous, now, append, Payload(append));

    /// <summary>The payload's canonical text and hash, which do not depend on the chain: made before the write, outside its lock.</summary>
    public static (string Text, string Hash) Payload(AuditAppend append)
    {
        var payload = PayloadText(WithLease(append.Payload, append.Lease));
        return (payload, HashText(payload));
    }

    /// <summary>Builds the next entry after <paramref name="previous"/> from a payload made by <see cref="Payload"/>.</summary>
    public static AuditEntry Next(AuditEntry? previous, DateTimeOffset now, AuditAppend append, (string Text, string Hash) payload) =>
        Next(previous?.Seq ?? 0, previous?.EntryHash ?? Genesis, now, append, payload);

    /// <summary>Builds the entry after the one numbered <paramref name="previousSeq"/> whose hash is <paramref name="prevHash"/> (0 and <see cref="Genesis"/> for the first).</summary>
    public static AuditEntry Next(long previousSeq, string prevHash, DateTimeOffset now, AuditAppend append, (string Text, string Hash) payload)
    {
        var seq = previousSeq + 1;
        var timestamp = Truncate(now);
        var entryHash = EntryHash(seq, timestamp, append.Type, append.Ids, prevHash, payload.Hash);
        return new AuditEntry(seq, timestamp, append.Type, append.Ids, prevHash, payload.Hash, entryHash, payload.Text, append.Lease);
    }
}
