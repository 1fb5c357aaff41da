using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// The literal spellings of one held secret that <see cref="HeldSecretRedactor"/> looks for. Bytes are the
/// secret's UTF-8 encoding. Spellings are of two kinds: those matched in any letter case, and Base64, matched
/// only exactly (a Base64 string in another case decodes to other bytes).
/// <list type="bullet">
/// <item>in any letter case: the value itself, and trimmed when it has surrounding white space (a secret file's
/// final newline), also as upper- and lower-cased by the invariant culture (which is not always the reverse of
/// the case-insensitive comparison, e.g. for <c>İ</c> or the Kelvin sign);</item>
/// <item>in any letter case: percent-encoding (<see cref="SecretUrlEncodings"/>) and JSON string escaping
/// (<see cref="SecretJsonEncodings"/>), whose hex digits may then be in either case;</item>
/// <item>in any letter case, for secrets of at least <see cref="MinimumHexBytes"/> bytes: hex of the bytes,
/// plain and with the bytes separated by <c>:</c>, a space, <c>-</c> or <c>%3A</c>, or each prefixed by
/// <c>\x</c>;</item>
/// <item>exactly: Base64, standard and URL-safe alphabet, padded and not: the secret on its own, and, for each of
/// the three byte offsets the secret can have inside longer encoded data (HTTP Basic <c>user:password</c>, a
/// JSON document holding a token), the characters that depend on the secret's bytes alone, when there are at
/// least <see cref="MinimumBase64Run"/> of them; plus the run that also takes in the last, zero-filled character
/// and the padding, for a secret that ends the data.</item>
/// </list>
/// Every spelling is at least <see cref="HeldSecretRedactor.MinimumSecretLength"/> characters long. Spellings
/// broken over lines and spellings with HTML character references are found from these by
/// <see cref="WrappedSpellings"/> and <see cref="EntitySpellings"/>.
/// </summary>
internal static class SecretVariants
{
    /// <summary>
    /// The fewest Base64 characters matched inside longer encoded data. A shorter run carries too few bits:
    /// it would turn up by chance in large Base64 payloads (images, certificates) and destroy them.
    /// </summary>
    public const int MinimumBase64Run = 8;

    /// <summary>Hex of fewer bytes is too likely to be an ordinary number or identifier.</summary>
    public const int MinimumHexBytes = 8;

    // What goes between two hex bytes, besides nothing.
    private static readonly string[] HexSeparators = [":", " ", "-", "%3A"];

    /// <summary>
    /// Adds every spelling of <paramref name="secret"/>: to <paramref name="anyCase"/> (whose comparer should
    /// ignore case) those matched in any letter case, and to <paramref name="exact"/> those matched only exactly.
    /// </summary>
    public static void AddTo(HashSet<string> anyCase, HashSet<string> exact, string secret)
    {
        AddSpellings(anyCase, exact, secret);
        var trimmed = secret.Trim();
        if (trimmed.Length != secret.Length && trimmed.Length >= HeldSecretRedactor.MinimumSecretLength)
        {
            AddSpellings(anyCase, exact, trimmed);
        }
    }

    private static void AddSpellings(HashSet<string> anyCase, HashSet<string> exact, string secret)
    {
        anyCase.Add(secret);
        anyCase.Add(secret.ToUpperInvariant());
        anyCase.Add(secret.ToLowerInvariant());
        var bytes = Encoding.UTF8.GetBytes(secret);
        AddBase64(exact, bytes);
        if (bytes.Length >= MinimumHexBytes)
        {
            AddHex(anyCase, bytes);
        }

        SecretUrlEncodings.AddTo(anyCase, secret);
        SecretJsonEncodings.AddTo(anyCase, secret);
    }

    private static void AddHex(HashSet<string> spellings, byte[] bytes)
    {
        var pairs = bytes.Select(b => Convert.ToHexStringLower([b])).ToArray();
        spellings.Add(string.Concat(pairs));
        foreach (var separator in HexSeparators)
        {
            spellings.Add(string.Join(separator, pairs));
        }

        spellings.Add(string.Concat(pairs.Select(pair => @"\x" + pair)));
    }

    private static void AddBase64(HashSet<string> spellings, byte[] secret)
    {
        for (var offset = 0; offset < 3; offset++)
        {
            // The bytes before the secret are zero here; the characters taken below do not depend on them.
            var shifted = new byte[offset + secret.Length];
            secret.CopyTo(shifted, offset);
            var encoded = Convert.ToBase64String(shifted);
            var bits = 8 * shifted.Length;
            var first = (8 * offset + 5) / 6;             // first character with no bit from before the secret
            var stable = encoded[first..(bits / 6)];      // characters made of the secret's bits alone
            var toEnd = encoded[first..((bits + 5) / 6)]; // and the last one, zero-filled, when the secret ends the data
            if (stable.Length >= MinimumBase64Run)
            {
                AddBothAlphabets(spellings, stable);
            }

            if (offset == 0 || toEnd.Length >= MinimumBase64Run)
            {
                AddBothAlphabets(spellings, toEnd);
                AddBothAlphabets(spellings, encoded[first..]);
            }
        }
    }

    private static void AddBothAlphabets(HashSet<string> spellings, string base64)
    {
        spellings.Add(base64);
        spellings.Add(base64.Replace('+', '-').Replace('/', '_'));
    }
}
