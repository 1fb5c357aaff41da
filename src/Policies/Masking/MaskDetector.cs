using System.Collections.Frozen;

namespace McpGateway.Policies.Masking;

/// <summary>The value detectors a masking profile can select. Each has a configuration name and a redaction marker.</summary>
public enum MaskDetector
{
    /// <summary>E-mail addresses (<c>name@example.com</c>).</summary>
    Email,

    /// <summary>Payment card numbers: a known issuer prefix and length, a valid Luhn check digit, contiguous or grouped with spaces or dashes.</summary>
    PaymentCard,

    /// <summary>US social security numbers written <c>123-45-6789</c> or <c>123 45 6789</c>, in the issued ranges.</summary>
    UsSsn,

    /// <summary>IBANs of a known country and length with a valid mod-97 check, compact or in groups of four.</summary>
    Iban,

    /// <summary>Phone numbers: international (<c>+</c> and 8 to 15 digits) or North American (<c>(415) 555-2671</c>, <c>415-555-2671</c>).</summary>
    Phone,

    /// <summary>JSON Web Tokens (<c>eyJ…</c> header, payload and signature).</summary>
    Jwt,

    /// <summary>AWS access key ids (<c>AKIA…</c>, <c>ASIA…</c>).</summary>
    AwsAccessKey,

    /// <summary>AWS secret access keys: forty characters next to an access key id, or the value of a <c>secret_access_key</c> field.</summary>
    AwsSecretKey,

    /// <summary>GitHub tokens (<c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>, <c>ghr_</c>, <c>github_pat_</c>).</summary>
    GitHubToken,

    /// <summary>GitLab tokens (<c>glpat-</c>, <c>gldt-</c>, <c>glrt-</c>, <c>glptt-</c>, <c>glcbt-</c>, <c>gloas-</c>).</summary>
    GitLabToken,

    /// <summary>Slack tokens (<c>xoxb-</c>, <c>xoxp-</c>, <c>xapp-</c>…) and incoming-webhook paths.</summary>
    SlackToken,

    /// <summary>This gateway's own API keys, <c>mgw_&lt;id&gt;_&lt;secret&gt;</c>.</summary>
    GatewayApiKey,

    /// <summary>PEM private-key blocks, from <c>-----BEGIN … PRIVATE KEY-----</c> to the matching end line.</summary>
    PrivateKey,

    /// <summary>Passwords in URL user info (<c>postgres://user:pw@host</c>) and in <c>Password=…</c> / <c>Pwd=…</c> pairs of connection strings.</summary>
    ConnectionPassword,

    /// <summary>Values of fields named like a secret (<c>password</c>, <c>secret</c>, <c>token</c>, <c>api_key</c>…) in JSON and in <c>key: value</c> or <c>key=value</c> text.</summary>
    SecretField,
}

/// <summary>Names and markers of the detectors, and of the other things a report counts.</summary>
public static class MaskDetectors
{
    /// <summary>The report name of held-secret redaction, which every profile applies.</summary>
    public const string HeldSecret = "held_secret";

    /// <summary>The report name of Kubernetes Secret <c>data</c> and <c>stringData</c> values, which every profile masks.</summary>
    public const string KubernetesSecret = "kubernetes_secret";

    /// <summary>The marker of a value masked by a column or path rule.</summary>
    public const string RuleMarker = "[REDACTED]";

    private static readonly (MaskDetector Detector, string Name, string Marker)[] Table =
    [
        (MaskDetector.Email, "email", "[EMAIL]"),
        (MaskDetector.PaymentCard, "payment_card", "[CARD]"),
        (MaskDetector.UsSsn, "us_ssn", "[SSN]"),
        (MaskDetector.Iban, "iban", "[IBAN]"),
        (MaskDetector.Phone, "phone", "[PHONE]"),
        (MaskDetector.Jwt, "jwt", "[JWT]"),
        (MaskDetector.AwsAccessKey, "aws_access_key", "[AWS_ACCESS_KEY]"),
        (MaskDetector.AwsSecretKey, "aws_secret_key", "[AWS_SECRET_KEY]"),
        (MaskDetector.GitHubToken, "github_token", "[GITHUB_TOKEN]"),
        (MaskDetector.GitLabToken, "gitlab_token", "[GITLAB_TOKEN]"),
        (MaskDetector.SlackToken, "slack_token", "[SLACK_TOKEN]"),
        (MaskDetector.GatewayApiKey, "gateway_api_key", "[GATEWAY_KEY]"),
        (MaskDetector.PrivateKey, "private_key", "[PRIVATE_KEY]"),
        (MaskDetector.ConnectionPassword, "connection_password", "[PASSWORD]"),
        (MaskDetector.SecretField, "secret_field", "[SECRET]"),
    ];

    private static readonly FrozenDictionary<string, MaskDetector> ByName =
        Table.ToFrozenDictionary(entry => entry.Name, entry => entry.Detector, StringComparer.Ordinal);

    /// <summary>How many detectors there are.</summary>
    public static int Count => Table.Length;

    /// <summary>Every detector, in declaration order.</summary>
    public static IReadOnlyList<MaskDetector> All { get; } = [.. Table.Select(entry => entry.Detector)];

    /// <summary>Every configuration name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(entry => entry.Name)];

    /// <summary>The configuration and report name of <paramref name="detector"/> (<c>payment_card</c>).</summary>
    public static string NameOf(MaskDetector detector) => Table[(int)detector].Name;

    /// <summary>What replaces a value of <paramref name="detector"/> under the redact strategy (<c>[CARD]</c>).</summary>
    public static string MarkerOf(MaskDetector detector) => Table[(int)detector].Marker;

    /// <summary>The detector configured as <paramref name="name"/>; names are lower-case, as in <see cref="Names"/>.</summary>
    public static bool TryParse(string? name, out MaskDetector detector) => ByName.TryGetValue(name ?? string.Empty, out detector);
}
