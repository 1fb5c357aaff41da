using System.Globalization;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Configuration;

/// <summary>
/// <c>McpGateway:Audit:Checkpoints</c>: when <c>serve</c> signs the chain head.
/// </summary>
/// <param name="Every">A checkpoint after this many entries that no checkpoint covers yet.</param>
/// <param name="Interval">A checkpoint at least this often while entries arrive (and one at shutdown).</param>
public sealed record CheckpointOptions(int Every, TimeSpan Interval)
{
    public static CheckpointOptions Default { get; } = new(1000, TimeSpan.FromMinutes(1));
}

/// <summary>
/// <c>McpGateway:Audit</c>: the signing key of checkpoints (a secret reference to a PEM PKCS#8
/// ECDSA P-256 key; on the embedded store a key is created when none is configured), the
/// checkpoint log outside the store (JSON Lines; it belongs on other storage than the store)
/// and when checkpoints are taken.
/// </summary>
/// <param name="SigningKey">The configured key, or null for the embedded store's own key file.</param>
/// <param name="CheckpointLog">The absolute path of the checkpoint log.</param>
/// <param name="CheckpointLogConfigured">Whether the log's path was configured (else it is the data folder's default).</param>
/// <param name="Checkpoints">When checkpoints are taken.</param>
public sealed record AuditOptions(SecretReference? SigningKey, string CheckpointLog, bool CheckpointLogConfigured, CheckpointOptions Checkpoints)
{
    /// <summary>The checkpoint log's file name in the data folder when none is configured.</summary>
    public const string DefaultCheckpointLogName = "audit-checkpoints.jsonl";

    public static AuditOptions Default(string dataDirectory) =>
        new(null, Path.Combine(dataDirectory, DefaultCheckpointLogName), false, CheckpointOptions.Default);

    /// <summary>Where the chain is forwarded (<c>Audit:Forwarding</c>); null when forwarding is off.</summary>
    public ForwardingOptions? Forwarding { get; init; }

    public IEnumerable<SecretReference> Secrets => (SigningKey is { } key ? [key] : Enumerable.Empty<SecretReference>()).Concat(Forwarding?.Secrets ?? []);

    /// <summary>The settings of <c>McpGateway:Audit</c> these options read.</summary>
    public static readonly string[] Keys = ["SigningKey", "CheckpointLog", "Checkpoints", "Forwarding"];

    internal static AuditOptions Read(IConfigurationSection section, string baseDirectory, string dataDirectory, List<string> errors)
    {
        var key = section["SigningKey"] is { Length: > 0 }
            ? SecretReference.Read(section.GetSection("SigningKey"), baseDirectory, errors, "the checkpoint signing key is a PEM PKCS#8 ECDSA P-256 private key")
            : null;
        var log = section["CheckpointLog"] is { Length: > 0 } path ? Path.GetFullPath(path, baseDirectory) : null;
        return new AuditOptions(key, log ?? Path.Combine(dataDirectory, DefaultCheckpointLogName), log is not null, ReadCheckpoints(section.GetSection("Checkpoints"), errors))
        {
            Forwarding = ForwardingOptions.Read(section.GetSection("Forwarding"), baseDirectory, errors),
        };
    }

    private static CheckpointOptions ReadCheckpoints(IConfigurationSection section, List<string> errors)
    {
        string[] known = ["Every", "Interval"];
        foreach (var unknown in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{unknown.Path}: unknown setting; known settings are {string.Join(", ", known)}.");
        }

        var defaults = CheckpointOptions.Default;
        var every = defaults.Every;
        if (section["Every"] is { Length: > 0 } count
            && (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out every) || every < 1))
        {
            errors.Add($"{section.Path}:Every: '{count}' is not a whole number of entries of at least 1.");
            every = defaults.Every;
        }

        var interval = defaults.Interval;
        if (section["Interval"] is { Length: > 0 } text && (!DurationText.TryParse(text, out interval) || interval <= TimeSpan.Zero))
        {
            errors.Add($"{section.Path}:Interval: '{text}' is not a positive duration such as 30s, 1m or 1h.");
            interval = defaults.Interval;
        }

        return new CheckpointOptions(every, interval);
    }
}
