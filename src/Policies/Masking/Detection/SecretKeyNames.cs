namespace McpGateway.Policies.Masking.Detection;

/// <summary>What a field name says about its value.</summary>
internal enum SecretKeyKind
{
    None,
    Password,
    Secret,
    AwsSecret,
}

/// <summary>
/// Tells field names that hold secrets (<c>password</c>, <c>DB_PASSWORD</c>, <c>client_secret</c>,
/// <c>access_token</c>, <c>x-api-key</c>, <c>Authorization</c>…) from others (<c>max_tokens</c>,
/// <c>token_type</c>, <c>secretName</c>, <c>nextPageToken</c>). Names are compared by their letters and digits
/// only, without case, and must end with a secret word.
/// </summary>
internal static class SecretKeyNames
{
    private const int MaxName = 64;

    private static readonly string[] PasswordEndings = ["password", "passwd", "pwd", "passphrase"];

    private static readonly string[] SecretEndings =
    [
        "secret", "token", "apikey", "secretkey", "privatekey", "authorization", "credential", "credentials",
        "sessionkey", "signingkey", "encryptionkey", "masterkey", "authkey", "passcode",
    ];

    // Tokens that are cursors, not credentials.
    private static readonly string[] NotSecret = ["pagetoken", "nexttoken", "continuationtoken", "synctoken", "resumetoken", "cursortoken"];

    /// <summary>The kind of <paramref name="name"/>.</summary>
    public static SecretKeyKind Classify(ReadOnlySpan<char> name)
    {
        Span<char> buffer = stackalloc char[MaxName];
        var n = 0;
        for (var i = name.Length - 1; i >= 0 && n < MaxName; i--)
        {
            var c = name[i];
            if (c == ']' && MarkerStart(name[..(i + 1)]) is var open and >= 0)
            {
                // A masking marker ("[GITHUB_TOKEN]") is what a value became, not part of a field name.
                i = open;
            }
            else if (char.IsAsciiLetterOrDigit(c))
            {
                buffer[MaxName - 1 - n] = char.ToLowerInvariant(c);
                n++;
            }
        }

        var key = buffer[(MaxName - n)..];
        if (key.Length < 3)
        {
            return SecretKeyKind.None;
        }

        if (key.EndsWith("secretaccesskey", StringComparison.Ordinal) || key.EndsWith("awssecretkey", StringComparison.Ordinal))
        {
            return SecretKeyKind.AwsSecret;
        }

        foreach (var ending in PasswordEndings)
        {
            if (key.EndsWith(ending, StringComparison.Ordinal))
            {
                return SecretKeyKind.Password;
            }
        }

        foreach (var ending in NotSecret)
        {
            if (key.EndsWith(ending, StringComparison.Ordinal))
            {
                return SecretKeyKind.None;
            }
        }

        foreach (var ending in SecretEndings)
        {
            if (key.EndsWith(ending, StringComparison.Ordinal))
            {
                return SecretKeyKind.Secret;
            }
        }

        return SecretKeyKind.None;
    }

    /// <summary>Where the marker (<c>[UPPER_CASE]</c>) that ends <paramref name="text"/> starts, or -1.</summary>
    public static int MarkerStart(ReadOnlySpan<char> text)
    {
        var open = text.LastIndexOf('[');
        if (open < 0 || open + 2 >= text.Length)
        {
            return -1;
        }

        foreach (var c in text[(open + 1)..^1])
        {
            if (!char.IsAsciiLetterUpper(c) && c != '_')
            {
                return -1;
            }
        }

        return open;
    }

    /// <summary>The detector for a value of a field of kind <paramref name="kind"/>; <c>=</c> pairs are connection-string style.</summary>
    public static MaskDetector DetectorFor(SecretKeyKind kind, bool equalsSign) => kind switch
    {
        SecretKeyKind.AwsSecret => MaskDetector.AwsSecretKey,
        SecretKeyKind.Password when equalsSign => MaskDetector.ConnectionPassword,
        _ => MaskDetector.SecretField,
    };
}
