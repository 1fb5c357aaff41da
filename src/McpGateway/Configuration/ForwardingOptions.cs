using System.Globalization;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>The lines of a SIEM batch.</summary>
public enum ForwardingFormat
{
    /// <summary>One chain entry per line, as <c>audit export --format jsonl</c> writes it.</summary>
    Jsonl,

    /// <summary>One OCSF 1.1 API Activity event per line, as <c>audit export --format ocsf</c> writes it.</summary>
    Ocsf,
}

/// <summary>
/// <c>McpGateway:Audit:Forwarding</c>: where the audit chain is forwarded, in batches, at least
/// once. Off when the section is absent. The URL and the signing key are secret references,
/// held by the redactor.
/// </summary>
/// <param name="Url">The receiver's URL: https, or http to a loopback address.</param>
/// <param name="Format">The lines of a batch.</param>
/// <param name="SigningKey">The HMAC key of <c>X-McpGateway-Signature</c>.</param>
/// <param name="BatchSize">At most this many entries per batch.</param>
/// <param name="Interval">How often the chain is looked at for new entries and due retries.</param>
public sealed record ForwardingOptions(SecretReference Url, ForwardingFormat Format, SecretReference SigningKey, int BatchSize, TimeSpan Interval)
{
    public const int DefaultBatchSize = 500;
    public const int MaxBatchSize = 10_000;
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    public IEnumerable<SecretReference> Secrets => [Url, SigningKey];

    /// <summary>Reads the section; null when it is absent (forwarding off) or wrong (the errors say why).</summary>
    internal static ForwardingOptions? Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        if (!section.Exists())
        {
            return null;
        }

        string[] known = ["Url", "Format", "SigningKey", "BatchSize", "Interval"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; forwarding has {string.Join(", ", known)}.");
        }

        var url = SecretReference.Read(section.GetSection("Url"), baseDirectory, errors, "the SIEM's URL is a secret: give it as {env:NAME} or {file:PATH}; it must be https, or http to a loopback address");
        var key = SecretReference.Read(section.GetSection("SigningKey"), baseDirectory, errors, "the receiver checks the X-McpGateway-Signature header of every batch with it");

        var format = ForwardingFormat.Jsonl;
        if (section["Format"] is { Length: > 0 } text && (!text.All(char.IsAsciiLetter) || !Enum.TryParse(text, ignoreCase: true, out format)))
        {
            errors.Add($"{section.Path}:Format: '{text}' is not one of jsonl, ocsf.");
            format = ForwardingFormat.Jsonl;
        }

        var size = DefaultBatchSize;
        if (section["BatchSize"] is { Length: > 0 } count
            && (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxBatchSize))
        {
            errors.Add($"{section.Path}:BatchSize: '{count}' is not a whole number of entries from 1 to {MaxBatchSize}.");
            size = DefaultBatchSize;
        }

        var interval = DefaultInterval;
        if (section["Interval"] is { Length: > 0 } every && (!DurationText.TryParse(every, out interval) || interval <= TimeSpan.Zero))
        {
            errors.Add($"{section.Path}:Interval: '{every}' is not a positive duration such as 500ms, 5s or 1m.");
            interval = DefaultInterval;
        }

        return url is null || key is null ? null : new ForwardingOptions(url, format, key, size, interval);
    }
}
