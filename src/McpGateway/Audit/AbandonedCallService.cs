using McpGateway.Diagnostics;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit;

/// <summary>
/// When serving starts, and every <c>Timings:AbandonedSweep</c> (a minute) after, records <c>call.abandoned</c> for calls whose
/// starting instance's lease ended without a finish (a crash, a kill). Live instances' calls are
/// never touched: their leases have not ended.
/// </summary>
public sealed partial class AbandonedCallService(IAuditStore audit, Runtime.GatewayRuntime runtime, TimeProvider time, ILogger<AbandonedCallService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(runtime.Configuration.Timings.AbandonedSweep, time);
        do
        {
            try
            {
                var marked = await audit.MarkAbandonedAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                if (marked.Count > 0)
                {
                    Marked(logger, marked.Count);
                }
            }
            catch (StoreUnavailableException ex)
            {
                Failed(logger, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A sweep that fails is tried again at the next tick; it never stops the gateway.
                Failed(logger, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(GatewayEventIds.CallsMarkedAbandoned, LogLevel.Warning, "Marked {Count} call(s) abandoned: their instance's lease ended without a finish")]
    private static partial void Marked(ILogger logger, int count);

    [LoggerMessage(GatewayEventIds.AbandonedSweepFailed, LogLevel.Error, "Could not mark abandoned calls: {Problem}")]
    private static partial void Failed(ILogger logger, string problem);
}
