using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;

namespace McpGateway.Pipeline;

/// <summary>What the audit chain records about a call (held secrets are redacted by the recorder).</summary>
internal static class CallPayloads
{
    private const int ExcerptLength = 2048;

    /// <summary>The request and its decision: for <c>call.refused</c> and <c>call.started</c>.</summary>
    public static JsonObject Call(ToolCallContext context)
    {
        var decision = context.Decision;
        var caller = context.Request.Caller;
        return new JsonObject
        {
            ["tool"] = context.Request.Tool,
            ["target"] = decision?.Target,
            ["client"] = new JsonObject { ["name"] = caller.ClientName, ["version"] = caller.ClientVersion, ["keyId"] = caller.KeyId },
            ["arguments"] = RecordableArguments(context.Request.Arguments),
            ["requestSha256"] = CanonicalRequest.Hash(caller.Identity.Name, context.Request.Tool, decision?.Target, context.Request.Arguments),
            ["decision"] = decision?.ToJson(),
            ["receivedAt"] = AuditChain.FormatTimestamp(context.ReceivedAt),
        };
    }

    public static JsonObject Refused(ToolCallContext context, IReadOnlyList<string> reasons)
    {
        var payload = Call(context);
        payload["refusal"] = new JsonArray([.. reasons.Select(r => (JsonNode?)JsonValue.Create(r))]);
        return payload;
    }

    /// <summary>The outcome: for <c>call.finished</c>.</summary>
    public static JsonObject Finished(ToolCallContext context, ToolCallOutcome outcome, DateTimeOffset now)
    {
        var excerpt = outcome.Text.Length > ExcerptLength ? outcome.Text[..ExcerptLength] : outcome.Text;
        return new JsonObject
        {
            ["tool"] = context.Request.Tool,
            ["target"] = context.Decision?.Target,
            ["outcome"] = outcome.IsError ? "error" : "ok",
            ["durationMs"] = (long)(now - context.ReceivedAt).TotalMilliseconds,
            ["resultExcerpt"] = excerpt,
            ["startSeq"] = context.StartEntry?.Seq,
        };
    }

    /// <summary>
    /// The arguments as recorded. Arguments that canonical JSON cannot hold (huge numbers, lone
    /// surrogates, duplicate names) are replaced by a note, so the entry is still recorded; the
    /// request hash still fingerprints them.
    /// </summary>
    private static JsonNode? RecordableArguments(JsonElement arguments)
    {
        try
        {
            var node = JsonNode.Parse(arguments.ValueKind == JsonValueKind.Undefined ? "null" : arguments.GetRawText());
            CanonicalJson.Serialize(node);
            return node;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return new JsonObject { ["unrecordable"] = "The arguments are not valid I-JSON (RFC 7493) and are fingerprinted by requestSha256 only." };
        }
    }
}
