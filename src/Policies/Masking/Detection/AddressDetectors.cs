namespace McpGateway.Policies.Masking.Detection;

/// <summary>E-mail addresses (found at their <c>@</c>) and passwords in URL user info (found at <c>://</c>).</summary>
internal static class AddressDetectors
{
    private const int MaxLocalPart = 64;
    private const int MaxDomain = 253;
    private const int MaxAuthority = 1024;

    /// <summary>
    /// Looks for an address around the <c>@</c> at <paramref name="at"/>, written in <paramref name="atLength"/>
    /// characters (1, or 3 for <c>%40</c>, or 6 for <c>\u0040</c>); returns where scanning resumes.
    /// </summary>
    public static int ScanEmail(ReadOnlySpan<char> text, int at, int atLength, List<Finding> findings)
    {
        var start = at;
        while (start > 0 && at - start < MaxLocalPart && TextClass.EmailLocal.Contains(text[start - 1]))
        {
            start--;
        }

        while (start < at && text[start] == '.')
        {
            start++;
        }

        if (start == at || text[at - 1] == '.' || (start > 0 && TextClass.EmailLocal.Contains(text[start - 1])) || IsUserInfo(text, start))
        {
            return at + atLength;
        }

        var end = DomainEnd(text, at + atLength);
        if (end < 0)
        {
            return at + atLength;
        }

        findings.Add(new Finding(start, end - start, MaskDetector.Email));
        return end;
    }

    /// <summary>At the <c>://</c> at <paramref name="colon"/>: the password of <c>scheme://user:password@host</c>.</summary>
    public static int ScanUrl(ReadOnlySpan<char> text, int colon, List<Finding> findings)
    {
        var authority = colon + 3;
        if (colon == 0 || !char.IsAsciiLetterOrDigit(text[colon - 1]))
        {
            return authority;
        }

        var rest = text[authority..];
        var length = rest.IndexOfAny(TextClass.AuthorityEnd);
        if (length < 0)
        {
            length = rest.Length;
        }

        var userInfo = rest[..Math.Min(length, MaxAuthority)].LastIndexOf('@');
        if (userInfo <= 0)
        {
            return authority;
        }

        var separator = rest[..userInfo].IndexOf(':');
        if (separator >= 0 && separator + 1 < userInfo && !SecretFieldDetector.IsMasked(rest[(separator + 1)..userInfo]))
        {
            findings.Add(new Finding(authority + separator + 1, userInfo - separator - 1, MaskDetector.ConnectionPassword));
        }

        return authority + userInfo + 1;
    }

    // "scheme://user:pw@host": the local part of what looks like an address is a URL's password.
    private static bool IsUserInfo(ReadOnlySpan<char> text, int start)
    {
        if (start == 0 || text[start - 1] is not (':' or '/'))
        {
            return false;
        }

        var from = Math.Max(0, start - MaxAuthority);
        var before = text[from..start];
        var scheme = before.LastIndexOf("://", StringComparison.Ordinal);
        return scheme >= 0 && before[(scheme + 3)..].IndexOfAny(TextClass.AuthorityEnd) < 0;
    }

    // The end of a domain of at least two labels whose last is two letters or more, or -1.
    private static int DomainEnd(ReadOnlySpan<char> text, int from)
    {
        var p = from;
        var labels = 0;
        var lastLabel = from;
        while (p - from <= MaxDomain)
        {
            var end = TextClass.EndOfRun(text, p, TextClass.Slack);
            if (end == p || text[p] == '-' || text[end - 1] == '-' || end - p > 63)
            {
                break;
            }

            labels++;
            lastLabel = p;
            p = end;
            if (TextClass.At(text, p) != '.' || !TextClass.Alphanumeric.Contains(TextClass.At(text, p + 1)))
            {
                break;
            }

            p++;
        }

        if (labels < 2 || p - lastLabel < 2 || text[lastLabel..p].ContainsAnyExcept(TextClass.Letters))
        {
            return -1;
        }

        return p;
    }
}
