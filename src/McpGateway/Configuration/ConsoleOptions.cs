using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// <c>McpGateway:Console</c>: how long a console session lasts — ended after <c>IdleTimeout</c>
/// without a request (default 30 minutes) and after <c>AbsoluteTimeout</c> whatever the activity
/// (default 8 hours) — and how many sign-in attempts one address may make a minute.
/// </summary>
public sealed record ConsoleOptions(TimeSpan IdleTimeout, TimeSpan AbsoluteTimeout, int SignInAttemptsPerMinute)
{
    public static readonly ConsoleOptions Default = new(TimeSpan.FromMinutes(30), TimeSpan.FromHours(8), 10);

    internal static ConsoleOptions Read(IConfigurationSection section, List<string> errors)
    {
        if (!section.Exists())
        {
            return Default;
        }

        string[] known = ["IdleTimeout", "AbsoluteTimeout", "SignInAttemptsPerMinute"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; the console has {string.Join(", ", known)}.");
        }

        var idle = Duration(section, "IdleTimeout", Default.IdleTimeout, errors);
        var absolute = Duration(section, "AbsoluteTimeout", Default.AbsoluteTimeout, errors);
        if (absolute < idle)
        {
            errors.Add($"{section.Path}:AbsoluteTimeout: '{DurationText.Format(absolute)}' is shorter than IdleTimeout '{DurationText.Format(idle)}'.");
        }

        var attempts = Default.SignInAttemptsPerMinute;
        if (section["SignInAttemptsPerMinute"] is { Length: > 0 } text && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out attempts) || attempts is < 1 or > 1000))
        {
            errors.Add($"{section.Path}:SignInAttemptsPerMinute: '{text}' is not a whole number from 1 to 1000.");
            attempts = Default.SignInAttemptsPerMinute;
        }

        return new ConsoleOptions(idle, absolute, attempts);
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, List<string> errors)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (!DurationText.TryParse(text, out var value) || value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromDays(1))
        {
            errors.Add($"{section.Path}:{key}: '{text}' is not a duration from 1s to 1d.");
            return fallback;
        }

        return value;
    }
}
