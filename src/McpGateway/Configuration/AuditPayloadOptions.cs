using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// What <c>McpGateway:Audit</c> says about entries' payloads: how long they are kept
/// (<c>RetainPayloads</c>; headers are kept for ever, so the chain still verifies) and the key of
/// the request fingerprint they carry (<c>RequestHashKey</c>, a secret reference; without one, the
/// embedded store's key file in the data folder).
/// </summary>
/// <param name="RetainPayloads">Payloads older than this are purged by the retention job; null keeps them.</param>
/// <param name="RequestHashKey">The HMAC key of <c>requestHmac</c>; null for the data folder's key file.</param>
public sealed record AuditPayloadOptions(TimeSpan? RetainPayloads, SecretReference? RequestHashKey)
{
    /// <summary>The settings this record reads from <c>McpGateway:Audit</c>.</summary>
    public static readonly string[] Keys = ["RetainPayloads", "RequestHashKey"];

    public static AuditPayloadOptions Default { get; } = new(null, null);

    public IEnumerable<SecretReference> Secrets => RequestHashKey is { } key ? [key] : [];

    /// <summary>Reads this record's settings of <paramref name="section"/>; unknown settings are the caller's to report.</summary>
    internal static AuditPayloadOptions Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        TimeSpan? retain = null;
        if (section["RetainPayloads"] is { Length: > 0 } text)
        {
            if (DurationText.TryParse(text, out var value) && value >= TimeSpan.FromHours(1))
            {
                retain = value;
            }
            else
            {
                errors.Add($"{section.Path}:RetainPayloads: '{text}' is not a duration of at least 1h such as 90d; payloads older than it are purged (headers stay).");
            }
        }

        var key = section["RequestHashKey"] is { Length: > 0 }
            ? SecretReference.Read(section.GetSection("RequestHashKey"), baseDirectory, errors, "the key of the requestHmac fingerprint in audit entries")
            : null;
        return new AuditPayloadOptions(retain, key);
    }
}
