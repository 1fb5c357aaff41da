using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpGateway.Configuration;

/// <summary>
/// Says where JSON text is malformed the way editors count: 1-based line and column, the column
/// in characters. (System.Text.Json counts from 0, and the column in UTF-8 bytes.)
/// </summary>
internal static partial class JsonSyntaxError
{
    /// <summary>The first <see cref="JsonException"/> in <paramref name="exception"/>'s chain, if any.</summary>
    public static JsonException? Find(Exception exception)
    {
        for (var current = (Exception?)exception; current is not null; current = current.InnerException)
        {
            if (current is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>
    /// <c> at line L, column C: what is wrong</c> (counted in <paramref name="text"/> when it is
    /// known), or <c>: what is wrong</c> when the parser gave no position; to follow "is not valid JSON".
    /// </summary>
    public static string Describe(JsonException exception, string? text)
    {
        var what = Position().Replace(exception.Message, string.Empty).Trim();
        if (exception.LineNumber is not { } line)
        {
            return $": {what}";
        }

        var bytes = exception.BytePositionInLine ?? 0;
        return $" at line {line + 1}, column {Column(text, line, bytes) + 1}: {what}";
    }

    private static long Column(string? text, long line, long bytes)
    {
        if (text is null)
        {
            return bytes;
        }

        var lines = text.Split('\n');
        if (line >= lines.Length)
        {
            return bytes;
        }

        var encoded = Encoding.UTF8.GetBytes(lines[line]);
        return bytes > encoded.Length ? bytes : Encoding.UTF8.GetCharCount(encoded, 0, (int)bytes);
    }

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.\s*$")]
    private static partial Regex Position();
}
