using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// Checks the non-ASCII text a normalised path carries in percent-encoded form. Servers that
/// decode invalid UTF-8 leniently (overlong forms such as %C0%AF) or fold Unicode look-alikes
/// (such as U+FF0F FULLWIDTH SOLIDUS) can turn such bytes into '/', '\', '.', '?', '#', '%' or
/// ';' after the path was checked.
/// </summary>
internal static class HttpEncodedText
{
    // Characters that Unicode normalisation or best-fit mappings turn into a delimiter, and that delimiter.
    private const string LookAlikes = "\uFF0F\u2215\u2044\u29F8\uFF3C\u2216\uFE68\u29F9\uFF0E\u2024\uFE52\uFF1F\uFE56\uFF03\uFE5F\uFF05\uFE6A\uFF1B\uFE54\u037E";
    private const string Meanings = "////\\\\\\\\...??##%%;;;";

    private static readonly SearchValues<char> LookAlikeChars = SearchValues.Create(LookAlikes);

    // Other characters whose compatibility decomposition (NFKC, Unicode 14) holds one of those
    // delimiters: U+2025 '‥' → "..", U+2100 '℀' → "a/c", U+2488 '⒈' → "1.", U+FE14 → ';' and so on.
    // A table rather than string.Normalize, which needs ICU that invariant-globalization hosts lack.
    private static readonly SearchValues<char> CompatibilityDelimiters = SearchValues.Create(
        "\u2025\u2026\u2047\u2048\u2049\u2100\u2101\u2105\u2106\u2488\u2489\u248A\u248B\u248C\u248D\u248E\u248F\u2490\u2491\u2492\u2493\u2494\u2495\u2496\u2497\u2498\u2499\u249A\u249B\u33C2\u33C7\u33D8\uFE14\uFE16\uFE19\uFE30");

    /// <summary>Adds an unparsed reason for the first invalid or look-alike run of encoded bytes in <paramref name="path"/>.</summary>
    public static void Check(string path, List<string> unparsed)
    {
        byte[]? rented = null;
        var bytes = path.Length <= 768 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(path.Length / 3));
        try
        {
            var i = 0;
            while (i < path.Length)
            {
                var start = i;
                var count = 0;
                while (i < path.Length && path[i] == '%' && HttpSyntax.TryReadTriplet(path, i, out var value) && value >= 0x80)
                {
                    bytes[count++] = (byte)value;
                    i += 3;
                }

                if (count == 0)
                {
                    i++;
                    continue;
                }

                var run = path[start..i];
                if (!Utf8.IsValid(bytes[..count]))
                {
                    unparsed.Add($"The path has the percent-encoded bytes '{HttpSyntax.Excerpt(run)}', which are not valid UTF-8; some servers decode such bytes leniently, for example %C0%AF as '/'. Percent-encode the UTF-8 bytes of the text instead.");
                    return;
                }

                var text = Encoding.UTF8.GetString(bytes[..count]);
                var at = text.AsSpan().IndexOfAny(LookAlikeChars);
                if (at >= 0)
                {
                    var lookAlike = text[at];
                    var meaning = Meanings[LookAlikes.IndexOf(lookAlike, StringComparison.Ordinal)];
                    unparsed.Add($"The path has '{HttpSyntax.Excerpt(run)}', which decodes to '{lookAlike}' (U+{((int)lookAlike).ToString("X4", CultureInfo.InvariantCulture)}), a character some servers turn into '{meaning}' when they normalise Unicode. Use '{meaning}' itself if you mean it, or leave the character out.");
                    return;
                }

                // Any other character whose compatibility form (NFKC) holds a delimiter, such as
                // U+2025 '‥' → "..", U+2100 '℀' → "a/c".
                if (text.AsSpan().IndexOfAny(CompatibilityDelimiters) >= 0 || text.Contains("\U0001F100", StringComparison.Ordinal))
                {
                    unparsed.Add($"The path has '{HttpSyntax.Excerpt(run)}', which some servers normalise (Unicode NFKC) into text holding '/', '\\', '.', '?', '#', '%' or ';'. Write the characters you mean, or leave these out.");
                    return;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
