using System.Buffers;

namespace McpGateway.Policies.Masking.Detection;

/// <summary>
/// Finds every value of a set of detectors in text, in one linear pass per kind of trigger. Two vectorised
/// searches find the only places a value can start: a character search for <c>@</c> and digits, and a
/// multi-string search for the literal prefixes (<c>eyJ</c>, <c>AKIA</c>, <c>ghp_</c>, <c>-----BEGIN</c>,
/// <c>://</c>…) and secret field words (<c>password</c>, <c>token</c>…). Only there do the detectors look at
/// the text around; no regular expression runs. Immutable and safe to share.
/// </summary>
internal sealed class ValueScanner
{
    private static readonly Trigger[] AllTriggers =
    [
        new("eyJ", TriggerKind.Jwt, MaskDetector.Jwt),
        new("AKIA", TriggerKind.Aws, MaskDetector.AwsAccessKey),
        new("ASIA", TriggerKind.Aws, MaskDetector.AwsAccessKey),
        new("ABIA", TriggerKind.Aws, MaskDetector.AwsAccessKey),
        new("ACCA", TriggerKind.Aws, MaskDetector.AwsAccessKey),
        new("ghp_", TriggerKind.Alphanumeric30, MaskDetector.GitHubToken),
        new("gho_", TriggerKind.Alphanumeric30, MaskDetector.GitHubToken),
        new("ghu_", TriggerKind.Alphanumeric30, MaskDetector.GitHubToken),
        new("ghs_", TriggerKind.Alphanumeric30, MaskDetector.GitHubToken),
        new("ghr_", TriggerKind.Alphanumeric30, MaskDetector.GitHubToken),
        new("github_pat_", TriggerKind.Word30, MaskDetector.GitHubToken),
        new("glpat-", TriggerKind.GitLab, MaskDetector.GitLabToken),
        new("gldt-", TriggerKind.GitLab, MaskDetector.GitLabToken),
        new("glrt-", TriggerKind.GitLab, MaskDetector.GitLabToken),
        new("glptt-", TriggerKind.GitLab, MaskDetector.GitLabToken),
        new("glcbt-", TriggerKind.GitLab, MaskDetector.GitLabToken),
        new("gloas-", TriggerKind.GitLab, MaskDetector.GitLabToken),
        new("xoxb-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xoxp-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xoxa-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xoxr-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xoxs-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xoxe-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xoxe.", TriggerKind.Slack, MaskDetector.SlackToken),
        new("xapp-", TriggerKind.Slack, MaskDetector.SlackToken),
        new("hooks.slack.com/services/", TriggerKind.SlackWebhook, MaskDetector.SlackToken),
        new("mgw_", TriggerKind.GatewayKey, MaskDetector.GatewayApiKey),
        new("-----BEGIN", TriggerKind.Pem, MaskDetector.PrivateKey),
        new("://", TriggerKind.Url, MaskDetector.ConnectionPassword),
        new("%40", TriggerKind.EncodedAt, MaskDetector.Email),
        new("\\u0040", TriggerKind.EncodedAt, MaskDetector.Email),
        new("\\U0040", TriggerKind.EncodedAt, MaskDetector.Email),
        new("password", TriggerKind.Field, MaskDetector.SecretField),
        new("passwd", TriggerKind.Field, MaskDetector.SecretField),
        new("pwd", TriggerKind.Field, MaskDetector.SecretField),
        new("passphrase", TriggerKind.Field, MaskDetector.SecretField),
        new("passcode", TriggerKind.Field, MaskDetector.SecretField),
        new("secret", TriggerKind.Field, MaskDetector.SecretField),
        new("token", TriggerKind.Field, MaskDetector.SecretField),
        new("apikey", TriggerKind.Field, MaskDetector.SecretField),
        new("api_key", TriggerKind.Field, MaskDetector.SecretField),
        new("api-key", TriggerKind.Field, MaskDetector.SecretField),
        new("privatekey", TriggerKind.Field, MaskDetector.SecretField),
        new("private_key", TriggerKind.Field, MaskDetector.SecretField),
        new("authorization", TriggerKind.Field, MaskDetector.SecretField),
        new("credential", TriggerKind.Field, MaskDetector.SecretField),
    ];

    private static readonly DetectorSet FieldDetectors = DetectorSet.Of(MaskDetector.SecretField, MaskDetector.ConnectionPassword, MaskDetector.AwsSecretKey);

    private readonly DetectorSet _enabled;
    private readonly bool _email;
    private readonly bool _numbers;
    private readonly bool _phones;

