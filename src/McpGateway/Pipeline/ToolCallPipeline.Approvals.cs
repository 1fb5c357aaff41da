using System.Text.Json.Nodes;
using McpGateway.Approvals;
using McpGateway.Audit;
using McpGateway.Policies.Model;
using McpGateway.Storage;

namespace McpGateway.Pipeline;

/// <summary>
/// The approval steps of the two halves. Admit, when the decision is <c>approval</c>: open the
/// request (after the start is recorded) and wait for a decision. Run, when it was approved —
/// in the same call if it still waits, else in a later <c>approval_status</c> call of the
/// requester: re-decide on the current snapshot, check the approval still holds, claim it (once,
/// across processes), execute detached from the caller, store the masked result.
/// </summary>
public sealed partial class ToolCallPipeline
{
    /// <summary>The admit half's last step for a call that needs approval: ask, and wait within the configured limit.</summary>
    private async Task<ToolCallOutcome> AwaitApprovalAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        var preview = await PreviewAsync(context, cancellationToken).ConfigureAwait(false);
        var (record, refusal) = await _approvals.OpenAsync(context, preview, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return Error(context, ToolErrorCodes.ApprovalRequired, "Refused. " + refusal);
        }

        context.ApprovalId = record.Id;
        var options = context.Snapshot.Configuration.Approvals;
        try
        {
            record = await _approvals.WaitAsync(record, context.Request.Progress is null ? options.WaitWithoutProgress : options.Wait, context.Request.Progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left; the request stays pending and can be collected later.
            return PendingOutcome(context, record);
        }

        return record.Status switch
        {
            ApprovalStatus.Approved => await RunApprovedAsync(context, record, cancellationToken).ConfigureAwait(false),
            ApprovalStatus.Pending when _time.GetUtcNow() < record.ExpiresAt => PendingOutcome(context, record),
            ApprovalStatus.Pending => Error(context, ToolErrorCodes.ApprovalExpired, $"Approval {record.Id} expired before anyone decided it; the call was not executed. Make the call again to ask anew."),
            ApprovalStatus.Executing or ApprovalStatus.Executed => PendingOutcome(context, record),
            _ => Error(context, ToolErrorCodes.ApprovalClosed, Closed(record)),
        };
    }

