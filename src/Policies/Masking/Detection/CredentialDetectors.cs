using System.Buffers;

namespace McpGateway.Policies.Masking.Detection;

/// <summary>Credentials with a recognisable prefix: JWTs, AWS keys, GitHub, GitLab and Slack tokens, gateway keys, PEM private keys.</summary>
internal static class CredentialDetectors
{
    private const int AwsKeyIdLength = 20;
    private const int AwsSecretLength = 40;
    private const int AwsSecretWindow = 256;
    private const int GatewayIdLength = 16;
    private const int GatewaySecretMinimum = 40;

    private static readonly SearchValues<char> AwsSecretChars = SearchValues.Create(TextClass.Alphanumerics + "/+");
    private static readonly SearchValues<char> AwsSecretAround = SearchValues.Create(TextClass.Alphanumerics + "/+=");

    /// <summary>A token: <paramref name="prefixLength"/> characters, then at least <paramref name="minimum"/> of <paramref name="body"/>.</summary>
    public static int ScanPrefixed(ReadOnlySpan<char> text, int at, int prefixLength, int minimum, SearchValues<char> body, MaskDetector detector, List<Finding> findings)
    {
        if (TextClass.IsWordAt(text, at - 1))
        {
            return at + prefixLength;
        }

        var end = TextClass.EndOfRun(text, at + prefixLength, body);
        if (end - at - prefixLength < minimum)
        {
            return at + prefixLength;
        }

        findings.Add(new Finding(at, end - at, detector));
        return end;
    }

    /// <summary>A Slack webhook: the path after <c>hooks.slack.com/services/</c>.</summary>
    public static int ScanSlackWebhook(ReadOnlySpan<char> text, int at, int prefixLength, List<Finding> findings)
    {
        var start = at + prefixLength;
        var end = TextClass.EndOfRun(text, start, TextClass.SlackPath);
        if (end - start >= 20)
        {
            findings.Add(new Finding(start, end - start, MaskDetector.SlackToken));
        }

        return end;
    }

    /// <summary><c>mgw_</c>, a sixteen-character base32 id, <c>_</c>, a base32 secret.</summary>
    public static int ScanGatewayKey(ReadOnlySpan<char> text, int at, List<Finding> findings)
    {
        var id = at + 4;
        var idEnd = TextClass.EndOfRun(text, id, TextClass.Base32Lower);
        if (TextClass.IsWordAt(text, at - 1) || idEnd - id != GatewayIdLength || TextClass.At(text, idEnd) != '_')
        {
            return id;
        }

        var end = TextClass.EndOfRun(text, idEnd + 1, TextClass.Base32Lower);
        if (end - idEnd - 1 < GatewaySecretMinimum || TextClass.IsWordAt(text, end))
        {
            return id;
        }

        findings.Add(new Finding(at, end - at, MaskDetector.GatewayApiKey));
        return end;
    }

    /// <summary>A JWT: base64url header starting <c>eyJ</c>, payload and (possibly empty) signature, dot-separated.</summary>
    public static int ScanJwt(ReadOnlySpan<char> text, int at, List<Finding> findings)
    {
        if (TextClass.Base64Url.Contains(TextClass.At(text, at - 1)) || TextClass.At(text, at - 1) == '.')
        {
            return at + 3;
        }

        var headerEnd = TextClass.EndOfRun(text, at, TextClass.Base64Url);
        if (headerEnd - at < 10 || TextClass.At(text, headerEnd) != '.')
        {
            return headerEnd;
        }

        var payloadEnd = TextClass.EndOfRun(text, headerEnd + 1, TextClass.Base64Url);
        if (payloadEnd - headerEnd - 1 < 10 || TextClass.At(text, payloadEnd) != '.')
        {
            return payloadEnd;
        }

        var end = TextClass.EndOfRun(text, payloadEnd + 1, TextClass.Base64Url);
        findings.Add(new Finding(at, end - at, MaskDetector.Jwt));
        return end;
    }

    /// <summary>An AWS access key id, and a secret key of forty characters within the text that follows it.</summary>
    public static int ScanAwsKey(ReadOnlySpan<char> text, int at, DetectorSet enabled, List<Finding> findings)
    {
        var end = TextClass.EndOfRun(text, at + 4, TextClass.UpperAlphanumeric);
        if (TextClass.Alphanumeric.Contains(TextClass.At(text, at - 1)) || end - at != AwsKeyIdLength || TextClass.Alphanumeric.Contains(TextClass.At(text, end)))
        {
            return at + 4;
        }

        if (enabled.Has(MaskDetector.AwsAccessKey))
        {
            findings.Add(new Finding(at, end - at, MaskDetector.AwsAccessKey));
        }

        if (enabled.Has(MaskDetector.AwsSecretKey))
        {
            FindAwsSecret(text, end, findings);
        }

        return end;
    }

    /// <summary>A PEM private key block, to its end line (to the end of the text when that is missing).</summary>
    public static int ScanPem(ReadOnlySpan<char> text, int at, List<Finding> findings)
    {
        const string Begin = "-----BEGIN ";
        var labelStart = at + Begin.Length;
        if (!text[at..].StartsWith(Begin, StringComparison.Ordinal))
        {
            return at + 5;
        }

        var labelLength = text[labelStart..Math.Min(text.Length, labelStart + 64)].IndexOf("-----", StringComparison.Ordinal);
        if (labelLength < 0 || !text.Slice(labelStart, labelLength).Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return labelStart;
        }

        var body = labelStart + labelLength + 5;
        var endLine = text[body..].IndexOf("-----END", StringComparison.Ordinal);
        var end = text.Length;
        if (endLine >= 0)
        {
            var close = text[(body + endLine + 8)..].IndexOf("-----", StringComparison.Ordinal);
            end = close < 0 ? text.Length : body + endLine + 8 + close + 5;
        }

        findings.Add(new Finding(at, end - at, MaskDetector.PrivateKey));
        return end;
    }

    // A run of exactly forty base64 characters, not part of a longer one, with a letter of each case or a digit.
    private static void FindAwsSecret(ReadOnlySpan<char> text, int from, List<Finding> findings)
    {
        var limit = Math.Min(text.Length, from + AwsSecretWindow);
        var p = from;
        while (p < limit)
        {
            var start = text[p..limit].IndexOfAny(AwsSecretChars);
            if (start < 0)
            {
                return;
            }

            start += p;
            var end = TextClass.EndOfRun(text, start, AwsSecretChars);
            var candidate = text[start..end];
            if (candidate.Length == AwsSecretLength && !AwsSecretAround.Contains(TextClass.At(text, start - 1))
                && candidate.ContainsAnyInRange('a', 'z') && candidate.ContainsAnyInRange('A', 'Z'))
            {
                findings.Add(new Finding(start, AwsSecretLength, MaskDetector.AwsSecretKey));
                return;
            }

            p = end;
        }
    }
}
