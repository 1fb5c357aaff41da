using System.Buffers;
using System.Collections.Immutable;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>The path and query of an <c>http_call</c> in the form that is matched and sent.</summary>
/// <param name="Path">The path in RFC 3986 §6.2.2 normal form, or null when it was refused.</param>
/// <param name="Query">The normalised query without '?', or null when there is none.</param>
/// <param name="QueryKeys">The decoded names of the query parameters, each once, in order.</param>
internal sealed record HttpTarget(string? Path, string? Query, ImmutableArray<string> QueryKeys);

/// <summary>
/// Turns the <c>path</c> argument into the one string that is matched and sent: fragment and
/// query split off, percent-encoding normalised, dot segments removed. Anything a server could
/// read differently from this form is an unparsed reason; anything that leaves the service is a
/// refusal.
/// </summary>
internal static class HttpPathNormalizer
{
    internal const string RelativePathFix = "give a path relative to the service, like /api/items";

    private const int StackBufferSize = 256;

    public static HttpTarget Normalize(string raw, List<string> unparsed, List<Refusal> refusals)
    {
        var end = raw.IndexOf('#', StringComparison.Ordinal);
        if (end >= 0)
        {
            unparsed.Add($"The path has '#' at position {end + 1}, which starts a fragment, and a fragment is never sent to a server. Remove '#' and everything after it.");
        }
        else
        {
            end = raw.Length;
        }

        var text = raw.AsSpan(0, end);
        var question = text.IndexOf('?');
        var pathPart = question >= 0 ? text[..question] : text;

        var path = StartsInsideService(pathPart, refusals) ? NormalizePath(pathPart, unparsed, refusals) : null;

        if (question < 0 || question + 1 == text.Length)
        {
            return new HttpTarget(path, null, []);
        }

        var (query, keys) = HttpQueryNormalizer.Normalize(text[(question + 1)..], question + 1, unparsed);
        return new HttpTarget(path, query, keys);
    }