    /// <summary>
    /// The run half of an approved request, for call <paramref name="origin"/>: the waiting call
    /// itself (its start recorded, it goes on under its own id) or a new call made by
    /// <c>approval_status</c> (it records its own start once the request is claimed). Returns
    /// the outcome, or the request's state when another call has claimed it.
    /// </summary>
    internal async Task<ToolCallOutcome> RunApprovedAsync(ToolCallContext origin, ApprovalRecord record, CancellationToken cancellationToken)
    {
        var continuing = origin.StartEntry is not null;
        using var resumed = continuing ? origin.Resume(_runtime.Acquire()) : null;
        var run = resumed ?? origin;
        run.ApprovalId = record.Id;

        // Re-decided on the current snapshot: a bundle that now denies, an approver who lost the
        // role, a reconfigured target or a changed request stops it. Pure; nothing is claimed yet.
        var decided = _decide.Run(run);
        var refusal = decided.Refusal is { } refused
            ? "The policy now refuses this call: " + string.Join(" ", refused)
            : WhyNotRun(run, record, await MustMatchPreviewAsync(run, record, cancellationToken).ConfigureAwait(false));

        var (current, claimed) = await _approvals.ClaimAsync(record.Id, run.CallId, RunLease(run), cancellationToken).ConfigureAwait(false);
        if (!claimed)
        {
            return current is null ? Error(origin, ToolErrorCodes.ApprovalClosed, $"Approval {record.Id} no longer exists.") : Collected(origin, current);
        }

        if (refusal is not null)
        {
            var refusedOutcome = Error(run, decided.Refusal is null ? ToolErrorCodes.ApprovalClosed : decided.Code, $"Approval {record.Id} cannot be executed. {refusal}");
            await _approvals.CompleteAsync(record.Id, refusedOutcome, run.Ids, refusal, CancellationToken.None).ConfigureAwait(false);
            return refusedOutcome;
        }

        run.Completed(PipelineStages.Decided | PipelineStages.Limited);
        run.ApprovalGranted = true;
        if (!continuing)
        {
            var started = await _recordStart.RunAsync(run, CancellationToken.None).ConfigureAwait(false);
            if (started.Failure is { } failure)
            {
                var unrecorded = Error(run, started.Code, failure);
                await _approvals.CompleteAsync(record.Id, unrecorded, run.Ids, failure, CancellationToken.None).ConfigureAwait(false);
                return unrecorded;
            }

            run.Completed(PipelineStages.Started);
        }

        // Once started, execution is detached from the caller: it runs to its own timeout.
        var outcome = await RunAdmittedAsync(run, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await _approvals.CompleteAsync(record.Id, outcome, run.Ids, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(_logger, run.CallId, AuditEventTypes.ApprovalExecuted, ex);
            return Error(run, ToolErrorCodes.AuditUnavailable, $"Approval {record.Id} was executed, but its outcome could not be recorded, so the result is withheld.");
        }

        return outcome;
    }

    /// <summary>
    /// The run half as its own call, for an <c>approval_status</c> that collects an approved
    /// request: a new call id carrying the approval id. It records nothing unless it claims the
    /// request and runs it.
    /// </summary>
    internal async Task<ToolCallOutcome> RunApprovedCallAsync(ToolCallRequest request, ApprovalRecord record, CancellationToken cancellationToken)
    {
        using var context = Begin(request);
        context.ApprovalId = record.Id;
        return await CompleteAsync(context, () => RunApprovedAsync(context, record, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pending answer outside a call (to an <c>approval_status</c> that runs nothing).</summary>
    internal static ToolCallOutcome PendingAnswer(ApprovalRecord record) => Pending(string.Empty, record, text => text);

    /// <summary>Why an approved request may not run now, or null: it must be the same request, on the same target, still approved under the current rules.</summary>
    private static string? WhyNotRun(ToolCallContext run, ApprovalRecord record, bool previewChanged)
    {
        var decision = run.Decision!;
        var configuration = run.Snapshot.Configuration;
        // A pseudonym (an identity provider's caller, never a configured name) is what its token says now.
        var requester = configuration.Identities.GetValueOrDefault(record.Requester)
            ?? (record.Requester.StartsWith("oidc:", StringComparison.Ordinal) && run.Request.Caller.Identity.Name == record.Requester ? run.Request.Caller.Identity : null);
        if (requester is null || !requester.Roles.Contains(Policies.Roles.Agent))
        {
            return $"'{record.Requester}' is no longer a configured agent.";
        }

        if (run.Request.Caller.Identity.Name != record.Requester
            || !run.Snapshot.RequestHasher.Matches(record.RequestHash, record.Requester, run.Request.Tool, decision.Target, run.Request.Arguments))
        {
            return "It is not the request that was approved.";
        }

        var kind = run.Snapshot.Engine.Current.Tools.Find(record.Tool)?.TargetKind ?? string.Empty;
        if (!configuration.Targets.TryGetValue(kind, out var targets) || !targets.TryGetValue(record.Target, out var target) || target.ConfigurationHash != record.TargetHash)
        {
            return $"Target '{record.Target}' was reconfigured (or removed) after the request was made; make the call again to ask for a new approval.";
        }

        if (decision.Effect == PolicyEffect.Approval)
        {
            var approvers = record.Votes.Where(v => v.Approve).Select(v => v.Approver).ToList();
            if (!ApprovalRequirements.Satisfied(decision.Approvals, approvers, record, configuration))
            {
                return $"The approvals given no longer satisfy the policy ({ApprovalRequirements.Progress(decision.Approvals, approvers, record, configuration)}); make the call again to ask anew.";
            }
        }

        if (previewChanged)
        {
            return "What the call would do changed since it was approved (its preview no longer matches); make the call again to ask anew.";
        }

        return null;
    }

    private static TimeSpan RunLease(ToolCallContext run) =>
        GatewayInstance.LeaseFor(run.Decision!, run.Snapshot.Configuration.Timings.LeaseMargin);

    /// <summary>Whether the request's preview had to match at execution and no longer does (a dry-run diff that changed).</summary>
    private async Task<bool> MustMatchPreviewAsync(ToolCallContext run, ApprovalRecord record, CancellationToken cancellationToken) =>
        record.Sensitive?["preview"] is JsonObject { } stored && stored["mustMatchAtExecution"]?.GetValue<bool>() == true
        && !JsonNode.DeepEquals(stored["detail"], (await PreviewAsync(run, cancellationToken).ConfigureAwait(false))?.Detail);

    private async Task<ToolPreview?> PreviewAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        if (context.Decision?.Classification?.Request is not { } request || !_modules.TryGetValue(context.Request.Tool, out var module))
        {
            return null;
        }

        try
        {
            return await module.PreviewAsync(request, context.Snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            PipelineLog.PipelineFailed(_logger, context.CallId, ex);
            return null;
        }
    }

    /// <summary>A request another call has taken or that is closed, as an answer.</summary>
    private static ToolCallOutcome Collected(ToolCallContext context, ApprovalRecord record) => record.Status switch
    {
        ApprovalStatus.Executed or ApprovalStatus.Failed when ApprovalService.StoredResult(record) is { } stored => stored,
        ApprovalStatus.Pending or ApprovalStatus.Approved or ApprovalStatus.Executing => PendingOutcome(context, record),
        _ => Error(context, ToolErrorCodes.ApprovalClosed, Closed(record)),
    };

    /// <summary>The structured <c>pending</c> answer: not an error; it names the approval and what to do next.</summary>
    internal static ToolCallOutcome PendingOutcome(ToolCallContext context, ApprovalRecord record) =>
        Pending(context.CallId, record, text => context.Snapshot.Masker(Stages.MaskStage.Profiles(context)).MaskText(text));

    private static ToolCallOutcome Pending(string callId, ApprovalRecord record, Func<string, string> redact)
    {
        var state = record.Status switch
        {
            ApprovalStatus.Executing => "It was approved and is being executed now.",
            ApprovalStatus.Executed => "It was approved and has been executed.",
            ApprovalStatus.Approved => "It was approved and runs when collected.",
            _ => $"It waits for {ApprovalService.Approvers(record)}, and expires at {AuditChain.FormatTimestamp(record.ExpiresAt)}.",
        };
        var text = $"Approval required: this call did not run yet. Approval id {record.Id}. {state} Call approval_status with {{\"approvalId\": \"{record.Id}\"}} later: once it is approved, that call runs it (once) and returns its result.";
        var structured = new JsonObject
        {
            ["callId"] = callId,
            ["approval"] = new JsonObject
            {
                ["id"] = record.Id,
                ["status"] = ApprovalStatusNames.Of(record.Status),
                ["approvers"] = ApprovalRequirements.ToJson(ApprovalRequirements.Read(record)),
                ["expiresAt"] = AuditChain.FormatTimestamp(record.ExpiresAt),
                ["next"] = $"Call approval_status with approvalId '{record.Id}'.",
            },
        };
        return new ToolCallOutcome(callId, false, redact(text), structured) { Pending = true };
    }

    /// <summary>Why a closed request will not run: the decision, who took it and why.</summary>
    internal static string Closed(ApprovalRecord record) => record.Status switch
    {
        ApprovalStatus.Denied => $"Denied by {record.DecidedBy}{Because(record.Reason)} (approval {record.Id}); the call was not executed.",
        ApprovalStatus.Expired => $"Approval {record.Id} expired: {record.Reason} The call was not executed; make it again to ask anew.",
        ApprovalStatus.Cancelled => $"Approval {record.Id} was cancelled by {record.DecidedBy}{Because(record.Reason)}; the call was not executed.",
        ApprovalStatus.Failed => $"Approval {record.Id} could not be executed: {record.Reason}",
        _ => $"Approval {record.Id} is {ApprovalStatusNames.Of(record.Status)}.",
    };

    private static string Because(string? reason) => reason is null ? string.Empty : $": {reason}";
}
