using System.Text.RegularExpressions;

namespace Policies.Benchmarks.Masking;

/// <summary>The baseline: one regular expression per detector, each run over the whole text in turn.</summary>
internal static partial class NaiveMasker
{
    public static string Mask(string text)
    {
        text = Email().Replace(text, "[EMAIL]");
        text = Card().Replace(text, match => Luhn(match.Value) ? "[CARD]" : match.Value);
        text = Ssn().Replace(text, "[SSN]");
        text = Iban().Replace(text, "[IBAN]");
        text = Phone().Replace(text, "[PHONE]");
        text = Jwt().Replace(text, "[JWT]");
        text = AwsKey().Replace(text, "[AWS_ACCESS_KEY]");
        text = GitHub().Replace(text, "[GITHUB_TOKEN]");
        text = GitLab().Replace(text, "[GITLAB_TOKEN]");
        text = Slack().Replace(text, "[SLACK_TOKEN]");
        text = Gateway().Replace(text, "[GATEWAY_KEY]");
        text = Pem().Replace(text, "[PRIVATE_KEY]");
        text = UrlPassword().Replace(text, "://$1:[PASSWORD]@");
        return Field().Replace(text, "$1[SECRET]");
    }

    private static bool Luhn(string candidate)
    {
        var digits = candidate.Where(char.IsAsciiDigit).Select(c => c - '0').Reverse().ToArray();
        var sum = digits.Select((d, i) => i % 2 == 1 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d).Sum();
        return sum % 10 == 0;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", RegexOptions.None, 1000)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:\d[ -]?){12,18}\d\b", RegexOptions.None, 1000)]
    private static partial Regex Card();

    [GeneratedRegex(@"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b", RegexOptions.None, 1000)]
    private static partial Regex Ssn();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", RegexOptions.None, 1000)]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?:\+\d{1,3}[ .-]?)?\(?\b\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b", RegexOptions.None, 1000)]
    private static partial Regex Phone();

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*", RegexOptions.None, 1000)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b", RegexOptions.None, 1000)]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})", RegexOptions.None, 1000)]
    private static partial Regex GitHub();

    [GeneratedRegex(@"\bgl(?:pat|dt|rt|ptt|cbt|oas)-[\w-]{20,}", RegexOptions.None, 1000)]
    private static partial Regex GitLab();

    [GeneratedRegex(@"\bx(?:ox[abprse]|app)-[A-Za-z0-9-]{10,}", RegexOptions.None, 1000)]
    private static partial Regex Slack();

    [GeneratedRegex(@"\bmgw_[a-z2-7]{16}_[a-z2-7]{40,}", RegexOptions.None, 1000)]
    private static partial Regex Gateway();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----", RegexOptions.None, 1000)]
    private static partial Regex Pem();

    [GeneratedRegex(@"://([^/\s:@]+):[^/\s@]+@", RegexOptions.None, 1000)]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"(?i)(\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key)[""']?\s*[:=]\s*[""']?)[^\s""',;]+", RegexOptions.None, 1000)]
    private static partial Regex Field();
}
