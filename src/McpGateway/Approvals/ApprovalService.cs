using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies.Evaluation;
using McpGateway.Runtime;
using McpGateway.Storage;

namespace McpGateway.Approvals;

/// <summary>What became of an operator's or requester's action on an approval.</summary>
/// <param name="Record">The request after the action (null when there is none the actor may see).</param>
/// <param name="Problem">Why the action was refused, when it was; a sentence the actor can act on.</param>
/// <param name="Status">The HTTP status an API answers with.</param>
public sealed record ApprovalAction(ApprovalRecord? Record, string? Problem, int Status)
{
    public static ApprovalAction Ok(ApprovalRecord record) => new(record, null, 200);

    public static ApprovalAction NotFound(string id) => new(null, $"There is no approval '{id}' you may see.", 404);

    public static ApprovalAction Forbidden(ApprovalRecord? record, string problem) => new(record, problem, 403);

    public static ApprovalAction Conflict(ApprovalRecord record, string problem) => new(record, problem, 409);
}

/// <summary>
/// Approval requests through their life: opened by a call's admit half, decided by operators
/// (one vote per <c>approval.decided</c> entry), claimed exactly once for execution, completed
/// with the stored masked result, expired and purged. Every change is a conditional change of the
/// stored request, committed with its audit entries and webhook messages in one transaction, so
/// any process sharing the store may take it and none can take it twice.
/// </summary>
internal sealed class ApprovalService(IGatewayStore store, AuditRecorder recorder, GatewayRuntime runtime, ApprovalNotifier notifier, GatewayInstance instance, TimeProvider time)
{
    public const string IdPrefix = "apr_";

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private ApprovalOptions Options => runtime.Current.Configuration.Approvals;

    /// <summary>
    /// Opens the request for <paramref name="context"/> (already admitted, its start recorded):
    /// the canonical request and its hash, the target's configuration hash, the preview. Returns
    /// the stored request (an identical pending one if there is), or why none could be opened.
    /// </summary>
    public async Task<(ApprovalRecord? Record, string? Refusal)> OpenAsync(ToolCallContext context, ToolPreview? preview, CancellationToken cancellationToken)
    {
        var decision = context.Decision!;
        var caller = context.Request.Caller;
        var snapshot = context.Snapshot;
        var target = decision.Target ?? string.Empty;
        var targetHash = snapshot.Configuration.Targets.TryGetValue(snapshot.Engine.Current.Tools.Find(context.Request.Tool)?.TargetKind ?? string.Empty, out var targets)
            && targets.TryGetValue(target, out var configured)
            ? configured.ConfigurationHash
            : throw new InvalidOperationException($"Target '{target}' of an admitted call is not configured.");
        // What everyone but the deciding operators sees: masked with the call's profiles and default.
        var masker = snapshot.Masker(["default", .. Pipeline.Stages.MaskStage.Profiles(context)]);
        var now = time.GetUtcNow();
        var record = new ApprovalRecord
        {
            Id = IdPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
            Status = ApprovalStatus.Pending,
            Requester = caller.Identity.Name,
            Owner = caller.Identity.Owner,
            SessionId = caller.SessionId,
            CallId = context.CallId,
            Tool = context.Request.Tool,
            Target = target,
            RequestHash = snapshot.RequestHasher.Binding(caller.Identity.Name, context.Request.Tool, target, context.Request.Arguments),
            TargetHash = targetHash,
            Revision = decision.Revision,
            CreatedAt = now,
            ExpiresAt = now + Options.Expiry,
            Detail = (JsonObject)masker.Mask(new JsonObject
            {
                ["requirements"] = ApprovalRequirements.ToJson(decision.Approvals),
                ["matchedRules"] = new JsonArray([.. decision.MatchedRules.Select(r => (JsonNode?)JsonValue.Create(r))]),
                ["reasons"] = new JsonArray([.. decision.Reasons.Select(r => (JsonNode?)JsonValue.Create(r))]),
                ["facts"] = decision.Facts.ToJson(),
                ["arguments"] = Tools.GatewayTools.RecordableArguments(context.Request.Tool, context.Request.Arguments),
                ["preview"] = preview is null ? null : new JsonObject { ["summary"] = preview.Summary },
                ["justification"] = context.Request.Justification,
                ["client"] = caller.ClientName,
            })!,
            Sensitive = new JsonObject
            {
                ["arguments"] = context.Request.Arguments.GetRawText(),
                ["justification"] = context.Request.Justification,
                ["preview"] = preview is null ? null : new JsonObject { ["summary"] = preview.Summary, ["detail"] = preview.Detail.DeepClone(), ["mustMatchAtExecution"] = preview.MustMatchAtExecution },
            },
        };

        var (opening, stored) = await store.Approvals.OpenAsync(
            record,
            Options.MaxPendingPerIdentity,
            opened => (recorder.Prepare(new AuditAppend(AuditEventTypes.ApprovalRequested, context.Ids with { ApprovalId = opened.Id }, Requested(opened)) { Masker = masker }), notifier.Messages(AuditEventTypes.ApprovalRequested, opened)),
            cancellationToken).ConfigureAwait(false);
        return opening switch
        {
            ApprovalOpening.TooManyPending => (null, $"You already have {Options.MaxPendingPerIdentity} approval requests pending, the most allowed; wait for them to be decided or cancel one (approval_status with cancel: true) before asking for more."),
            _ => (stored, null),
        };
    }

