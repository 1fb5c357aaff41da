using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Approvals;
using McpGateway.Audit;
using McpGateway.Pipeline;
using McpGateway.Storage;

namespace McpGateway.Tools;

/// <summary>
/// <c>approval_status</c>: how an agent follows its approval requests. With an id: the request's
/// state, or the result of its single execution — running it first when it was approved and has
/// not run. Without one: the caller's own pending and recent requests. With <c>cancel</c>: the
/// requester withdraws it. Only the requester's identity sees or collects a request; collecting
/// twice returns the stored result without running again. Reading writes no audit entry; running
/// is a call of its own (<c>call.started</c> → <c>approval.executed</c> → <c>call.finished</c>).
/// </summary>
internal sealed class ApprovalStatusTool(ToolCallPipeline pipeline, ApprovalService approvals)
{
    public const string Name = "approval_status";

    private static readonly string[] Accepted = ["approvalId", "cancel"];

    public static ToolDeclaration Declaration { get; } = new(
        Name,
        "Follow an approval request",
        """
        Check an approval request a previous call of yours started, and get its result once it is approved.
        With `approvalId`: the request's status (pending, denied, expired, cancelled, executed) with the reason and who decided; when it was approved, this call runs it (exactly once) and returns its result; later calls return the same stored result.
        Without arguments: your pending and recently decided requests. With `cancel: true` and an `approvalId`: withdraw your pending request.
        """,
        JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "approvalId": { "type": "string", "description": "The id a call answered with when it needed approval (apr_…)." },
                "cancel": { "type": "boolean", "description": "True to withdraw your pending request." }
              },
              "additionalProperties": false
            }
            """).RootElement.Clone(),
        default,
        ReadOnly: false,
        Destructive: false,
        Idempotent: false,
        OpenWorld: false);

    public async Task<ToolCallOutcome> CallAsync(CallerInfo caller, JsonElement arguments, CancellationToken cancellationToken)
    {
        if (Read(arguments, out var id, out var cancel) is { } problem)
        {
            return Answer(true, problem);
        }

        if (id is null)
        {
            return cancel ? Answer(true, "Give the approvalId of the request to cancel.") : await ListAsync(caller, cancellationToken).ConfigureAwait(false);
        }

        if (cancel)
        {
            var cancelled = await approvals.CancelAsync(id, caller.Identity.Name, asOperator: false, "withdrawn by the requester", cancellationToken).ConfigureAwait(false);
            return cancelled.Problem is { } refused
                ? Answer(true, refused)
                : Answer(false, $"Approval {id} is cancelled; nothing was executed.", View(cancelled.Record!));
        }

        var record = await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null || record.Requester != caller.Identity.Name)
        {
            // Someone else's request is indistinguishable from none.
            return Answer(true, $"There is no approval '{Policies.Text.PrintableText.Escape(id, 64)}' of yours. Use the approvalId a call of yours answered with, or call approval_status without arguments to list yours.");
        }

        switch (record.Status)
        {
            case ApprovalStatus.Approved:
                if (ApprovalService.StoredArguments(record) is not { } stored)
                {
                    return Answer(true, $"Approval {id} was approved, but its request is no longer held; make the call again.");
                }

                var request = new ToolCallRequest(caller, record.Tool, stored) { Justification = record.Sensitive?["justification"]?.GetValue<string>() };
                return await pipeline.RunApprovedCallAsync(request, record, cancellationToken).ConfigureAwait(false);
            case ApprovalStatus.Executed or ApprovalStatus.Failed when ApprovalService.StoredResult(record) is { } result:
                return result;
            case ApprovalStatus.Pending or ApprovalStatus.Executing:
                return ToolCallPipeline.PendingAnswer(record);
            default:
                return Answer(true, ToolCallPipeline.Closed(record), View(record));
        }
    }

    private async Task<ToolCallOutcome> ListAsync(CallerInfo caller, CancellationToken cancellationToken)
    {
        var mine = await approvals.ListAsync(new ApprovalFilter(Requester: caller.Identity.Name, Limit: 20), cancellationToken).ConfigureAwait(false);
        var list = new JsonArray([.. mine.Select(r => (JsonNode?)View(r))]);
        var pending = mine.Count(r => r.Status == ApprovalStatus.Pending);
        var text = mine.Count == 0
            ? "You have no approval requests."
            : $"Your {mine.Count} most recent approval request(s), {pending} pending:\n" + string.Join("\n", mine.Select(r => $"- {r.Id}: {r.Tool} on {r.Target}, {ApprovalStatusNames.Of(r.Status)}{(r.Status == ApprovalStatus.Pending ? $" until {AuditChain.FormatTimestamp(r.ExpiresAt)}" : string.Empty)}"));
        return Answer(false, text, new JsonObject { ["approvals"] = list });
    }

    /// <summary>What the requester may see of a request: no unmasked arguments, no result.</summary>
    private static JsonObject View(ApprovalRecord record) => new()
    {
        ["id"] = record.Id,
        ["status"] = ApprovalStatusNames.Of(record.Status),
        ["tool"] = record.Tool,
        ["target"] = record.Target,
        ["summary"] = record.Detail["preview"]?["summary"]?.DeepClone(),
        ["approvers"] = ApprovalRequirements.ToJson(ApprovalRequirements.Read(record)),
        ["createdAt"] = AuditChain.FormatTimestamp(record.CreatedAt),
        ["expiresAt"] = AuditChain.FormatTimestamp(record.ExpiresAt),
        ["decidedBy"] = record.DecidedBy,
        ["reason"] = record.Reason,
        ["resultCallId"] = record.ResultCallId,
    };

    private static string? Read(JsonElement arguments, out string? id, out bool cancel)
    {
        id = null;
        cancel = false;
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return "The arguments must be a JSON object like {\"approvalId\": \"apr_…\"}.";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in arguments.EnumerateObject())
        {
            if (!Accepted.Contains(property.Name))
            {
                return $"Argument '{Policies.Text.PrintableText.Escape(property.Name, 64)}' is not accepted: approval_status takes only approvalId and cancel. Remove it.";
            }

            if (!seen.Add(property.Name))
            {
                return $"Argument '{property.Name}' is given more than once: give it once.";
            }

            if (property.Name == "approvalId")
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 } text)
                {
                    return "Argument 'approvalId' must be the id string a call answered with (apr_ followed by 24 hex digits).";
                }

                id = text;
            }
            else if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                cancel = property.Value.GetBoolean();
            }
            else
            {
                return "Argument 'cancel' must be true or false.";
            }
        }

        return null;
    }

    private static ToolCallOutcome Answer(bool isError, string text, JsonObject? structured = null) => new(string.Empty, isError, text, structured);
}
