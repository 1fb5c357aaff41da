using System.Buffers;
using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// Normalises a query (RFC 3986 §6.2.2: upper-case hex digits, encoded unreserved characters
/// decoded) and lists its parameter names.
/// </summary>
internal static class HttpQueryNormalizer
{
    private const int StackBufferSize = 256;

    /// <param name="query">The query without its '?'; not empty.</param>
    /// <param name="offset">Where the query starts in the <c>path</c> argument, for positions in reasons.</param>
    /// <param name="unparsed">Where reasons go when the query holds what a query cannot.</param>
    public static (string Query, ImmutableArray<string> Keys) Normalize(ReadOnlySpan<char> query, int offset, List<string> unparsed)
    {
        char[]? rented = null;
        var buffer = query.Length <= StackBufferSize
            ? stackalloc char[StackBufferSize]
            : (rented = ArrayPool<char>.Shared.Rent(query.Length));
        try
        {
            var reports = new ProblemReports(unparsed, "query", offset);
            var length = 0;
            for (var i = 0; i < query.Length;)
            {
                var c = query[i];
                if (c == '%')
                {
                    if (!HttpSyntax.TryReadTriplet(query, i, out var value))
                    {
                        reports.BadPercent(query, i, "write a literal '%' as %25");
                        buffer[length++] = '%';
                        i++;
                    }
                    else if (value < 0x80 && HttpSyntax.IsUnreserved((char)value))
                    {
                        buffer[length++] = (char)value;
                        i += 3;
                    }
                    else
                    {
                        HttpSyntax.WriteTriplet(buffer[length..], value);
                        length += 3;
                        i += 3;
                    }
                }
                else if (HttpSyntax.QueryChars.Contains(c))
                {
                    buffer[length++] = c;
                    i++;
                }
                else
                {
                    reports.Character(query, i, inQuery: true);
                    var width = HttpSyntax.Width(query, i);
                    query.Slice(i, width).CopyTo(buffer[length..]);
                    length += width;
                    i += width;
                }
            }

            var normalized = new string(buffer[..length]);
            return (normalized, Keys(normalized));
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
    /// The names of the parameters as servers may read them (see <see cref="HttpParameterNames"/>):
    /// split on '&amp;' and ';', percent-decoded, '+' both kept and read as a space, and the base
    /// of <c>name[...]</c>; each once, in order of first appearance. Empty names are left out.
    /// </summary>
    private static ImmutableArray<string> Keys(string query) => [.. HttpParameterNames.OfPairs(query, plusIsSpace: true)];
}