    // Literal prefixes (matched exactly) and field words (matched without case) are searched separately:
    // each set alone is searched several times faster than both together.
    private readonly SearchValues<string>? _prefixes;
    private readonly SearchValues<string>? _separators;
    private readonly SearchValues<string>? _fields;
    private readonly SearchValues<char>? _characters;

    // The prefixes in use by their first character.
    private readonly Trigger[][] _byFirst = new Trigger[128][];

    public ValueScanner(DetectorSet enabled)
    {
        _enabled = enabled;
        _email = enabled.Has(MaskDetector.Email);
        _numbers = enabled.HasAny(NumberDetectors.Handled);
        _phones = enabled.Has(MaskDetector.Phone);
        var triggers = AllTriggers.Where(trigger => trigger.Kind switch
        {
            TriggerKind.Field => enabled.HasAny(FieldDetectors),
            TriggerKind.Aws => enabled.Has(MaskDetector.AwsAccessKey) || enabled.Has(MaskDetector.AwsSecretKey),
            _ => enabled.Has(trigger.Detector),
        }).ToArray();
        // "://" and an encoded '@' start with punctuation: in the token prefixes' set they would slow its search.
        var prefixes = triggers.Where(trigger => trigger.Kind != TriggerKind.Field).ToArray();
        var tokens = prefixes.Where(trigger => trigger.Kind is not (TriggerKind.Url or TriggerKind.EncodedAt)).Select(trigger => trigger.Text).ToArray();
        var separators = prefixes.Where(trigger => trigger.Kind is TriggerKind.Url or TriggerKind.EncodedAt).Select(trigger => trigger.Text).ToArray();
        var fields = triggers.Where(trigger => trigger.Kind == TriggerKind.Field).Select(trigger => trigger.Text).ToArray();
        _prefixes = tokens.Length == 0 ? null : SearchValues.Create(tokens, StringComparison.Ordinal);
        _separators = separators.Length == 0 ? null : SearchValues.Create(separators, StringComparison.Ordinal);
        _fields = fields.Length == 0 ? null : SearchValues.Create(fields, StringComparison.OrdinalIgnoreCase);
        var characters = (_email ? "@" : string.Empty) + (_phones ? "+" : string.Empty);
        _characters = characters.Length == 0 ? null : SearchValues.Create(characters);
        for (var c = 0; c < _byFirst.Length; c++)
        {
            _byFirst[c] = [.. prefixes.Where(trigger => trigger.Text[0] == c).OrderByDescending(trigger => trigger.Text.Length)];
        }
    }

    private enum TriggerKind
    {
        Jwt,
        Aws,
        Alphanumeric30,
        Word30,
        GitLab,
        Slack,
        SlackWebhook,
        GatewayKey,
        Pem,
        Url,
        EncodedAt,
        Field,
    }

    /// <summary>The detectors this scanner runs.</summary>
    public DetectorSet Enabled => _enabled;

    /// <summary>
    /// Every value found in <paramref name="text"/>, ordered and without overlap (values that overlap are
    /// joined into one stretch, attributed to the first), or null when there is none.
    /// </summary>
    public List<Finding>? Scan(ReadOnlySpan<char> text)
    {
        List<Finding>? findings = null;
        if (_email || _numbers)
        {
            ScanCharacters(text, ref findings);
        }

        var characterCount = findings?.Count ?? 0;
        if (_prefixes is not null)
        {
            ScanPrefixes(text, _prefixes, ref findings);
        }

        if (_separators is not null)
        {
            ScanPrefixes(text, _separators, ref findings);
        }

        if (_fields is not null)
        {
            ScanFields(text, ref findings);
        }

        if (findings is null || findings.Count == 0)
        {
            return null;
        }

        if (characterCount != findings.Count || !IsOrdered(findings))
        {
            findings.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        }

        return Join(findings);
    }

    private static bool IsOrdered(List<Finding> findings)
    {
        for (var i = 1; i < findings.Count; i++)
        {
            if (findings[i].Start < findings[i - 1].End)
            {
                return false;
            }
        }

        return true;
    }

    private static List<Finding> Join(List<Finding> findings)
    {
        var joined = 0;
        for (var i = 1; i < findings.Count; i++)
        {
            var last = findings[joined];
            var next = findings[i];
            if (next.Start < last.End)
            {
                findings[joined] = last with { Length = Math.Max(last.End, next.End) - last.Start, Joined = true };
            }
            else
            {
                findings[++joined] = next;
            }
        }

        findings.RemoveRange(joined + 1, findings.Count - joined - 1);
        return findings;
    }

