using System.Collections.Frozen;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Pipeline.Stages;
using McpGateway.Policies.Model;
using McpGateway.Runtime;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline;

/// <summary>
/// Every tool call runs here, in two halves written out in this one place:
/// <list type="bullet">
/// <item><b>admit</b> — decide → charge the rate → record the start → ask for approval and wait, when the decision says so;</item>
/// <item><b>run</b> — (after approval: re-decide on the current snapshot and claim the request) → take a concurrency slot → execute within the timeout → mask.</item>
/// </list>
/// The ends are fixed: identity is established before (by the transport), and once a start is
/// recorded, <c>call.finished</c> is recorded after, always. A refusal before the start is
/// recorded as <c>call.refused</c>; every failure becomes a masked <c>isError</c> result with an
/// actionable message. What guards each half (nothing executes without a durable start; what is
/// not recorded is not returned; a success that skipped a step is withheld) is asserted, not
/// relied on as the mechanism.
/// </summary>
public sealed partial class ToolCallPipeline
{
    private const PipelineStages RequiredForSuccess =
        PipelineStages.Identified | PipelineStages.Decided | PipelineStages.Limited | PipelineStages.Started | PipelineStages.Executed | PipelineStages.Masked;

    private readonly GatewayRuntime _runtime;
    private readonly AuditRecorder _audit;
    private readonly CallLimiter _limits;
    private readonly DecideStage _decide;
    private readonly RecordStartStage _recordStart;
    private readonly ExecuteStage _execute;
    private readonly MaskStage _mask;
    private readonly Approvals.ApprovalService _approvals;
    private readonly System.Collections.Frozen.FrozenDictionary<string, Tools.IGatewayToolModule> _modules;
    private readonly TimeProvider _time;
    private readonly ILogger<ToolCallPipeline> _logger;

    internal ToolCallPipeline(
        GatewayRuntime runtime,
        AuditRecorder audit,
        CallLimiter limits,
        DecideStage decide,
        RecordStartStage recordStart,
        ExecuteStage execute,
        MaskStage mask,
        Approvals.ApprovalService approvals,
        IEnumerable<Tools.IGatewayToolModule> modules,
        TimeProvider time,
        ILogger<ToolCallPipeline> logger)
    {
        _approvals = approvals;
        _modules = modules.ToFrozenDictionary(m => m.Policy.Name, StringComparer.Ordinal);
        _runtime = runtime;
        _audit = audit;
        _limits = limits;
        _decide = decide;
        _recordStart = recordStart;
        _execute = execute;
        _mask = mask;
        _time = time;
        _logger = logger;
    }

