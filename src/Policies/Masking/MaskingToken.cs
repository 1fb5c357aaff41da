using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// Deterministic tokens: <c>tok_</c> and sixteen letters (64 bits) of HMAC-SHA-256 of the value's UTF-8 bytes
/// under the configured key. Equal values give equal tokens, across calls and restarts, as long as the key is
/// the same; a different key gives unrelated tokens. Only letters, so a token never looks like a number that a
/// detector would mask again.
/// </summary>
internal sealed class MaskingToken
{
    public const string Prefix = "tok_";
    public const string Alphabet = "bcdfghjklmnpqrst";
    public const int Length = 20;

    /// <summary>The fewest key bytes accepted: a shorter key could be guessed and the tokens reversed for small value sets.</summary>
    public const int MinimumKeyBytes = 16;

    private readonly byte[] _key;

    public MaskingToken(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"A token key has at least {MinimumKeyBytes} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    public string For(ReadOnlySpan<char> value)
    {
        var size = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = size <= 512 ? null : ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> bytes = rented is null ? stackalloc byte[512] : rented;
            var count = Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> hash = stackalloc byte[32];
            HMACSHA256.HashData(_key, bytes[..count], hash);
            return string.Create(Length, hash[..8].ToArray(), static (chars, digest) =>
            {
                Prefix.CopyTo(chars);
                for (var i = 0; i < digest.Length; i++)
                {
                    chars[Prefix.Length + (2 * i)] = Alphabet[digest[i] >> 4];
                    chars[Prefix.Length + (2 * i) + 1] = Alphabet[digest[i] & 0xF];
                }
            });
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    public override string ToString() => nameof(MaskingToken);
}
