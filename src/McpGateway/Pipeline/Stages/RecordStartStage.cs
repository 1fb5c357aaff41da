using McpGateway.Audit;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline.Stages;

/// <summary>Records <c>call.started</c>, durably, with this instance's lease: no durable start, no execution.</summary>
internal sealed class RecordStartStage(AuditRecorder audit, GatewayInstance instance, TimeProvider time, ILogger<RecordStartStage> logger)
{
    public async ValueTask<StepResult> RunAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        try
        {
            // A call that will wait for approval vouches for itself through the wait as well.
            var configuration = context.Snapshot.Configuration;
            var waits = context.Decision!.Effect == Policies.Model.PolicyEffect.Approval && !context.ApprovalGranted ? configuration.Approvals.Wait : TimeSpan.Zero;
            var lease = new AuditLease(instance.Id, time.GetUtcNow() + GatewayInstance.LeaseFor(context.Decision!, configuration.Timings.LeaseMargin) + waits);
            context.StartEntry = await audit.RecordAsync(CallPayloads.Entry(AuditEventTypes.CallStarted, context, CallPayloads.Call(context), lease), cancellationToken).ConfigureAwait(false);
            return StepResult.Continue;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(logger, context.CallId, AuditEventTypes.CallStarted, ex);
            return StepResult.Fail(ToolErrorCodes.AuditUnavailable, "The audit log is unavailable, so the call was not executed. Retry later.");
        }
    }
}
