using System.Buffers;
using System.Text;

namespace McpGateway.Tools.HttpCall;

/// <summary>Reads a response body up to a cap and decides how to show it.</summary>
internal static class HttpResponseReader
{
    private static readonly string[] ShownHeaders =
    [
        "content-type", "content-length", "content-language", "location", "etag", "last-modified",
        "retry-after", "cache-control", "expires", "www-authenticate", "x-request-id", "allow",
    ];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Dictionary<string, string> SelectHeaders(HttpResponseMessage response)
    {
        var selected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ShownHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                selected[name] = string.Join(", ", values);
            }
        }

        return selected;
    }

    /// <summary>Reads at most <paramref name="cap"/> bytes; returns them and whether more were available.</summary>
    public static async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(HttpContent content, long cap, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var limit = (int)Math.Min(cap, int.MaxValue - 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 81920));
        try
        {
            using var collected = new MemoryStream();
            while (collected.Length <= limit)
            {
                var want = (int)Math.Min(buffer.Length, limit + 1 - collected.Length);
                var read = await stream.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                collected.Write(buffer, 0, read);
            }

            var all = collected.ToArray();
            return all.Length > limit ? (all[..limit], true) : (all, false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Text for text-like content that decodes as UTF-8; a summary otherwise, counting the
    /// <paramref name="shown"/> bytes within the cap (<paramref name="truncated"/>: the body had
    /// more). <paramref name="readCut"/>: the read stopped before the end, so the last character
    /// may be incomplete.
    /// </summary>
    public static (string Body, string Kind) Describe(byte[] bytes, string? mediaType, bool readCut, long shown, bool truncated)
    {
        if (bytes.Length == 0)
        {
            return (string.Empty, "empty");
        }

        var textLike = mediaType is null || IsTextLike(mediaType);
        if (textLike && TryDecode(bytes, readCut, out var text))
        {
            return (text, IsJson(mediaType) ? "json" : "text");
        }

        return ($"[{shown}{(truncated ? "+" : string.Empty)} bytes of {mediaType ?? "binary content"}, not shown]", "binary");
    }

    private static bool TryDecode(byte[] bytes, bool truncated, out string text)
    {
        // A cut may split a multi-byte character: drop an incomplete tail before decoding.
        var length = bytes.Length;
        if (truncated)
        {
            var back = 0;
            while (back < 3 && length - back - 1 >= 0 && (bytes[length - back - 1] & 0xC0) == 0x80)
            {
                back++;
            }

            if (length - back - 1 >= 0 && bytes[length - back - 1] >= 0xC0)
            {
                length -= back + 1;
            }
        }

        try
        {
            text = StrictUtf8.GetString(bytes, 0, length);
            return !text.Contains('\0', StringComparison.Ordinal);
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static bool IsTextLike(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || IsJson(mediaType)
        || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
        || mediaType is "application/xml" or "application/javascript" or "application/x-www-form-urlencoded" or "application/yaml" or "application/x-yaml";

    private static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
