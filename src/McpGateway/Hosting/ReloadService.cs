using McpGateway.Audit.Changes;
using McpGateway.Configuration;
using McpGateway.Diagnostics;
using McpGateway.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting;

/// <summary>
/// Hot reload while serving: every couple of seconds, fingerprints the configuration file, the
/// policy bundle's files and the secret files; on a change, reloads. A bad change is logged and
/// the last good configuration and bundle stay in force. Every successful reload is recorded —
/// its revision's files in the store, a <c>config.reloaded</c> entry naming what changed — and a
/// record that could not be written is tried again at every tick until it is.
/// </summary>
internal sealed partial class ReloadService(GatewayRuntime runtime, ConfigurationHistory history, TimeProvider time, ILogger<ReloadService> logger) : BackgroundService
{
    private readonly Queue<Func<CancellationToken, Task>> _unrecorded = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = SafeFingerprint(runtime.Configuration);
        var started = runtime.Current;
        _unrecorded.Enqueue(cancellationToken => history.SaveRevisionAsync(started, cancellationToken));
        await RecordAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(runtime.Configuration.Timings.ReloadPoll, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            // Nothing a changed file holds may stop the gateway: every failure is logged and the last good state stays.
            try
            {
                last = Check(last);
            }
            catch (Exception ex)
            {
                ReloadFailed(logger, $"{ex.GetType().Name}: {ex.Message}");
            }

            await RecordAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the records not written yet, oldest first; stops at the first that fails (tried again at the next tick).</summary>
    private async Task RecordAsync(CancellationToken cancellationToken)
    {
        while (_unrecorded.TryPeek(out var record))
        {
            try
            {
                await record(cancellationToken).ConfigureAwait(false);
                _unrecorded.Dequeue();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                NotRecorded(logger, $"{ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
    }

    /// <summary>Reloads when the files changed since <paramref name="last"/>; returns the fingerprint now in force.</summary>
    private IReadOnlyDictionary<string, string>? Check(IReadOnlyDictionary<string, string>? last)
    {
        var current = SafeFingerprint(runtime.Configuration);
        if (current is null || (last is not null && Same(current, last)))
        {
            return current ?? last;
        }

        var before = runtime.Current;
        if (runtime.Reload() is { } problem)
        {
            ReloadFailed(logger, problem);
            return current;
        }

        var after = runtime.Current;
        var now = SafeFingerprint(after.Configuration) ?? current;
        var change = ConfigurationChange.Between(before, after, Touched(last, now));
        Reloaded(logger, change.Describe());
        _unrecorded.Enqueue(cancellationToken => history.RecordReloadAsync(after, change, cancellationToken));
        ReportAnonymousChange(before.Configuration.Anonymous, after.Configuration.Anonymous);
        return now;
    }

    private static bool Same(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>The files whose stamp differs between the two fingerprints (every file when there was none before).</summary>
    private static HashSet<string> Touched(IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string> after)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, stamp) in after)
        {
            if (before is null || !before.TryGetValue(file, out var old) || old != stamp)
            {
                touched.Add(file);
            }
        }

        if (before is not null)
        {
            touched.UnionWith(before.Keys.Where(f => !after.ContainsKey(f)));
        }

        return touched;
    }

    private IReadOnlyDictionary<string, string>? SafeFingerprint(GatewayConfiguration configuration)
    {
        try
        {
            return Fingerprint(configuration);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException)
        {
            ReloadFailed(logger, ex.Message);
            return null;
        }
    }

    private void ReportAnonymousChange(AnonymousOptions before, AnonymousOptions after)
    {
        if (after == before)
        {
            return;
        }

        if (after is { Enabled: true, Identity: { } name })
        {
            AnonymousAccessOn(logger, name);
        }
        else if (before.Enabled)
        {
            AnonymousAccessOff(logger);
        }
    }

    /// <summary>Sizes and write times of every file the configuration depends on, by path.</summary>
    internal static IReadOnlyDictionary<string, string> Fingerprint(GatewayConfiguration configuration)
    {
        var files = new List<string> { configuration.SourceFile };
        if (Directory.Exists(configuration.PoliciesPath))
        {
            files.AddRange(Directory.EnumerateFiles(configuration.PoliciesPath, "*", SearchOption.AllDirectories));
        }
        else
        {
            files.Add(configuration.PoliciesPath);
        }

        files.AddRange(configuration.SecretReferences.Where(r => r.Source == SecretSource.File).Select(r => r.Location));
        var stamps = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files.Distinct(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            stamps[file] = info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "missing";
        }

        return stamps;
    }

    [LoggerMessage(GatewayEventIds.Reloaded, LogLevel.Information, "Reloaded: {Changes}")]
    private static partial void Reloaded(ILogger logger, string changes);

    [LoggerMessage(GatewayEventIds.ReloadFailed, LogLevel.Error, "Reload failed; the last good configuration and bundle stay in force: {Problem}")]
    private static partial void ReloadFailed(ILogger logger, string problem);

    [LoggerMessage(GatewayEventIds.ReloadNotRecorded, LogLevel.Error, "A reload or the policy revision in force could not be recorded yet (tried again shortly): {Problem}")]
    private static partial void NotRecorded(ILogger logger, string problem);

    [LoggerMessage(GatewayEventIds.AnonymousAccessOn, LogLevel.Warning, "After the reload, anonymous access is now on: requests without a credential act as '{Identity}' (on a loopback HTTP bind only)")]
    private static partial void AnonymousAccessOn(ILogger logger, string identity);

    [LoggerMessage(GatewayEventIds.AnonymousAccessOff, LogLevel.Warning, "After the reload, anonymous access is now off: every request needs an API key")]
    private static partial void AnonymousAccessOff(ILogger logger);
}
