using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>One readable line per entry, for <c>audit session</c>.</summary>
public static class AuditTranscript
{
    public static string Line(AuditEntry entry)
    {
        var payload = entry.PayloadJson();

        try
        {
            return Printable(Describe(entry, payload));
        }
        catch (InvalidOperationException)
        {
            return Printable(Describe(entry, null)) + " (payload not in the expected shape)";
        }
    }

    private static string Describe(AuditEntry entry, JsonNode? payload)
    {

        var head = $"#{entry.Seq} {AuditChain.FormatTimestamp(entry.Timestamp)} {entry.Type,-14} {entry.Ids.CallId ?? "-"} {entry.Ids.Identity ?? "-"}";
        if (payload is null)
        {
            return head + (entry.Payload is null ? " (payload purged)" : string.Empty);
        }

        var tool = payload["tool"]?.ToString();
        var target = payload["target"]?.ToString();
        var detail = entry.Type switch
        {
            AuditEventTypes.CallRefused => $"{payload["decision"]?["decision"]}: {string.Join(" ", payload["refusal"]?.AsArray().Select(r => r?.ToString()) ?? [])}",
            AuditEventTypes.CallStarted => $"{payload["decision"]?["decision"]} by [{string.Join(", ", payload["decision"]?["matchedRules"]?.AsArray().Select(r => r?.ToString()) ?? [])}] {Arguments(payload["arguments"])}",
            AuditEventTypes.CallFinished => $"{payload["outcome"]} in {payload["durationMs"]} ms: {First(payload["resultExcerpt"]?.ToString())}",
            AuditEventTypes.ApprovalRequested => $"{payload["approvalId"]} waits for {Rules(payload["requirements"])} until {payload["expiresAt"]}: {payload["preview"]?["summary"]}{Quoted(" justification", payload["justification"])}",
            AuditEventTypes.ApprovalDecided => $"{payload["approvalId"]} {payload["vote"]} by {payload["approver"]}{Quoted(" because", payload["reason"])} -> {payload["status"]} ({payload["progress"]})",
            AuditEventTypes.ApprovalExecuted => $"{payload["approvalId"]} executed in call {payload["callId"]}: {payload["outcome"]}{Quoted(" because", payload["refusal"] ?? payload["reason"])}",
            AuditEventTypes.ApprovalExpired or AuditEventTypes.ApprovalCancelled => $"{payload["approvalId"]} {(entry.Type == AuditEventTypes.ApprovalExpired ? "expired" : $"cancelled by {payload["by"]}")}: {payload["reason"]}",
            _ => payload.ToJsonString(),
        };
        return $"{head} {tool} {target} {detail}".TrimEnd();
    }

    /// <summary>Control characters (terminal escapes included) are shown as \uXXXX, never sent to the terminal.</summary>
    private static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    private static string Rules(JsonNode? requirements) =>
        string.Join(" and ", requirements?.AsArray().OfType<JsonObject>().Select(r => $"{r["count"]} of {string.Join("|", r["groups"]?.AsArray().Select(g => g?.ToString()) ?? [])} ({r["rule"]})") ?? []);

    private static string Quoted(string label, JsonNode? text) => text is null ? string.Empty : $"{label} \"{First(text.ToString())}\"";

    private static string Arguments(JsonNode? arguments) => arguments is null ? string.Empty : arguments.ToJsonString();

    private static string First(string? text)
    {
        var line = (text ?? string.Empty).Split('\n')[0];
        return line.Length <= 160 ? line : Policies.Text.TextCut.ToChars(line, 160) + "…";
    }
}
