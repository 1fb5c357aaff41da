using System.Globalization;
using McpGateway.Policies.Model;

namespace McpGateway.Cli;

/// <summary>Reads points in time as operators write them on the command line.</summary>
internal static class CliTime
{
    /// <summary>
    /// An absolute RFC 3339 time (<c>2027-01-31</c>, <c>2027-01-31T12:00:00Z</c>) or a duration
    /// (<c>30d</c>, <c>12h</c>) counted from <paramref name="now"/> in <paramref name="direction"/> (+1 or -1).
    /// </summary>
    public static DateTimeOffset? Parse(string? text, DateTimeOffset now, int direction, string option, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DurationText.TryParse(text, out var duration))
        {
            return now + (direction * duration);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var absolute))
        {
            return absolute;
        }

        error = $"{option} '{text}' is neither a duration (30d, 12h, 90m) nor a date and time (2027-01-31 or 2027-01-31T12:00:00Z).";
        return null;
    }

    public static string Format(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
