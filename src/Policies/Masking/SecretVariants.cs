using System.Text;

namespace McpGateway.Policies.Masking;

/// <summary>
/// The spellings of one held secret that <see cref="HeldSecretRedactor"/> looks for. Bytes are the secret's
/// UTF-8 encoding.
/// <list type="bullet">
/// <item>the value itself, and trimmed when it has surrounding white space (a secret file's final newline);</item>
/// <item>Base64, standard and URL-safe alphabet, padded and not: the secret on its own, and, for each of the
/// three byte offsets the secret can have inside longer encoded data (HTTP Basic <c>user:password</c>, a JSON
/// document holding a token), the characters that depend on the secret's bytes alone, when there are at least
/// <see cref="MinimumBase64Run"/> of them; plus the run that also takes in the last, zero-filled character and
/// the padding, for a secret that ends the data;</item>
/// <item>percent-encoding (<see cref="SecretUrlEncodings"/>) and JSON string escaping (<see cref="SecretJsonEncodings"/>);</item>
/// <item>hex of the bytes, upper and lower case, for secrets of at least <see cref="MinimumHexBytes"/> bytes.</item>
/// </list>
/// Every spelling is at least <see cref="HeldSecretRedactor.MinimumSecretLength"/> characters long.
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

    /// <summary>Adds every spelling of <paramref name="secret"/> to <paramref name="spellings"/>.</summary>
    public static void AddTo(HashSet<string> spellings, string secret)
    {
        AddSpellings(spellings, secret);
        var trimmed = secret.Trim();
        if (trimmed.Length != secret.Length && trimmed.Length >= HeldSecretRedactor.MinimumSecretLength)
        {
            AddSpellings(spellings, trimmed);
        }
    }

    private static void AddSpellings(HashSet<string> spellings, string secret)
    {
        spellings.Add(secret);
        var bytes = Encoding.UTF8.GetBytes(secret);
        AddBase64(spellings, bytes);
        if (bytes.Length >= MinimumHexBytes)
        {
            spellings.Add(Convert.ToHexString(bytes));
            spellings.Add(Convert.ToHexStringLower(bytes));
        }

        SecretUrlEncodings.AddTo(spellings, secret);
        SecretJsonEncodings.AddTo(spellings, secret);
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