    public Task<ApprovalRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        IsId(id) ? store.Approvals.GetAsync(id, cancellationToken) : Task.FromResult<ApprovalRecord?>(null);

    public Task<IReadOnlyList<ApprovalRecord>> ListAsync(ApprovalFilter filter, CancellationToken cancellationToken) =>
        store.Approvals.ListAsync(filter, cancellationToken);

    /// <summary>
    /// Reads the request until it is no longer pending or <paramref name="wait"/> has passed,
    /// sending <paramref name="progress"/> every <c>Timings:ApprovalProgress</c>. Decisions are
    /// read from the store, so one taken by any process is seen.
    /// </summary>
    public async Task<ApprovalRecord> WaitAsync(ApprovalRecord record, TimeSpan wait, Func<string, CancellationToken, Task>? progress, CancellationToken cancellationToken)
    {
        var timings = runtime.Current.Configuration.Timings;
        var started = time.GetTimestamp();
        var lastProgress = TimeSpan.MinValue;
        while (true)
        {
            var elapsed = time.GetElapsedTime(started);
            if (progress is not null && (lastProgress == TimeSpan.MinValue || elapsed - lastProgress >= timings.ApprovalProgress))
            {
                lastProgress = elapsed;
                await progress(WaitingMessage(record, runtime.Current.Configuration), cancellationToken).ConfigureAwait(false);
            }

            if (elapsed >= wait)
            {
                return record;
            }

            var pause = Min(timings.ApprovalPoll, wait - elapsed);
            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            record = await store.Approvals.GetAsync(record.Id, cancellationToken).ConfigureAwait(false) ?? record;
            if (record.Status != ApprovalStatus.Pending || time.GetUtcNow() >= record.ExpiresAt)
            {
                return record;
            }
        }
    }

    /// <summary>One operator's vote. Any deny denies; an approve completes the request once every rule has its approvers.</summary>
    public Task<ApprovalAction> DecideAsync(string id, string approver, bool approve, string? reason, CancellationToken cancellationToken)
    {
        reason = Clean(reason);
        return ActAsync(id, (current, configuration, now) =>
        {
            if (ApprovalRequirements.WhyNot(current, approver, configuration) is { } whyNot)
            {
                return new ApprovalChange<ApprovalAction>(ApprovalAction.Forbidden(current, whyNot));
            }

            if (current.Status != ApprovalStatus.Pending)
            {
                return new ApprovalChange<ApprovalAction>(ApprovalAction.Conflict(current, $"Approval {current.Id} is {ApprovalStatusNames.Of(current.Status)}, not pending; it cannot be decided any more."));
            }

            if (now >= current.ExpiresAt)
            {
                return Expire(current, now, "It expired before it was decided.");
            }

            if (current.Votes.Any(v => v.Approver == approver))
            {
                return new ApprovalChange<ApprovalAction>(ApprovalAction.Conflict(current, $"'{approver}' has already voted on approval {current.Id}; each approver votes once."));
            }

            var vote = new ApprovalVote(approver, approve, reason, now);
            var approvers = current.Votes.Where(v => v.Approve).Select(v => v.Approver).Append(approver).ToList();
            var requirements = ApprovalRequirements.Read(current);
            var updated = current with { Votes = current.Votes.Add(vote) };
            if (!approve)
            {
                updated = updated with { Status = ApprovalStatus.Denied, DecidedAt = now, DecidedBy = approver, Reason = reason, FinalAt = now };
            }
            else if (ApprovalRequirements.Satisfied(requirements, approvers, current, configuration))
            {
                updated = updated with { Status = ApprovalStatus.Approved, DecidedAt = now, DecidedBy = string.Join(", ", approvers), Reason = reason, ExpiresAt = now + Options.ExecuteWithin };
            }

            var payload = new JsonObject
            {
                ["approvalId"] = current.Id,
                ["approver"] = approver,
                ["vote"] = approve ? "approve" : "deny",
                ["reason"] = reason,
                ["status"] = ApprovalStatusNames.Of(updated.Status),
                ["progress"] = ApprovalRequirements.Progress(requirements, approvers, current, configuration),
            };
            var entry = recorder.Prepare(new AuditAppend(AuditEventTypes.ApprovalDecided, Ids(current, approver), payload));
            var messages = updated.Status == ApprovalStatus.Pending ? [] : notifier.Messages(AuditEventTypes.ApprovalDecided, updated, updated.DecidedBy, reason);
            return new ApprovalChange<ApprovalAction>(ApprovalAction.Ok(updated), updated, vote, [entry], messages);
        }, cancellationToken);
    }

