using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit.Purge;

/// <summary>
/// Every <c>Timings:AuditRetention</c>, on whichever replica holds the job lease: purges payloads
/// (and final approval requests' stored data) older than <c>Audit:RetainPayloads</c>, when that is
/// set. The setting is read at each tick, so a reload that sets or changes it applies.
/// </summary>
internal sealed partial class AuditRetentionService(AuditPurgeService purges, IGatewayStore store, GatewayRuntime runtime, GatewayInstance instance, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    public const string JobName = "audit-retention";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = runtime.Configuration.Timings.AuditRetention;
        using var timer = new PeriodicTimer(every, time);
        do
        {
            try
            {
                if (runtime.Configuration.AuditPayloads.RetainPayloads is not { } retain)
                {
                    continue;
                }

                var now = time.GetUtcNow();
                if (await store.Jobs.TryAcquireAsync(JobName, instance.Id, now, now + every + every, stoppingToken).ConfigureAwait(false))
                {
                    var result = await purges.RetainAsync(retain, stoppingToken).ConfigureAwait(false);
                    if (result.Record is { } record)
                    {
                        Purged(logger, result.Entries, result.Approvals, record.Seq);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Tried again at the next tick; retention never stops the gateway.
                Failed(logger, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(GatewayEventIds.PayloadsPurged, LogLevel.Information, "Audit retention purged the payloads of {Entries} entries and {Approvals} approval requests (recorded as entry {Seq})")]
    private static partial void Purged(ILogger logger, long entries, long approvals, long seq);

    [LoggerMessage(GatewayEventIds.RetentionFailed, LogLevel.Error, "Audit retention failed: {Problem}")]
    private static partial void Failed(ILogger logger, string problem);
}
