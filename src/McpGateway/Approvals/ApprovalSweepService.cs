using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Approvals;

/// <summary>
/// Every <c>Timings:ApprovalSweep</c>, on whichever replica holds the job lease: expires pending
/// requests and approved ones not run in time (<c>approval.expired</c>), fails executions whose
/// instance stopped, and deletes unmasked requests and results past <c>Approvals:RetainUnmasked</c>.
/// </summary>
internal sealed partial class ApprovalSweepService(ApprovalService approvals, IGatewayStore store, Runtime.GatewayRuntime runtime, GatewayInstance instance, TimeProvider time, ILogger<ApprovalSweepService> logger) : BackgroundService
{
    public const string JobName = "approval-sweep";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = runtime.Configuration.Timings.ApprovalSweep;
        using var timer = new PeriodicTimer(every, time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                if (await store.Jobs.TryAcquireAsync(JobName, instance.Id, now, now + every + every, stoppingToken).ConfigureAwait(false))
                {
                    var changed = await approvals.SweepAsync(stoppingToken).ConfigureAwait(false);
                    if (changed > 0)
                    {
                        Swept(logger, changed);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Tried again at the next tick; a sweep never stops the gateway.
                Failed(logger, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(GatewayEventIds.ApprovalsSwept, LogLevel.Information, "Approval sweep changed {Count} request(s) (expired, failed or past retention)")]
    private static partial void Swept(ILogger logger, int count);

    [LoggerMessage(GatewayEventIds.ApprovalSweepFailed, LogLevel.Error, "Approval sweep failed: {Problem}")]
    private static partial void Failed(ILogger logger, string problem);
}
