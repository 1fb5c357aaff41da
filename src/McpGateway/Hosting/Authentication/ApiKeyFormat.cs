using System.Security.Cryptography;
using System.Text;

namespace McpGateway.Hosting.Authentication;

/// <summary>
/// API keys look like <c>mgw_&lt;id&gt;_&lt;secret&gt;</c>: a 16-character id (80 random bits) and a
/// 52-character secret (256 random bits), both lower-case base32. Only SHA-256 of the secret is stored.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "mgw_";
    public const int IdLength = 16;
    public const int SecretLength = 52;

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string NewId() => Base32(RandomNumberGenerator.GetBytes(10));

    public static string NewSecret() => Base32(RandomNumberGenerator.GetBytes(32));

    public static string Compose(string id, string secret) => $"{Prefix}{id}_{secret}";

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>Splits a presented key; false when it is not shaped like one of ours.</summary>
    public static bool TryParse(string? presented, out string id, out string secret)
    {
        id = secret = string.Empty;
        if (presented is null
            || presented.Length != Prefix.Length + IdLength + 1 + SecretLength
            || !presented.StartsWith(Prefix, StringComparison.Ordinal)
            || presented[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        var idPart = presented.AsSpan(Prefix.Length, IdLength);
        var secretPart = presented.AsSpan(Prefix.Length + IdLength + 1);
        if (!IsBase32(idPart) || !IsBase32(secretPart))
        {
            return false;
        }

        id = idPart.ToString();
        secret = secretPart.ToString();
        return true;
    }

    /// <summary>Reads a key id as an operator may type it: the id, <c>mgw_&lt;id&gt;</c>, or a whole key (whose secret is ignored).</summary>
    public static string? NormaliseId(string text)
    {
        if (TryParse(text, out var id, out _))
        {
            return id;
        }

        var candidate = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..] : text;
        return candidate.Length == IdLength && IsBase32(candidate) ? candidate : null;
    }

    private static bool IsBase32(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string Base32(byte[] bytes)
    {
        var output = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            output.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return output.ToString();
    }
}
