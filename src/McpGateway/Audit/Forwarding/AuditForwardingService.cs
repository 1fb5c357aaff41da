using McpGateway.Configuration;
using McpGateway.Diagnostics;
using McpGateway.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit.Forwarding;

/// <summary>
/// Runs <see cref="AuditForwarder"/> while serving: batch after batch while entries wait, then
/// every <c>Audit:Forwarding:Interval</c> (read at each look, so a reload applies). A failure of
/// the store is logged and tried again at the next look; it never stops the gateway.
/// </summary>
internal sealed partial class AuditForwardingService(AuditForwarder forwarder, GatewayRuntime runtime, TimeProvider time, ILogger<AuditForwardingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await forwarder.ForwardAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                more = false;
                Failed(logger, $"{ex.GetType().Name}: {ex.Message}");
            }

            if (!more)
            {
                var interval = runtime.Configuration.AuditOrDefault.Forwarding?.Interval ?? ForwardingOptions.DefaultInterval;
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(GatewayEventIds.ForwardingStepFailed, LogLevel.Error, "Audit forwarding could not read the chain or its cursor: {Problem}; tried again at the next look")]
    private static partial void Failed(ILogger logger, string problem);
}
