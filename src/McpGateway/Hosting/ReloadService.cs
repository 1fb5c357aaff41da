using McpGateway.Configuration;
using McpGateway.Diagnostics;
using McpGateway.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting;

/// <summary>
/// Hot reload while serving: every couple of seconds, fingerprints the configuration file, the
/// policy bundle's files and the secret files; on a change, reloads. A bad change is logged and
/// the last good configuration and bundle stay in force.
/// </summary>
public sealed partial class ReloadService(GatewayRuntime runtime, TimeProvider time, ILogger<ReloadService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = SafeFingerprint(runtime.Configuration);
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
        }
    }

    /// <summary>Reloads when the files changed since <paramref name="last"/>; returns the fingerprint now in force.</summary>
    private string? Check(string? last)
    {
        var current = SafeFingerprint(runtime.Configuration);
        if (current is null || current == last)
        {
            return current ?? last;
        }

        var revision = runtime.Engine.Revision;
        var anonymous = runtime.Configuration.Anonymous;
        if (runtime.Reload() is { } problem)
        {
            ReloadFailed(logger, problem);
            return current;
        }

        Reloaded(logger, revision, runtime.Engine.Revision);
        ReportAnonymousChange(anonymous, runtime.Configuration.Anonymous);
        return SafeFingerprint(runtime.Configuration) ?? current;
    }

    private string? SafeFingerprint(GatewayConfiguration configuration)
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

    /// <summary>Names, sizes and write times of every file the configuration depends on.</summary>
    internal static string Fingerprint(GatewayConfiguration configuration)
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
        return string.Join("|", files.Order(StringComparer.Ordinal).Select(f =>
        {
            var info = new FileInfo(f);
            return info.Exists ? $"{f}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"{f}:missing";
        }));
    }

    [LoggerMessage(GatewayEventIds.Reloaded, LogLevel.Information, "Configuration and policy bundle reloaded (revision {Before} → {After})")]
    private static partial void Reloaded(ILogger logger, string before, string after);

    [LoggerMessage(GatewayEventIds.ReloadFailed, LogLevel.Error, "Reload failed; the last good configuration and bundle stay in force: {Problem}")]
    private static partial void ReloadFailed(ILogger logger, string problem);

    [LoggerMessage(GatewayEventIds.AnonymousAccessOn, LogLevel.Warning, "After the reload, anonymous access is now on: requests without a credential act as '{Identity}' (on a loopback HTTP bind only)")]
    private static partial void AnonymousAccessOn(ILogger logger, string identity);

    [LoggerMessage(GatewayEventIds.AnonymousAccessOff, LogLevel.Warning, "After the reload, anonymous access is now off: every request needs an API key")]
    private static partial void AnonymousAccessOff(ILogger logger);
}
