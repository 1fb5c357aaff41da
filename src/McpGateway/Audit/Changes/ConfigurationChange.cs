using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Runtime;

namespace McpGateway.Audit.Changes;

/// <summary>Names added, removed and changed between two versions of one kind of thing.</summary>
public sealed record NameChanges(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed)
{
    public bool Any => Added.Count + Removed.Count + Changed.Count > 0;

    /// <summary>Compares two name → fingerprint maps.</summary>
    public static NameChanges Between(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) => new(
        [.. after.Keys.Where(k => !before.ContainsKey(k)).Order(StringComparer.Ordinal)],
        [.. before.Keys.Where(k => !after.ContainsKey(k)).Order(StringComparer.Ordinal)],
        [.. after.Where(p => before.TryGetValue(p.Key, out var old) && old != p.Value).Select(p => p.Key).Order(StringComparer.Ordinal)]);

    public JsonObject ToJson() => new()
    {
        ["added"] = Array(Added),
        ["removed"] = Array(Removed),
        ["changed"] = Array(Changed),
    };

    /// <summary>"a.yaml changed, b.yaml added".</summary>
    public string Describe() => string.Join(", ", Changed.Select(n => $"{n} changed").Concat(Added.Select(n => $"{n} added")).Concat(Removed.Select(n => $"{n} removed")));

    internal static JsonArray Array(IEnumerable<string> names) => [.. names.Select(n => (JsonNode?)JsonValue.Create(n))];
}

/// <summary>
/// What a successful reload changed, by name only — the bundle's revision and files, the
/// configuration file, secret files (their references, never values), targets, identities and
/// groups: the payload of <c>config.reloaded</c> and the reload's log line.
/// </summary>
public sealed record ConfigurationChange(
    string FromRevision,
    string ToRevision,
    NameChanges PolicyFiles,
    bool ConfigurationFile,
    IReadOnlyList<string> Secrets,
    NameChanges Targets,
    NameChanges Identities,
    NameChanges Groups)
{
    public bool BundleChanged => FromRevision != ToRevision;

    /// <summary>
    /// The change from <paramref name="before"/> to <paramref name="after"/>, given the files whose
    /// size or write time changed (<paramref name="touchedFiles"/>, absolute paths).
    /// </summary>
    public static ConfigurationChange Between(RuntimeSnapshot before, RuntimeSnapshot after, IReadOnlySet<string> touchedFiles)
    {
        var secrets = before.Configuration.SecretReferences.Concat(after.Configuration.SecretReferences)
            .Where(r => r.Source == SecretSource.File && touchedFiles.Contains(r.Location))
            .Select(r => r.Text)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new ConfigurationChange(
            before.Revision,
            after.Revision,
            NameChanges.Between(Files(before), Files(after)),
            touchedFiles.Contains(after.Configuration.SourceFile) || touchedFiles.Contains(before.Configuration.SourceFile),
            secrets,
            NameChanges.Between(TargetHashes(before.Configuration), TargetHashes(after.Configuration)),
            NameChanges.Between(IdentityShapes(before.Configuration), IdentityShapes(after.Configuration)),
            NameChanges.Between(before.Configuration.Groups.ToDictionary(g => g.Key, g => g.Value.ProviderGroupId ?? string.Empty), after.Configuration.Groups.ToDictionary(g => g.Key, g => g.Value.ProviderGroupId ?? string.Empty)));
    }

    public JsonObject ToJson() => new()
    {
        ["revision"] = new JsonObject { ["from"] = FromRevision, ["to"] = ToRevision },
        ["bundleChanged"] = BundleChanged,
        ["changed"] = new JsonObject
        {
            ["policyFiles"] = PolicyFiles.ToJson(),
            ["configurationFile"] = ConfigurationFile,
            ["secrets"] = NameChanges.Array(Secrets),
            ["targets"] = Targets.ToJson(),
            ["identities"] = Identities.ToJson(),
            ["groups"] = Groups.ToJson(),
        },
    };

    /// <summary>One sentence for the log: what changed, and the bundle's revision (changed or not).</summary>
    public string Describe()
    {
        var parts = new List<string>();
        parts.Add(BundleChanged
            ? $"policy bundle revision {FromRevision[..12]} → {ToRevision[..12]}{(PolicyFiles.Any ? $" ({PolicyFiles.Describe()})" : string.Empty)}"
            : $"policy bundle unchanged (revision {ToRevision[..12]})");
        if (ConfigurationFile)
        {
            parts.Add("configuration file changed");
        }

        parts.AddRange(Secrets.Select(s => $"secret {s} changed"));
        foreach (var (what, changes) in (ReadOnlySpan<(string, NameChanges)>)[("targets", Targets), ("identities", Identities), ("groups", Groups)])
        {
            if (changes.Any)
            {
                parts.Add($"{what}: {changes.Describe()}");
            }
        }

        return string.Join("; ", parts);
    }

    private static Dictionary<string, string> Files(RuntimeSnapshot snapshot) =>
        snapshot.Engine.Current.Bundle.Sources.ToDictionary(s => s.Name, s => Convert.ToHexStringLower(SHA256.HashData(s.Content)), StringComparer.Ordinal);

    private static Dictionary<string, string> TargetHashes(GatewayConfiguration configuration) =>
        configuration.Targets.SelectMany(kind => kind.Value.Values.Select(t => (Name: $"{kind.Key}/{t.Name}", t.ConfigurationHash)))
            .ToDictionary(t => t.Name, t => t.ConfigurationHash, StringComparer.Ordinal);

    private static Dictionary<string, string> IdentityShapes(GatewayConfiguration configuration) =>
        configuration.Identities.ToDictionary(
            i => i.Key,
            i => $"{string.Join(',', i.Value.Groups.Order(StringComparer.Ordinal))}|{string.Join(',', i.Value.Roles.Order(StringComparer.Ordinal))}|{i.Value.Owner}",
            StringComparer.Ordinal);
}
