using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpGateway.Hosting;

/// <summary>
/// After a host stops: did it stop because a background service failed? The host logs such a
/// failure and stops, but would exit 0, so a supervisor that restarts on failure would leave the
/// gateway down. <c>serve</c> turns it into one <c>error:</c> line and a non-zero exit.
/// </summary>
internal static class HostFailures
{
    /// <summary>Exit status of a serve whose background service failed.</summary>
    public const int ExitCode = McpGateway.Cli.GatewayCli.Failed;

    /// <summary>Writes why the host stopped and returns <see cref="ExitCode"/>, or returns <paramref name="success"/> when nothing failed.</summary>
    public static async Task<int> ExitStatusAsync(IServiceProvider services, TextWriter error, int success)
    {
        var failed = services.GetServices<IHostedService>()
            .OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsFaulted: true })
            .ToList();
        if (failed.Count == 0)
        {
            return success;
        }

        foreach (var service in failed)
        {
            var cause = service.ExecuteTask!.Exception!.GetBaseException();
            await error.WriteLineAsync($"error: the gateway stopped because its {service.GetType().Name} failed ({cause.GetType().Name}: {cause.Message}); restart it after fixing the cause.").ConfigureAwait(false);
        }

        return ExitCode;
    }
}
