using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Runtime;
using McpGateway.Storage;

namespace McpGateway.Approvals;

/// <summary>
/// The webhook messages announcing a new request or a decision, one per configured webhook,
/// queued in the outbox in the same transaction as the change they announce. They carry the
/// approval id, requester, tool, target, rules, justification and a link — never the unmasked
/// request, a result or a secret.
/// </summary>
internal sealed class ApprovalNotifier(GatewayRuntime runtime, TimeProvider time)
{
    public IReadOnlyList<OutboxMessage> Messages(string eventType, ApprovalRecord record, string? decidedBy = null, string? reason = null)
    {
        var configuration = runtime.Current.Configuration;
        var webhooks = configuration.Approvals.Webhooks;
        if (webhooks.IsEmpty)
        {
            return [];
        }

        // Notifications are masked with the default profile and the held secrets; a failure fails the change closed.
        var masker = runtime.Current.Masker();
        var link = configuration.PublicUrl is { } url ? new Uri(url, $"api/approvals/{record.Id}").AbsoluteUri : null;
        var now = time.GetUtcNow();
        var messages = new List<OutboxMessage>();
        foreach (var hook in webhooks)
        {
            var body = hook.Format == WebhookFormat.Slack
                ? Slack(eventType, record, decidedBy, reason, link)
                : Generic(eventType, record, decidedBy, reason, link);
            messages.Add(new OutboxMessage("dlv_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)), hook.Name, masker.Mask(body)!.ToJsonString(), now, 0, now));
        }

        return messages;
    }

    private static JsonObject Generic(string eventType, ApprovalRecord record, string? decidedBy, string? reason, string? link) => new()
    {
        ["event"] = eventType,
        ["approvalId"] = record.Id,
        ["status"] = ApprovalStatusNames.Of(record.Status),
        ["requester"] = record.Requester,
        ["tool"] = record.Tool,
        ["target"] = record.Target,
        ["rules"] = ApprovalRequirements.ToJson(ApprovalRequirements.Read(record)),
        ["summary"] = record.Detail["preview"]?["summary"]?.DeepClone(),
        ["justification"] = record.Detail["justification"]?.DeepClone(),
        ["decidedBy"] = decidedBy,
        ["reason"] = reason,
        ["expiresAt"] = Audit.AuditChain.FormatTimestamp(record.ExpiresAt),
        ["link"] = link,
    };

    private static JsonObject Slack(string eventType, ApprovalRecord record, string? decidedBy, string? reason, string? link)
    {
        var rules = string.Join(", ", ApprovalRequirements.Read(record).Select(r => $"{r.Rule} ({string.Join(" or ", r.Groups)}{(r.Count > 1 ? $", {r.Count} approvers" : string.Empty)})"));
        var headline = eventType switch
        {
            "approval.requested" => $"Approval needed: {record.Requester} wants to run {record.Tool} on {record.Target}",
            _ => $"Approval {record.Id} is now {ApprovalStatusNames.Of(record.Status)}{(decidedBy is null ? string.Empty : $" ({decidedBy})")}",
        };
        var lines = new List<string> { $"*{Escape(headline)}*", $"Approval id: `{record.Id}`", $"Rules: {Escape(rules)}" };
        if (record.Detail["preview"]?["summary"]?.GetValue<string>() is { } summary)
        {
            lines.Add($"Request: {Escape(summary)}");
        }

        if (record.Detail["justification"]?.GetValue<string>() is { } justification)
        {
            lines.Add($"Justification: {Escape(justification)}");
        }

        if (reason is not null)
        {
            lines.Add($"Reason: {Escape(reason)}");
        }

        if (link is not null)
        {
            lines.Add($"<{link}|Open in the gateway>");
        }

        var text = string.Join("\n", lines);
        return new JsonObject
        {
            ["text"] = text,
            ["blocks"] = new JsonArray(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = text } }),
        };
    }

    /// <summary>Slack's three control characters, so agent-written text cannot forge links or mentions.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