    // '@' for addresses, '+' for international numbers, four digits in a row for every other number.
    private void ScanCharacters(ReadOnlySpan<char> text, ref List<Finding>? findings)
    {
        var nextCharacter = _characters is null ? int.MaxValue : Next(text.IndexOfAny(_characters), 0);
        var nextRun = _numbers ? Next(DigitRuns.IndexOfRun(text, 0), 0) : int.MaxValue;
        var p = 0;
        while (true)
        {
            var at = Math.Min(nextCharacter, nextRun);
            if (at == int.MaxValue)
            {
                return;
            }

            findings ??= [];
            if (at == nextCharacter && text[at] == '@')
            {
                p = Math.Max(p, AddressDetectors.ScanEmail(text, at, 1, findings));
            }
            else if (at == nextCharacter)
            {
                p = Math.Max(p, TextClass.IsDigitAt(text, at + 1) ? NumberDetectors.Scan(text, at + 1, _enabled, findings) : at + 1);
            }
            else
            {
                // The numbers before the run, in the same stretch, are read first, each from its own start.
                var start = NumberDetectors.StartOf(text, at, p);
                while (true)
                {
                    var resume = NumberDetectors.Scan(text, start, _enabled, findings);
                    p = Math.Max(p, resume);
                    var next = resume > at ? -1 : text[resume..].IndexOfAnyInRange('0', '9');
                    if (next < 0 || resume + next > at)
                    {
                        break;
                    }

                    start = resume + next;
                }
            }

            p = Math.Max(p, at + 1);
            if (nextCharacter < p)
            {
                nextCharacter = Next(text[p..].IndexOfAny(_characters!), p);
            }

            if (nextRun < p)
            {
                nextRun = Next(DigitRuns.IndexOfRun(text, p), 0);
            }
        }
    }

    private static int Next(int found, int offset) => found < 0 ? int.MaxValue : found + offset;

    private void ScanPrefixes(ReadOnlySpan<char> text, SearchValues<string> prefixes, ref List<Finding>? findings)
    {
        var p = 0;
        while (p < text.Length)
        {
            var at = text[p..].IndexOfAny(prefixes);
            if (at < 0)
            {
                return;
            }

            at += p;
            findings ??= [];
            p = Math.Max(at + 1, Dispatch(text, at, findings));
        }
    }

    private void ScanFields(ReadOnlySpan<char> text, ref List<Finding>? findings)
    {
        var p = 0;
        while (p < text.Length)
        {
            var at = text[p..].IndexOfAny(_fields!);
            if (at < 0)
            {
                return;
            }

            at += p;
            findings ??= [];
            p = Math.Max(at + 1, SecretFieldDetector.Scan(text, at, 1, _enabled, findings));
        }
    }

    private int Dispatch(ReadOnlySpan<char> text, int at, List<Finding> findings)
    {
        var rest = text[at..];
        foreach (var trigger in text[at] < 128 ? _byFirst[text[at]] : [])
        {
            if (rest.StartsWith(trigger.Text, StringComparison.Ordinal))
            {
                return Run(trigger, text, at, findings);
            }
        }

        return at + 1;
    }

    private int Run(Trigger trigger, ReadOnlySpan<char> text, int at, List<Finding> findings) => trigger.Kind switch
    {
        TriggerKind.Jwt => CredentialDetectors.ScanJwt(text, at, findings),
        TriggerKind.Aws => CredentialDetectors.ScanAwsKey(text, at, _enabled, findings),
        TriggerKind.Alphanumeric30 => CredentialDetectors.ScanPrefixed(text, at, trigger.Text.Length, 30, TextClass.Alphanumeric, trigger.Detector, findings),
        TriggerKind.Word30 => CredentialDetectors.ScanPrefixed(text, at, trigger.Text.Length, 30, TextClass.Word, trigger.Detector, findings),
        TriggerKind.GitLab => CredentialDetectors.ScanPrefixed(text, at, trigger.Text.Length, 20, TextClass.GitLab, trigger.Detector, findings),
        TriggerKind.Slack => CredentialDetectors.ScanPrefixed(text, at, trigger.Text.Length, 10, TextClass.Slack, trigger.Detector, findings),
        TriggerKind.SlackWebhook => CredentialDetectors.ScanSlackWebhook(text, at, trigger.Text.Length, findings),
        TriggerKind.GatewayKey => CredentialDetectors.ScanGatewayKey(text, at, findings),
        TriggerKind.Pem => CredentialDetectors.ScanPem(text, at, findings),
        TriggerKind.Url => AddressDetectors.ScanUrl(text, at, findings),
        TriggerKind.EncodedAt => AddressDetectors.ScanEmail(text, at, trigger.Text.Length, findings),
        _ => SecretFieldDetector.Scan(text, at, trigger.Text.Length, _enabled, findings),
    };

    private sealed record Trigger(string Text, TriggerKind Kind, MaskDetector Detector);
}
