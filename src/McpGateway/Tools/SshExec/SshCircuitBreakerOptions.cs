using System.Globalization;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// <c>Targets:Ssh:&lt;name&gt;:CircuitBreaker</c>: when at least <paramref name="Failures"/>
/// connection attempts to the host were made within <paramref name="Window"/> and every one
/// failed (refused, timed out, credential refused, unpinned host key), the gateway stops
/// connecting to it for <paramref name="Break"/>; calls fail at once with the time it will try
/// again. Then one trial connection decides: it closes the breaker, or opens it again. A failing
/// remote command never counts: only opening a connection does.
/// </summary>
public sealed record SshCircuitBreakerOptions(int Failures, TimeSpan Window, TimeSpan Break)
{
    public const int MinFailures = 2;
    public const int MaxFailures = 1000;

    public static readonly TimeSpan MinDuration = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public static SshCircuitBreakerOptions Default { get; } = new(5, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));

    private static readonly string[] KnownKeys = ["Failures", "Window", "Break"];

    /// <summary>Reads the section (absent: the defaults), adding every problem to <paramref name="errors"/>.</summary>
    internal static SshCircuitBreakerOptions Read(IConfigurationSection section, List<string> errors)
    {
        foreach (var unknown in section.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; a circuit breaker has {string.Join(", ", KnownKeys)}.");
        }

        var failures = Default.Failures;
        if (section["Failures"] is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out failures) || failures is < MinFailures or > MaxFailures))
        {
            errors.Add($"{section.Path}:Failures: '{text}' is not a whole number from {MinFailures} to {MaxFailures} (failed connection attempts before the gateway stops trying).");
            failures = Default.Failures;
        }

        return new SshCircuitBreakerOptions(failures, Duration(section, "Window", Default.Window, errors), Duration(section, "Break", Default.Break, errors));
    }

    /// <summary>A duration from 500ms to 1d, as <c>30s</c> or <c>2m</c>.</summary>
    internal static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (DurationText.TryParse(text, out var value) && value >= MinDuration && value <= MaxDuration)
        {
            return value;
        }

        errors.Add($"{section.Path}:{key}: '{text}' is not a duration from 500ms to 1d such as 30s or 2m.");
        return fallback;
    }
}
