using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// Takes signed checkpoints while serving, on whichever replica holds the job lease
/// <c>audit-checkpoint</c>: after <c>Audit:Checkpoints:Every</c> uncovered entries, at least every
/// <c>Audit:Checkpoints:Interval</c> while entries arrive, at start when entries are uncovered,
/// and once more when the host has stopped (after every other service, so the last entries are
/// covered). A checkpoint that cannot be taken or logged is logged as an error and shown by
/// <c>/healthz</c> as <c>degraded</c>; it is tried again at the next look.
/// </summary>
internal sealed partial class AuditCheckpointService(AuditCheckpointWriter writer, AuditSigningKey key, IGatewayStore store, GatewayInstance instance, Runtime.GatewayRuntime runtime, TimeProvider time, ILogger<AuditCheckpointService> logger)
    : BackgroundService, IHostedLifecycleService
{
    public const string JobName = "audit-checkpoint";

    /// <summary>How often the chain is looked at (or the interval, when shorter).</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan LeaseFor = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HeldJobLease _lease = new(store.Jobs, JobName, instance.Id, LeaseFor);

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (key.Created)
        {
            // The public key and its id, never the private key.
            KeyCreated(logger, key.Source, key.KeyId, key.PublicKey.Pem);
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every service stopped: a last checkpoint covering whatever they appended.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => TickAsync(shutdown: true, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = runtime.Configuration.AuditOrDefault.Checkpoints.Interval;
        using var timer = new PeriodicTimer(interval < Poll ? interval : Poll, time);
        do
        {
            await TickAsync(shutdown: false, stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task TickAsync(bool shutdown, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (!await _lease.HoldAsync(now, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await writer.RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (shutdown ? writer.Uncovered > 0 : writer.IsDue(now))
            {
                await writer.TakeAsync(cancellationToken).ConfigureAwait(false);
            }

            writer.FlushLog();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Tried again at the next look; a failed checkpoint never stops the gateway, but it is not silent.
            writer.Fail($"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(GatewayEventIds.SigningKeyCreated, LogLevel.Warning, "No McpGateway:Audit:SigningKey is configured, so a checkpoint signing key was created in {Path} (mode 0600). Keep a copy of its public key (key id {KeyId}) where auditors can reach it — 'mcp-gateway audit pubkey' prints it again — and configure a key from a secret store for production:\n{PublicKey}")]
    private static partial void KeyCreated(ILogger logger, string path, string keyId, string publicKey);
}
