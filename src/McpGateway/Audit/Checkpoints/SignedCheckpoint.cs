using System.Text.Json.Nodes;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// What a checkpoint signs: the chain head when it was taken (its seq and entry hash), when, and
/// with which key. The signed bytes are the RFC 8785 canonical JSON of exactly these four fields,
/// <c>{"entryHash":…,"keyId":…,"seq":…,"ts":…}</c>.
/// </summary>
public sealed record CheckpointStatement(long Seq, string EntryHash, DateTimeOffset Timestamp, string KeyId)
{
    public JsonObject ToJson() => new()
    {
        ["seq"] = Seq,
        ["entryHash"] = EntryHash,
        ["ts"] = AuditChain.FormatTimestamp(Timestamp),
        ["keyId"] = KeyId,
    };

    public byte[] SignedBytes() => CanonicalJson.Serialize(ToJson());
}

/// <summary>
/// A checkpoint: the statement and its signature (base64 of the DER ECDSA signature). It is the
/// payload of an <c>audit.checkpoint</c> entry and, with that entry's own seq and hash, a line of
/// the checkpoint log.
/// </summary>
public sealed record SignedCheckpoint(CheckpointStatement Statement, string Signature)
{
    private static readonly string[] Fields = ["seq", "entryHash", "ts", "keyId", "signature"];

    public static SignedCheckpoint Sign(CheckpointStatement statement, AuditSigningKey key) =>
        new(statement, Convert.ToBase64String(key.Sign(statement.SignedBytes())));

    public JsonObject ToPayload()
    {
        var json = Statement.ToJson();
        json["signature"] = Signature;
        return json;
    }

    /// <summary>Null when the signature verifies with a key in <paramref name="keys"/>; otherwise what is wrong.</summary>
    public string? Check(CheckpointKeys keys)
    {
        if (keys.Find(Statement.KeyId) is not { } key)
        {
            return keys.Count == 0
                ? "there is no public key to check its signature with (give --pubkey FILE)"
                : $"it names key id {Statement.KeyId}, which is not a trusted key ({keys.Describe()})";
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(Signature);
        }
        catch (FormatException)
        {
            return "its signature is not base64";
        }

        return key.Verify(Statement.SignedBytes(), signature)
            ? null
            : $"its signature does not verify with key {key.KeyId}: it was forged or altered";
    }

    /// <summary>Reads a checkpoint from <paramref name="node"/>; <paramref name="extra"/> names the other fields allowed beside it.</summary>
    public static SignedCheckpoint? TryParse(JsonNode? node, out string? problem, params string[] extra)
    {
        problem = null;
        if (node is not JsonObject json)
        {
            problem = "it is not a JSON object";
            return null;
        }

        if (json.Select(p => p.Key).FirstOrDefault(k => !Fields.Contains(k, StringComparer.Ordinal) && !extra.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            problem = $"it has a field '{unknown}' that checkpoints do not have";
            return null;
        }

        try
        {
            var seq = json["seq"]?.GetValue<long>() ?? 0;
            var hash = json["entryHash"]?.GetValue<string>();
            var ts = json["ts"]?.GetValue<string>();
            var keyId = json["keyId"]?.GetValue<string>();
            var signature = json["signature"]?.GetValue<string>();
            if (seq < 1 || !IsHex(hash, 64) || ts is null || !IsHex(keyId, 16) || string.IsNullOrEmpty(signature))
            {
                problem = "it lacks a valid seq, entryHash, ts, keyId or signature";
                return null;
            }

            return new SignedCheckpoint(new CheckpointStatement(seq, hash!, AuditChain.ParseTimestamp(ts), keyId!), signature);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            problem = "its fields do not have the types of a checkpoint";
            return null;
        }
    }

    internal static bool IsHex(string? text, int length) =>
        text is not null && text.Length == length && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
