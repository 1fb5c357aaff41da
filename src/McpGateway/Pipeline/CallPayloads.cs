using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Policies.Text;

namespace McpGateway.Pipeline;

/// <summary>What the audit chain records about a call (held secrets are redacted by the recorder).</summary>
internal static class CallPayloads
{
    /// <summary>A call's entry, masked with <c>default</c> ∪ the call's profiles from the call's own snapshot.</summary>
    public static AuditAppend Entry(string type, ToolCallContext context, JsonObject payload, AuditLease? lease = null) =>
        new(type, context.Ids, payload, lease) { Masker = context.Snapshot.Masker(["default", .. Stages.MaskStage.Profiles(context)]) };

    private const int ExcerptLength = 2048;

    /// <summary>
    /// The request and its decision: for <c>call.refused</c> and <c>call.started</c>. The arguments
    /// as the tool records them; what canonical JSON cannot hold (lone surrogates, numbers beyond a
    /// double, names repeated) is sanitised (see <see cref="RecordableJson"/>), so the entry is
    /// always recorded; <c>requestHmac</c> fingerprints the arguments exactly as they came, keyed
    /// (see <see cref="Audit.RequestHashing.RequestHasher"/>), with the key's id.
    /// </summary>
    public static JsonObject Call(ToolCallContext context)
    {
        var decision = context.Decision;
        var caller = context.Request.Caller;
        return new JsonObject
        {
            ["tool"] = context.Request.Tool,
            ["target"] = decision?.Target,
            ["client"] = Client(caller),
            ["arguments"] = Tools.GatewayTools.RecordableArguments(context.Request.Tool, context.Request.Arguments),
            ["requestHmac"] = context.Snapshot.RequestHasher.Hmac(caller.Identity.Name, context.Request.Tool, decision?.Target, context.Request.Arguments),
            ["requestHmacKeyId"] = context.Snapshot.RequestHasher.KeyId,
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
        var excerpt = TextCut.ToChars(outcome.Text, ExcerptLength);
        return new JsonObject
        {
            ["tool"] = context.Request.Tool,
            ["target"] = context.Decision?.Target,
            ["outcome"] = outcome.Pending ? "pending" : outcome.IsError ? "error" : "ok",
            ["durationMs"] = (long)(now - context.ReceivedAt).TotalMilliseconds,
            ["resultExcerpt"] = excerpt,
            ["startSeq"] = context.StartEntry?.Seq,
            ["masked"] = context.Masked is { Total: > 0 } report ? report.ToJson() : null,
        };
    }

    /// <summary>
    /// The client: its MCP name and version, the API key, or — for a token — the issuer, the
    /// subject, the agent application and the delegating subject. Payload only (purgeable); the
    /// header carries the identity's name or pseudonym.
    /// </summary>
    private static JsonObject Client(CallerInfo caller)
    {
        var client = new JsonObject { ["name"] = caller.ClientName, ["version"] = caller.ClientVersion, ["keyId"] = caller.KeyId };
        if (caller.Oidc is { } oidc)
        {
            client["oidc"] = new JsonObject
            {
                ["issuer"] = oidc.Issuer,
                ["subject"] = oidc.Subject,
                ["application"] = oidc.Client,
                ["onBehalfOf"] = oidc.OnBehalfOf,
            };
        }

        return client;
    }
}