    /// <summary>
    /// Withdraws a pending (or approved, not yet run) request: by its requester or owner, or by an
    /// operator who may decide it.
    /// </summary>
    public Task<ApprovalAction> CancelAsync(string id, string actor, bool asOperator, string? reason, CancellationToken cancellationToken)
    {
        reason = Clean(reason);
        return ActAsync(id, (current, configuration, now) =>
        {
            var isRequesterSide = actor == current.Requester || actor == current.Owner;
            if (asOperator ? ApprovalRequirements.WhyNot(current, actor, configuration) is not null && !isRequesterSide : !isRequesterSide)
            {
                return new ApprovalChange<ApprovalAction>(asOperator
                    ? ApprovalAction.Forbidden(current, $"'{actor}' may not cancel approval {current.Id}: only its requester, the requester's owner or an operator who may decide it can.")
                    : ApprovalAction.NotFound(id));
            }

            if (current.Status is not (ApprovalStatus.Pending or ApprovalStatus.Approved))
            {
                return new ApprovalChange<ApprovalAction>(ApprovalAction.Conflict(current, $"Approval {current.Id} is {ApprovalStatusNames.Of(current.Status)}; only a pending or approved request that has not run can be cancelled."));
            }

            var updated = current with { Status = ApprovalStatus.Cancelled, DecidedAt = now, DecidedBy = actor, Reason = reason, FinalAt = now };
            var entry = recorder.Prepare(new AuditAppend(AuditEventTypes.ApprovalCancelled, Ids(current, actor), new JsonObject
            {
                ["approvalId"] = current.Id,
                ["by"] = actor,
                ["reason"] = reason,
                ["previousStatus"] = ApprovalStatusNames.Of(current.Status),
            }));
            return new ApprovalChange<ApprovalAction>(ApprovalAction.Ok(updated), updated, null, [entry], notifier.Messages(AuditEventTypes.ApprovalCancelled, updated, actor, reason));
        }, cancellationToken);
    }

    /// <summary>An actor's change of one request, decided on its stored state and the configuration now; unknown ids are not found.</summary>
    private async Task<ApprovalAction> ActAsync(string id, Func<ApprovalRecord, GatewayConfiguration, DateTimeOffset, ApprovalChange<ApprovalAction>> act, CancellationToken cancellationToken)
    {
        if (!IsId(id))
        {
            return ApprovalAction.NotFound(id);
        }

        var configuration = runtime.Current.Configuration;
        var now = time.GetUtcNow();
        var change = await store.Approvals.ChangeAsync(id, current => act(current, configuration, now), cancellationToken).ConfigureAwait(false);
        return change?.Result ?? ApprovalAction.NotFound(id);
    }

    /// <summary>
    /// Claims an approved request for execution by call <paramref name="callId"/> — the one
    /// conditional change that makes execution happen once across processes. Returns the claimed
    /// request, or the request as it stands when it cannot be claimed (null when there is none).
    /// </summary>
    public async Task<(ApprovalRecord? Record, bool Claimed)> ClaimAsync(string id, string callId, TimeSpan runFor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var change = await store.Approvals.ChangeAsync(id, current =>
        {
            if (current.Status == ApprovalStatus.Approved && now >= current.ExpiresAt)
            {
                var expired = Expire(current, now, $"It was approved but not run within {Policies.Model.DurationText.Format(Options.ExecuteWithin)}.");
                return new ApprovalChange<(ApprovalRecord, bool)>((expired.Updated!, false), expired.Updated, null, expired.Entries, expired.Messages);
            }

            if (current.Status != ApprovalStatus.Approved)
            {
                return new ApprovalChange<(ApprovalRecord, bool)>((current, false));
            }

            var claimed = current with { Status = ApprovalStatus.Executing, ResultCallId = callId, ExecutingUntil = now + runFor };
            return new ApprovalChange<(ApprovalRecord, bool)>((claimed, true), claimed);
        }, cancellationToken).ConfigureAwait(false);
        return change is null ? (null, false) : change.Result;
    }