    /// <summary>Refuses absolute and scheme-relative URLs and paths that do not start with '/'.</summary>
    private static bool StartsInsideService(ReadOnlySpan<char> path, List<Refusal> refusals)
    {
        if (path.Length >= 2 && path[0] is ('/' or '\\') && path[1] is ('/' or '\\'))
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.LeavesService,
                $"Argument 'path' starts with '{path[..2]}', which names another host (a scheme-relative URL); {RelativePathFix}."));
            return false;
        }

        if (path.Length > 0 && path[0] == '/')
        {
            return true;
        }

        var schemeLength = SchemeLength(path);
        if (schemeLength > 0)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.LeavesService,
                $"Argument 'path' is an absolute URL (scheme '{path[..schemeLength]}:'), and the gateway only calls the configured service; {RelativePathFix}."));
            return false;
        }

        var segmentEnd = path.IndexOfAny('/', '\\');
        var firstSegment = segmentEnd >= 0 ? path[..segmentEnd] : path;
        if (firstSegment.IndexOfAny('@', ':') >= 0)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.LeavesService,
                $"Argument 'path' starts with '{HttpSyntax.Excerpt(firstSegment.ToString())}', which reads as a host or user name rather than a path; {RelativePathFix}."));
            return false;
        }

        refusals.Add(new Refusal(HttpRefusalCodes.Arguments, $"Argument 'path' must start with '/': {RelativePathFix}."));
        return false;
    }

    /// <summary>The length of an RFC 3986 scheme before ':' at the start, or 0 when there is none.</summary>
    private static int SchemeLength(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || !char.IsAsciiLetter(text[0]))
        {
            return 0;
        }

        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ':')
            {
                return i;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return 0;
            }
        }

        return 0;
    }

    /// <summary>Normalises a path that starts with a single '/'; one pass, dot segments removed as they end.</summary>
    private static string? NormalizePath(ReadOnlySpan<char> path, List<string> unparsed, List<Refusal> refusals)
    {
        // The output is never longer than the input: decoding shrinks, everything else is copied.
        char[]? rented = null;
        var buffer = path.Length <= StackBufferSize
            ? stackalloc char[StackBufferSize]
            : (rented = ArrayPool<char>.Shared.Rent(path.Length));
        try
        {
            var reports = new ProblemReports(unparsed, "path", 0);
            buffer[0] = '/';
            var length = 1;
            var segmentStart = 1;
            var climbed = false;
            var encodedNonAscii = false;
            for (var i = 1; i < path.Length;)
            {
                var c = path[i];
                if (c == '/')
                {
                    length = EndSegment(buffer, length, segmentStart, last: false, ref climbed);
                    buffer[length++] = '/';
                    segmentStart = length;
                    i++;
                }
                else if (c == '%')
                {
                    if (!HttpSyntax.TryReadTriplet(path, i, out var value))
                    {
                        reports.BadPercent(path, i, "a literal '%' cannot be sent in a path");
                        buffer[length++] = '%';
                        i++;
                        continue;
                    }

                    if (ForbiddenEncoding(value) is { } explanation)
                    {
                        reports.ForbiddenEncoding(path, i, value, explanation);
                        HttpSyntax.WriteTriplet(buffer[length..], value);
                        length += 3;
                    }
                    else if (Model.PathText.DecodesInPath(value))
                    {
                        // Servers decode these before routing ('%24batch' is '$batch'), so the
                        // normal form that is matched and sent holds them literally.
                        buffer[length++] = (char)value;
                    }
                    else
                    {
                        HttpSyntax.WriteTriplet(buffer[length..], value);
                        length += 3;
                        encodedNonAscii |= value >= 0x80;
                    }

                    i += 3;
                }
                else if (HttpSyntax.PathChars.Contains(c))
                {
                    buffer[length++] = c;
                    i++;
                }
                else
                {
                    reports.Character(path, i, inQuery: false);
                    var width = HttpSyntax.Width(path, i);
                    path.Slice(i, width).CopyTo(buffer[length..]);
                    length += width;
                    i += width;
                }
            }

            length = EndSegment(buffer, length, segmentStart, last: true, ref climbed);
            var normalized = new string(buffer[..length]);
            if (encodedNonAscii)
            {
                HttpEncodedText.Check(normalized, unparsed);
            }

            return CheckSegments(normalized, climbed, unparsed, refusals);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Applies RFC 3986 §5.2.4 to the segment that just ended at <paramref name="length"/>:
    /// '.' is dropped, '..' also drops the segment before it. Returns the new output length.
    /// </summary>
    private static int EndSegment(Span<char> buffer, int length, int segmentStart, bool last, ref bool climbed)
    {
        var segmentLength = length - segmentStart;
        if (segmentLength == 1 && buffer[segmentStart] == '.')
        {
            return last ? segmentStart : segmentStart - 1;
        }

        if (segmentLength == 2 && buffer[segmentStart] == '.' && buffer[segmentStart + 1] == '.')
        {
            var slash = segmentStart - 1;
            if (slash == 0)
            {
                // Nothing left to remove: the input climbs above the root.
                climbed = true;
                return last ? 1 : 0;
            }

            var previousSlash = buffer[..slash].LastIndexOf('/');
            return last ? previousSlash + 1 : previousSlash;
        }

        return length;
    }

    private static string? CheckSegments(string path, bool climbed, List<string> unparsed, List<Refusal> refusals)
    {
        if (climbed)
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.LeavesService,
                $"Argument 'path' climbs above the service's root with '..'; remove the '..' segments and {RelativePathFix}."));
            return null;
        }

        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            refusals.Add(new Refusal(
                HttpRefusalCodes.LeavesService,
                $"Argument 'path' becomes '{HttpSyntax.Excerpt(path)}' once its '.' and '..' segments are resolved, which names another host; {RelativePathFix}."));
            return null;
        }

        if (path.Contains("//", StringComparison.Ordinal))
        {
            unparsed.Add($"The path '{HttpSyntax.Excerpt(path)}' has an empty segment ('//'); servers collapse or keep empty segments differently, so the path checked might not be the one served. Remove the extra '/'.");
        }

        var semicolon = path.IndexOf(';', StringComparison.Ordinal);
        var encoded = path.IndexOf("%3B", StringComparison.Ordinal);
        if (semicolon >= 0 || encoded >= 0)
        {
            var at = semicolon >= 0 && (encoded < 0 || semicolon < encoded) ? semicolon : encoded;
            var start = path.LastIndexOf('/', at) + 1;
            var stop = path.IndexOf('/', at);
            var segment = stop < 0 ? path[start..] : path[start..stop];
            var what = at == semicolon ? "';'" : "an encoded ';' (%3B)";
            unparsed.Add($"The path segment '{HttpSyntax.Excerpt(segment)}' contains {what}, which starts a path parameter; some servers drop path parameters before routing (so '/api/..;/admin' reaches '/admin'), and the path checked would not be the one served. Remove the ';' part of the segment, or pass the value in the query.");
        }

        return path;
    }

    /// <summary>Why an encoded byte may not appear in a path, or null when it may.</summary>
    private static string? ForbiddenEncoding(int value) => value switch
    {
        '/' => "an encoded '/'; servers disagree on whether it separates segments, so the path could reach another resource than the one checked. Use a literal '/' between segments; a '/' inside a segment cannot be sent",
        '.' => "an encoded '.'; it can hide a '.' or '..' segment from the check. Write '.' literally",
        '\\' => "an encoded backslash; many servers treat '\\' as '/'. Use '/' to separate segments",
        '?' => "an encoded '?'; servers that decode it start the query there. Start the query with a literal '?'; a '?' inside the path cannot be sent",
        '#' => "an encoded '#'; servers that decode it cut the path there. Remove it; a '#' inside the path cannot be sent",
        '%' => "an encoded '%', which allows double encoding (%252F decodes to %2F, then to '/'). Percent-encode each byte exactly once",
        0 => "an encoded NUL; servers may cut the path there. Remove it",
        < 0x20 or 0x7F => $"an encoded control character (U+{value:X4}); servers may cut, trim or reject the path there, so the path checked might not be the one served. Remove it",
        _ => null,
    };
}
