using McpGateway.Audit;
using McpGateway.Runtime;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline;

/// <summary>
/// Every tool call runs here. The ends are fixed: identity is established before (by the
/// transport), and once a start is recorded, <c>call.finished</c> is recorded after, always. In
/// between, the typed stages run in their order — decide, limit, record start, execute, mask. A
/// refusal before the start is recorded as <c>call.refused</c>; every failure becomes a masked
/// <c>isError</c> result with an actionable message; a success that did not pass every stage is
/// withheld.
/// </summary>
public sealed class ToolCallPipeline
{
    private const PipelineStages RequiredForSuccess =
        PipelineStages.Identified | PipelineStages.Decided | PipelineStages.Limited | PipelineStages.Started | PipelineStages.Executed | PipelineStages.Masked;

    private readonly GatewayRuntime _runtime;
    private readonly AuditRecorder _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<ToolCallPipeline> _logger;
    private readonly IToolCallStage[] _stages;

    public ToolCallPipeline(GatewayRuntime runtime, AuditRecorder audit, IEnumerable<IToolCallStage> stages, TimeProvider time, ILogger<ToolCallPipeline> logger)
    {
        _runtime = runtime;
        _audit = audit;
        _time = time;
        _logger = logger;
        _stages = [.. stages.OrderBy(s => s.Order)];
    }

    public async Task<ToolCallOutcome> RunAsync(ToolCallRequest request, CancellationToken cancellationToken)
    {
        using var context = new ToolCallContext(SessionIds.NewCallId(), request, _time.GetUtcNow(), _runtime.Current);
        ToolCallOutcome outcome;
        try
        {
            outcome = await RunStagesAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && context.StartEntry is null)
        {
            throw;
        }
        catch (Exception ex)
        {
            PipelineLog.PipelineFailed(_logger, context.CallId, ex);
            outcome = Error(context, context.StartEntry is null
                ? "The gateway failed while handling this call; it was not executed."
                : $"The {request.Tool} call failed inside the gateway; nothing more can be said safely.");
        }

        return context.StartEntry is null ? outcome : await FinishAsync(context, outcome).ConfigureAwait(false);
    }

    private async Task<ToolCallOutcome> RunStagesAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages)
        {
            var result = await stage.RunAsync(context, cancellationToken).ConfigureAwait(false);
            if (result.Refusal is { } reasons)
            {
                return context.StartEntry is null
                    ? await RefuseAsync(context, reasons, cancellationToken).ConfigureAwait(false)
                    : Error(context, "Refused. " + string.Join(" ", reasons));
            }

            if (result.Failure is { } failure)
            {
                return Error(context, failure);
            }

            context.Completed(stage.Stage);
        }

        // Fail closed: a success must have passed every stage, whatever stages are registered.
        if ((context.Stages & RequiredForSuccess) != RequiredForSuccess || context.Outcome is null)
        {
            throw new InvalidOperationException($"Call {context.CallId} finished without passing every stage ({context.Stages}).");
        }

        return context.Outcome;
    }

    /// <summary>The fixed last end: what is not recorded is not returned.</summary>
    private async Task<ToolCallOutcome> FinishAsync(ToolCallContext context, ToolCallOutcome outcome)
    {
        try
        {
            await _audit.RecordAsync(new AuditAppend(AuditEventTypes.CallFinished, context.Ids, CallPayloads.Finished(context, outcome, _time.GetUtcNow())), CancellationToken.None).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallFinished, ex);
            return Error(context, "The call ran, but its outcome could not be recorded in the audit log, so the result is withheld.");
        }
    }

    private async Task<ToolCallOutcome> RefuseAsync(ToolCallContext context, IReadOnlyList<string> reasons, CancellationToken cancellationToken)
    {
        try
        {
            await _audit.RecordAsync(new AuditAppend(AuditEventTypes.CallRefused, context.Ids, CallPayloads.Refused(context, reasons)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallRefused, ex);
        }

        var text = context.Decision?.Effect == PolicyEffect.Approval ? "Approval required. " : "Refused. ";
        return Error(context, text + string.Join(" ", reasons));
    }

    /// <summary>An error result: masked, and naming the call id so an operator can find it.</summary>
    private static ToolCallOutcome Error(ToolCallContext context, string message)
    {
        string masked;
        try
        {
            masked = context.Snapshot.Secrets.Current.Redact(message);
        }
        catch (Exception)
        {
            masked = "The call failed, and its error could not be masked.";
        }

        return new ToolCallOutcome(context.CallId, true, $"{masked} (call id {context.CallId})", null);
    }
}
