using McpGateway.Diagnostics;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Policies.Evaluation;
using McpGateway.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// Keeps every configured cluster's discovery current in the runtime snapshot: reads it at
/// start-up (in the background — a cluster that is down does not delay start-up; its custom
/// kinds then stay unknown, so manifests holding them are <c>unparsed</c>), again every
/// <see cref="KubernetesDiscoveryState.Refresh"/>, and soon after a call names a kind the
/// discovery does not list — never more often than <see cref="KubernetesDiscoveryState.MinInterval"/>
/// per cluster. When what a cluster serves changed, a snapshot with the new kinds is swapped in
/// (<see cref="GatewayRuntime.RefreshTargets"/>); calls already decided keep theirs.
/// </summary>
internal sealed partial class KubernetesDiscoveryRefresher(GatewayRuntime runtime, TimeProvider time, ILogger<KubernetesDiscoveryRefresher> logger) : BackgroundService, IDecisionObserver
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>A <c>kubectl_apply</c> call named a kind its cluster's discovery does not list: read it again soon.</summary>
    public void Decided(string tool, PolicyDecision decision, RuntimeSnapshot snapshot)
    {
        if (tool != KubectlApplyTool.Name || decision.Target is not { } cluster
            || decision.Classification?.Facts.Get(KubectlApplyTool.UnknownKinds) is not { Items.Length: > 0 }
            || snapshot.Clients.Get<KubernetesConnection>(Policies.TargetKinds.Kubernetes, cluster) is not { } connection)
        {
            return;
        }

        connection.Discovery.Want();
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    /// <summary>Reads every cluster whose discovery is due; returns whether a snapshot with new kinds was installed.</summary>
    public async Task<bool> RefreshDueAsync(CancellationToken cancellationToken, TimeSpan? minInterval = null)
    {
        var changed = false;
        using var lease = runtime.Acquire();
        foreach (var (_, name, client) in lease.Snapshot.Clients.All)
        {
            if (client is not KubernetesConnection connection || !connection.Discovery.IsDue(time.GetUtcNow(), minInterval))
            {
                continue;
            }

            connection.Discovery.Attempting(time.GetUtcNow());
            using var deadline = new CancellationTokenSource(ReadTimeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                var resources = await KubernetesDiscoveryReader.ReadAsync(connection, timeout.Token).ConfigureAwait(false);
                changed |= connection.Discovery.Succeeded(resources, time.GetUtcNow());
                DiscoveryRead(logger, name, resources.Count);
            }
            catch (Exception ex) when (ex is ToolCallException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var why = ex is ToolCallException ? ex.Message : $"no answer within {ReadTimeout.TotalSeconds:0} s";
                connection.Discovery.Failed(why);
                DiscoveryFailed(logger, name, why);
            }
        }

        return changed && runtime.RefreshTargets();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                DiscoveryFailed(logger, "*", $"{ex.GetType().Name}");
            }

            try
            {
                using var tick = new CancellationTokenSource(Tick, time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tick.Token);
                await _wake.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The tick: look again.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(GatewayEventIds.KubernetesDiscoveryRead, LogLevel.Debug, "Cluster {Cluster}: discovery lists {Count} kinds")]
    private static partial void DiscoveryRead(ILogger logger, string cluster, int count);

    [LoggerMessage(GatewayEventIds.KubernetesDiscoveryFailed, LogLevel.Warning, "Cluster {Cluster}: discovery could not be read ({Reason}); its custom kinds stay unknown until it can")]
    private static partial void DiscoveryFailed(ILogger logger, string cluster, string reason);
}