    /// <summary>
    /// Stores the outcome of the single execution (already masked) and records
    /// <c>approval.executed</c>. An outcome that failed or was refused at execution makes the
    /// request <c>failed</c>; its stored answer is returned to later collections as it is.
    /// </summary>
    public async Task<ApprovalRecord?> CompleteAsync(string id, ToolCallOutcome outcome, AuditIds ids, string? refusal, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var change = await store.Approvals.ChangeAsync(id, current =>
        {
            if (current.Status != ApprovalStatus.Executing || current.ResultCallId != outcome.CallId)
            {
                throw new InvalidOperationException($"Approval {id} is not being executed by call {outcome.CallId}.");
            }

            var sensitive = (JsonObject?)current.Sensitive?.DeepClone() ?? [];
            sensitive["result"] = new JsonObject
            {
                ["callId"] = outcome.CallId,
                ["isError"] = outcome.IsError,
                ["text"] = outcome.Text,
                ["structured"] = outcome.Structured?.DeepClone(),
            };
            var status = refusal is null && !outcome.IsError ? ApprovalStatus.Executed : ApprovalStatus.Failed;
            var updated = current with { Status = status, FinalAt = now, ExecutingUntil = null, Sensitive = sensitive, Reason = refusal ?? current.Reason };
            var entry = recorder.Prepare(new AuditAppend(AuditEventTypes.ApprovalExecuted, ids with { ApprovalId = id }, new JsonObject
            {
                ["approvalId"] = id,
                ["callId"] = outcome.CallId,
                ["requestCallId"] = current.CallId,
                ["outcome"] = refusal is not null ? "refused" : outcome.IsError ? "error" : "ok",
                ["refusal"] = refusal,
            }));
            return new ApprovalChange<ApprovalRecord>(updated, updated, null, [entry]);
        }, cancellationToken).ConfigureAwait(false);
        return change?.Result;
    }

    /// <summary>
    /// Expires pending requests past their expiry and approved ones not run in time, fails
    /// executions whose instance stopped vouching for them, and deletes unmasked requests and
    /// stored results past retention. Returns how many requests changed.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changed = 0;
        foreach (var due in await store.Approvals.ListAsync(new ApprovalFilter(Limit: 500) { ExpiresBefore = now }, cancellationToken).ConfigureAwait(false))
        {
            var change = await store.Approvals.ChangeAsync(due.Id, current => current.Status switch
            {
                ApprovalStatus.Pending when now >= current.ExpiresAt => Expire(current, now, "It expired before it was decided."),
                ApprovalStatus.Approved when now >= current.ExpiresAt => Expire(current, now, $"It was approved but not run within {Policies.Model.DurationText.Format(Options.ExecuteWithin)}."),
                ApprovalStatus.Executing when current.ExecutingUntil is { } until && now >= until => Abandon(current, now),
                _ => new ApprovalChange<ApprovalAction>(ApprovalAction.Ok(current)),
            }, cancellationToken).ConfigureAwait(false);
            changed += change?.Updated is null ? 0 : 1;
        }

        foreach (var final in await store.Approvals.ListAsync(new ApprovalFilter(Limit: 500) { FinalBefore = now - Options.RetainUnmasked }, cancellationToken).ConfigureAwait(false))
        {
            var change = await store.Approvals.ChangeAsync(final.Id, current =>
                current.IsFinal && current.Sensitive is not null
                    ? new ApprovalChange<bool>(true, current with { Sensitive = null })
                    : new ApprovalChange<bool>(false), cancellationToken).ConfigureAwait(false);
            changed += change?.Result == true ? 1 : 0;
        }

