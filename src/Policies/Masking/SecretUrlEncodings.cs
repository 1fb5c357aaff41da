using System.Buffers;
using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Percent-encoded spellings of a secret, as the common encoders write them, with a space written as <c>%20</c>
/// and as <c>+</c> (hex digits in upper case: the spellings are matched in any letter case):
/// <list type="bullet">
/// <item>every byte but RFC 3986 unreserved characters encoded (<c>Uri.EscapeDataString</c>), also keeping
/// <c>/</c> (Python <c>quote</c>);</item>
/// <item>form encoding, keeping <c>-_.!*()</c> (<c>WebUtility.UrlEncode</c>, <c>HttpUtility.UrlEncode</c>), and
/// JavaScript <c>encodeURIComponent</c>, keeping <c>-_.!~*'()</c>;</item>
/// <item>reserved characters kept, the rest encoded (JavaScript <c>encodeURI</c>);</item>
/// <item>only reserved characters, <c>%</c>, space and controls encoded, everything else (non-ASCII too) kept;</item>
/// <item>every byte encoded.</item>
/// </list>
/// </summary>
internal static class SecretUrlEncodings
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Reserved = ":/?#[]@!$&'()*+,;=";

    private static readonly Scheme[] Schemes =
    [
        new(Alphanumerics + "-._~", keepsNonAscii: false),
        new(Alphanumerics + "-._~/", keepsNonAscii: false),
        new(Alphanumerics + "-_.!*()", keepsNonAscii: false),
        new(Alphanumerics + "-_.!~*'()", keepsNonAscii: false),
        new(Alphanumerics + "-._~" + Reserved, keepsNonAscii: false),
        new(PrintableAsciiExcept(Reserved + "% "), keepsNonAscii: true),
    ];

    private static readonly Scheme EveryByte = new(string.Empty, keepsNonAscii: false);

    /// <summary>Adds the percent-encoded spellings of <paramref name="secret"/> to <paramref name="spellings"/>.</summary>
    public static void AddTo(HashSet<string> spellings, string secret)
    {
        var hasSpace = secret.Contains(' ', StringComparison.Ordinal);
        spellings.Add(Encode(secret, EveryByte, plusForSpace: false));
        foreach (var scheme in Schemes)
        {
            spellings.Add(Encode(secret, scheme, plusForSpace: false));
            if (hasSpace)
            {
                spellings.Add(Encode(secret, scheme, plusForSpace: true));
            }
        }
    }

    private static string Encode(string secret, Scheme scheme, bool plusForSpace)
    {
        const string Hex = "0123456789ABCDEF";
        var encoded = new StringBuilder(secret.Length * 3);
        Span<char> chars = stackalloc char[2];
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in secret.EnumerateRunes())
        {
            if (plusForSpace && rune.Value == ' ')
            {
                encoded.Append('+');
            }
            else if (rune.IsAscii ? scheme.Keeps.Contains((char)rune.Value) : scheme.KeepsNonAscii)
            {
                encoded.Append(chars[..rune.EncodeToUtf16(chars)]);
            }
            else
            {
                foreach (var b in bytes[..rune.EncodeToUtf8(bytes)])
                {
                    encoded.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
                }
            }
        }

        return encoded.ToString();
    }

    private static string PrintableAsciiExcept(string excluded)
    {
        var kept = new StringBuilder();
        for (var c = '!'; c <= '~'; c++)
        {
            if (!excluded.Contains(c, StringComparison.Ordinal))
            {
                kept.Append(c);
            }
        }

        return kept.ToString();
    }

    /// <summary>An encoder: the ASCII characters it leaves as they are, and whether it leaves non-ASCII text.</summary>
    private sealed record Scheme(SearchValues<char> Keeps, bool KeepsNonAscii)
    {
        public Scheme(string keeps, bool keepsNonAscii)
            : this(SearchValues.Create(keeps), keepsNonAscii)
        {
        }
    }
}