    /// <summary>Admits and runs one call, on the runtime snapshot in force when it arrived.</summary>
    public async Task<ToolCallOutcome> RunAsync(ToolCallRequest request, CancellationToken cancellationToken)
    {
        using var context = Begin(CallJustification.Apply(request));
        return await CompleteAsync(
            context,
            async () =>
            {
                if (await AdmitAsync(context, holdConcurrency: true, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                return context.Decision!.Effect == PolicyEffect.Approval
                    ? await AwaitApprovalAsync(context, cancellationToken).ConfigureAwait(false)
                    : await RunAdmittedAsync(context, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new call, capturing the runtime snapshot it will be decided and executed with.</summary>
    internal ToolCallContext Begin(ToolCallRequest request)
    {
        var lease = _runtime.Acquire();
        var now = _time.GetUtcNow();
        var context = new ToolCallContext(SessionIds.NewCallId(now), request, now, lease.Snapshot);
        context.Hold(lease);
        return context;
    }

    /// <summary>
    /// Runs <paramref name="halves"/> and closes the call: whatever happens, a call whose start was
    /// recorded gets its <c>call.finished</c>, and its result is returned only if that was recorded.
    /// </summary>
    internal async Task<ToolCallOutcome> CompleteAsync(ToolCallContext context, Func<Task<ToolCallOutcome>> halves, CancellationToken cancellationToken)
    {
        ToolCallOutcome outcome;
        try
        {
            outcome = await halves().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && context.StartEntry is null)
        {
            throw;
        }
        catch (Exception ex)
        {
            PipelineLog.PipelineFailed(_logger, context.CallId, ex);
            outcome = Error(context, ToolErrorCodes.Internal, context.StartEntry is null
                ? "The gateway failed while handling this call; it was not executed."
                : $"The {context.Request.Tool} call failed inside the gateway; nothing more can be said safely.");
        }

        return context.StartEntry is null ? outcome : await FinishAsync(context, outcome).ConfigureAwait(false);
    }

    /// <summary>
    /// The admit half: decide, charge the rate, record the start. Returns the refusal or error to
    /// answer with, or null when the call is admitted and may run.
    /// </summary>
    /// <param name="holdConcurrency">Take the concurrency slot now and hold it through the run half (a call that runs at once).</param>
    internal async Task<ToolCallOutcome?> AdmitAsync(ToolCallContext context, bool holdConcurrency, CancellationToken cancellationToken)
    {
        var decided = _decide.Run(context);
        if (decided.Refusal is { } refusal)
        {
            return await RefuseAsync(context, decided.Code, refusal, cancellationToken).ConfigureAwait(false);
        }

        context.Completed(PipelineStages.Decided);
        var decision = context.Decision!;
        var target = decision.Target ?? string.Empty;
        if (_limits.TryCharge(context.Request.Caller.Identity.Name, target, decision.Obligations) is { } overRate)
        {
            return await RefuseAsync(context, ToolErrorCodes.RateLimited, [overRate], cancellationToken).ConfigureAwait(false);
        }

        // A call that waits for approval takes its slot only when it runs.
        if (holdConcurrency && decision.Effect == PolicyEffect.Allow && !TryHoldConcurrency(context, out var busy))
        {
            return await RefuseAsync(context, ToolErrorCodes.ConcurrencyLimited, [busy!], cancellationToken).ConfigureAwait(false);
        }

        context.Completed(PipelineStages.Limited);
        var started = await _recordStart.RunAsync(context, cancellationToken).ConfigureAwait(false);
        if (started.Failure is { } failure)
        {
            return Error(context, started.Code, failure);
        }

        context.Completed(PipelineStages.Started);
        return null;
    }

    /// <summary>
    /// The run half: execute the admitted call within its timeout (holding a concurrency slot)
    /// and mask the result. The caller records the finish (see <see cref="CompleteAsync"/>).
    /// </summary>
    internal async Task<ToolCallOutcome> RunAdmittedAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        // The same guard the execute step asserts, before any slot is taken.
        context.EnsureReadyToExecute();

        if (!context.HoldsConcurrency && !TryHoldConcurrency(context, out var busy))
        {
            return Error(context, ToolErrorCodes.ConcurrencyLimited, "Refused. " + busy);
        }

        var executed = await _execute.RunAsync(context, cancellationToken).ConfigureAwait(false);
        if (executed.Failure is { } failure)
        {
            return Error(context, executed.Code, failure, executed.Detail);
        }

        context.Completed(PipelineStages.Executed);
        var masked = _mask.Run(context);
        if (masked.Failure is { } maskFailure)
        {
            return Error(context, masked.Code, maskFailure);
        }

        context.Completed(PipelineStages.Masked);

        // Fail closed: a success must have passed every step.
        if ((context.Stages & RequiredForSuccess) != RequiredForSuccess || context.Outcome is null)
        {
            throw new InvalidOperationException($"Call {context.CallId} finished without passing every step ({context.Stages}).");
        }

        return context.Outcome;
    }

    private bool TryHoldConcurrency(ToolCallContext context, out string? refusal)
    {
        var decision = context.Decision!;
        var (permit, busy) = _limits.TryEnter(context.Request.Caller.Identity.Name, decision.Target ?? string.Empty, decision.Obligations);
        refusal = busy;
        if (permit is null)
        {
            return false;
        }

        context.HoldConcurrency(permit);
        return true;
    }

    /// <summary>The fixed last end: what is not recorded is not returned.</summary>
    private async Task<ToolCallOutcome> FinishAsync(ToolCallContext context, ToolCallOutcome outcome)
    {
        try
        {
            await _audit.RecordAsync(CallPayloads.Entry(AuditEventTypes.CallFinished, context, CallPayloads.Finished(context, outcome, _time.GetUtcNow())), CancellationToken.None).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallFinished, ex);
            return Error(context, ToolErrorCodes.AuditUnavailable, "The call ran, but its outcome could not be recorded in the audit log, so the result is withheld.");
        }
    }

    private async Task<ToolCallOutcome> RefuseAsync(ToolCallContext context, string code, IReadOnlyList<string> reasons, CancellationToken cancellationToken)
    {
        try
        {
            await _audit.RecordAsync(CallPayloads.Entry(AuditEventTypes.CallRefused, context, CallPayloads.Refused(context, reasons)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallRefused, ex);
        }

        var text = context.Decision?.Effect == PolicyEffect.Approval ? "Approval required. " : "Refused. ";
        return Error(context, code, text + string.Join(" ", reasons));
    }

    /// <summary>
    /// An error result: the masked message, naming the call id so an operator can find it, and the
    /// structured <c>error</c> — reason code, message, the rules that decided (once decided) and
    /// the backend's detail, masked like the message.
    /// </summary>
    private static ToolCallOutcome Error(ToolCallContext context, string code, string message, JsonObject? detail = null)
    {
        string masked;
        JsonNode? maskedDetail = null;
        try
        {
            // Errors are masked like results: the call's profiles (default when none) and the held secrets.
            var masker = context.Snapshot.Masker(Stages.MaskStage.Profiles(context));
            masked = masker.MaskText(message);
            maskedDetail = detail is null ? null : masker.Mask(detail.DeepClone());
        }
        catch (Exception)
        {
            masked = "The call failed, and its error could not be masked.";
            code = ToolErrorCodes.MaskingFailed;
        }

        var error = new JsonObject { ["code"] = code, ["message"] = masked };
        if (context.Decision is { MatchedRules.IsDefaultOrEmpty: false } decision)
        {
            error["rules"] = new JsonArray([.. decision.MatchedRules.Select(rule => JsonValue.Create(rule))]);
        }

        if (maskedDetail is not null)
        {
            error["detail"] = maskedDetail;
        }

        return new ToolCallOutcome(context.CallId, true, $"{masked} (call id {context.CallId})", new JsonObject { ["callId"] = context.CallId, ["error"] = error });
    }
}