        return changed;
    }

    /// <summary>What a waiting client is told: the id, who may approve, until when.</summary>
    public static string WaitingMessage(ApprovalRecord record, GatewayConfiguration configuration) =>
        $"Waiting for approval {record.Id}: {Approvers(record)}. Progress: {ApprovalRequirements.Progress(ApprovalRequirements.Read(record), record.Votes.Where(v => v.Approve).Select(v => v.Approver), record, configuration)}. It expires at {Audit.AuditChain.FormatTimestamp(record.ExpiresAt)}.";

    /// <summary>"an operator in billing-admins (2 approvers)".</summary>
    public static string Approvers(ApprovalRecord record) =>
        string.Join("; and ", ApprovalRequirements.Read(record).Select(r =>
            $"{(r.Count > 1 ? $"{r.Count} operators" : "an operator")} in {string.Join(" or ", r.Groups)} (rule {r.Rule})"));

    public static bool IsId(string? id) =>
        id is { Length: 28 } && id.StartsWith(IdPrefix, StringComparison.Ordinal) && !id.AsSpan(IdPrefix.Length).ContainsAnyExcept(LowerHex);

    /// <summary>The stored result of the single execution, as the agent receives it.</summary>
    public static ToolCallOutcome? StoredResult(ApprovalRecord record) =>
        record.Sensitive?["result"] is JsonObject result
            ? new ToolCallOutcome(
                result["callId"]?.GetValue<string>() ?? record.ResultCallId ?? record.CallId,
                result["isError"]?.GetValue<bool>() ?? true,
                result["text"]?.GetValue<string>() ?? string.Empty,
                result["structured"]?.DeepClone() as JsonObject)
            : null;

    /// <summary>The stored arguments, exactly as the agent sent them; null once purged.</summary>
    public static JsonElement? StoredArguments(ApprovalRecord record) =>
        record.Sensitive?["arguments"]?.GetValue<string>() is { } raw ? JsonDocument.Parse(raw).RootElement.Clone() : null;

    private ApprovalChange<ApprovalAction> Expire(ApprovalRecord current, DateTimeOffset now, string reason)
    {
        var updated = current with { Status = ApprovalStatus.Expired, Reason = reason, FinalAt = now, DecidedAt = current.DecidedAt ?? now };
        var entry = recorder.Prepare(new AuditAppend(AuditEventTypes.ApprovalExpired, Ids(current, null), new JsonObject
        {
            ["approvalId"] = current.Id,
            ["previousStatus"] = ApprovalStatusNames.Of(current.Status),
            ["reason"] = reason,
        }));
        return new ApprovalChange<ApprovalAction>(ApprovalAction.Conflict(updated, $"Approval {current.Id} has expired. {reason}"), updated, null, [entry], notifier.Messages(AuditEventTypes.ApprovalExpired, updated, null, reason));
    }

    private ApprovalChange<ApprovalAction> Abandon(ApprovalRecord current, DateTimeOffset now)
    {
        const string reason = "The gateway instance executing it stopped before recording an outcome; whether it ran is unknown, and it is not run again.";
        var updated = current with { Status = ApprovalStatus.Failed, Reason = reason, FinalAt = now, ExecutingUntil = null };
        var entry = recorder.Prepare(new AuditAppend(AuditEventTypes.ApprovalExecuted, Ids(current, null) with { CallId = current.ResultCallId }, new JsonObject
        {
            ["approvalId"] = current.Id,
            ["callId"] = current.ResultCallId,
            ["outcome"] = "abandoned",
            ["reason"] = reason,
            ["instanceId"] = instance.Id,
        }));
        return new ApprovalChange<ApprovalAction>(ApprovalAction.Conflict(updated, reason), updated, null, [entry]);
    }

    private static AuditIds Ids(ApprovalRecord record, string? actor) => new(record.CallId, record.SessionId, record.Id, actor ?? record.Requester);

    private static JsonObject Requested(ApprovalRecord record) => new()
    {
        ["approvalId"] = record.Id,
        ["tool"] = record.Tool,
        ["target"] = record.Target,
        ["requester"] = record.Requester,
        ["owner"] = record.Owner,
        [Audit.RequestHashing.RequestHasher.Describe(record.RequestHash).Field] = Audit.RequestHashing.RequestHasher.Describe(record.RequestHash).Value,
        ["targetSha256"] = record.TargetHash,
        ["revision"] = record.Revision,
        ["requirements"] = record.Detail["requirements"]?.DeepClone(),
        ["preview"] = record.Detail["preview"]?.DeepClone(),
        ["justification"] = record.Detail["justification"]?.DeepClone(),
        ["expiresAt"] = Audit.AuditChain.FormatTimestamp(record.ExpiresAt),
    };

    private static string? Clean(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? null : Policies.Text.TextCut.ToChars(reason.Trim(), 1000);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
