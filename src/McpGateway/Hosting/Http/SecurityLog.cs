using McpGateway.Diagnostics;
using McpGateway.Policies.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting.Http;

/// <summary>
/// Refusals before an identity is known (no, bad or revoked credentials; foreign Host or Origin).
/// They are not in the audit chain: anyone can cause them. They are logged, at most
/// <see cref="Burst"/> per <see cref="Window"/>, then counted and summarised. The presented
/// credential is never logged, only a key id when one could be read.
/// </summary>
public sealed partial class SecurityLog
{
    public const int Burst = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ILogger<SecurityLog> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart;
    private int _inWindow;
    private int _suppressed;

    public SecurityLog(ILogger<SecurityLog> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _windowStart = time.GetUtcNow();
    }

    public void Refused(HttpContext context, string reason, string? keyId = null)
    {
        int suppressed;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _windowStart >= Window)
            {
                suppressed = _suppressed;
                _windowStart = now;
                _inWindow = 0;
                _suppressed = 0;
                if (suppressed > 0)
                {
                    Suppressed(_logger, suppressed);
                }
            }

            if (++_inWindow > Burst)
            {
                _suppressed++;
                return;
            }
        }

        // Everything here may come from an unauthenticated peer: no raw control or format character reaches the log.
        RefusedEvent(
            _logger,
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            PrintableText.Escape(context.Request.Method, 32),
            PrintableText.Escape(context.Request.Path.Value),
            PrintableText.Escape(reason, 400),
            PrintableText.Escape(keyId ?? "-", 64));
    }

    [LoggerMessage(GatewayEventIds.Refused, LogLevel.Warning, "Refused {Method} {Path} from {Remote}: {Reason} (key {KeyId})")]
    private static partial void RefusedEvent(ILogger logger, string remote, string method, string path, string reason, string keyId);

    [LoggerMessage(GatewayEventIds.RefusalsSuppressed, LogLevel.Warning, "{Count} more refusals were not logged in the last window")]
    private static partial void Suppressed(ILogger logger, int count);
}
