using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Model;

/// <summary>A rate limit: at most <see cref="Count"/> calls per <see cref="Window"/>.</summary>
public readonly record struct RateLimit(long Count, TimeSpan Window)
{
    public double PerSecond => Count / Window.TotalSeconds;

    public override string ToString()
    {
        var window = DurationText.Format(Window);
        return $"{Count}/{(window is "1s" or "1m" or "1h" or "1d" ? window[1..] : window)}";
    }
}

/// <summary>A typed obligation value as written in a rule, or merged from several.</summary>
public sealed record ObligationValue(
    ObligationKind Kind,
    TimeSpan Duration = default,
    long Number = 0,
    bool Flag = false,
    RateLimit Rate = default,
    ImmutableArray<string> Profiles = default)
{
    /// <summary>Merges two values of the same obligation to the stricter one.</summary>
    public ObligationValue Strictest(ObligationValue other) => Kind switch
    {
        ObligationKind.Duration => Duration <= other.Duration ? this : other,
        ObligationKind.Count or ObligationKind.Size => Number <= other.Number ? this : other,
        ObligationKind.Flag => Flag ? this : other,
        ObligationKind.Grant => Flag ? other : this,
        ObligationKind.Rate => Rate.PerSecond <= other.Rate.PerSecond ? this : other,
        _ => this with { Profiles = [.. Profiles.Union(other.Profiles, StringComparer.Ordinal).Order(StringComparer.Ordinal)] },
    };

    public JsonNode ToJson() => Kind switch
    {
        ObligationKind.Duration => JsonValue.Create(DurationText.Format(Duration)),
        ObligationKind.Count or ObligationKind.Size => JsonValue.Create(Number),
        ObligationKind.Flag or ObligationKind.Grant => JsonValue.Create(Flag),
        ObligationKind.Rate => JsonValue.Create(Rate.ToString()),
        _ => new JsonArray([.. Profiles.Select(p => (JsonNode?)JsonValue.Create(p))]),
    };

    public override string ToString() => ToJson().ToJsonString();
}

/// <summary>Parses and formats durations such as <c>500ms</c>, <c>30s</c>, <c>1h30m</c>.</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var i = 0;
        var total = 0L;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
            {
                i++;
            }

            long unitMs = text.AsSpan(unitStart, i - unitStart) switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => 0,
            };
            if (unitMs == 0 || amount > long.MaxValue / unitMs / 4)
            {
                return false;
            }

            total = checked(total + (amount * unitMs));
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        if (ms % 1000 != 0)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var parts = new System.Text.StringBuilder();
        var seconds = ms / 1000;
        foreach (var (unit, size) in new[] { ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
        {
            if (seconds >= size)
            {
                parts.Append(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }

        return parts.ToString();
    }
}

/// <summary>Parses sizes such as <c>65536</c>, <c>64KiB</c>, <c>1MB</c>.</summary>
public static class SizeText
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == 0 || !long.TryParse(text.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        long unit = text.AsSpan(i).Trim() switch
        {
            "" or "B" => 1,
            "KB" => 1000,
            "KiB" => 1024,
            "MB" => 1000 * 1000,
            "MiB" => 1024 * 1024,
            "GB" => 1000L * 1000 * 1000,
            "GiB" => 1024L * 1024 * 1024,
            _ => 0,
        };
        if (unit == 0 || amount > long.MaxValue / unit)
        {
            return false;
        }

        bytes = amount * unit;
        return true;
    }
}

/// <summary>Parses rates such as <c>60/m</c>, <c>10/s</c> or <c>100/30s</c>.</summary>
public static class RateText
{
    public static bool TryParse(string text, out RateLimit rate)
    {
        rate = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !long.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count <= 0)
        {
            return false;
        }

        var window = text[(slash + 1)..];
        if (window is "s" or "m" or "h" or "d")
        {
            window = "1" + window;
        }

        if (!DurationText.TryParse(window, out var span) || span <= TimeSpan.Zero)
        {
            return false;
        }

        rate = new RateLimit(count, span);
        return true;
    }
}
