using McpGateway.Policies.Masking;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>
/// Reads a bundle file's <c>masking:</c> section into <see cref="MaskingOptions"/>, every part with
/// its file, line and column, so the engine's validation names where a mistake was written:
/// <code>
/// masking:
///   profiles:
///     pii:
///       detectors: [email, { detector: payment_card, strategy: partial }]
///       columns:   [{ name: "*email*", strategy: token }, { column: public.customers.ssn }]
///       paths:     [{ path: "$.data.*" }]
/// </code>
/// </summary>
internal sealed class MaskingSectionParser(YamlReader reader)
{
    private static readonly string[] SectionKeys = ["profiles"];
    private static readonly string[] ProfileKeys = ["detectors", "columns", "paths", "description"];
    private static readonly string[] DetectorKeys = ["detector", "strategy"];
    private static readonly string[] ColumnKeys = ["name", "column", "strategy"];
    private static readonly string[] PathKeys = ["path", "strategy"];

    /// <summary>Adds the section's profiles to <paramref name="options"/>; a profile defined twice in the bundle is an error.</summary>
    public void Parse(YamlNode section, MaskingOptions options)
    {
        if (reader.Mapping(section, "'masking'") is not { } mapping)
        {
            return;
        }

        foreach (var (_, _, profiles) in reader.Entries(mapping, "'masking'", SectionKeys))
        {
            if (reader.Mapping(profiles, "'masking.profiles'") is not { } byName)
            {
                continue;
            }

            foreach (var (name, nameNode, body) in reader.Entries(byName, "'masking.profiles'", null))
            {
                if (options.Profiles.TryGetValue(name, out var existing))
                {
                    reader.Error(nameNode, $"Masking profile '{name}' is already defined at {existing.Location}; define each profile once.");
                    continue;
                }

                if (Profile(name, body) is { } profile)
                {
                    profile.Location = reader.At(nameNode);
                    options.Profiles[name] = profile;
                }
            }
        }
    }

    private MaskingProfileOptions? Profile(string name, YamlNode body)
    {
        if (reader.Mapping(body, $"Masking profile '{name}'") is not { } mapping)
        {
            return null;
        }

        var profile = new MaskingProfileOptions();
        foreach (var (key, _, value) in reader.Entries(mapping, $"masking profile '{name}'", ProfileKeys))
        {
            switch (key)
            {
                case "detectors":
                    foreach (var item in Items(value, $"'detectors' of profile '{name}'"))
                    {
                        profile.Detectors.Add(item is YamlScalarNode
                            ? new MaskingDetectorOptions { Location = reader.At(item), Detector = reader.Scalar(item, "A detector") }
                            : Fill(item, DetectorKeys, "a detector", (d, k, v) => { if (k == "detector") { d.Detector = v; } else { d.Strategy = v; } }, new MaskingDetectorOptions { Location = reader.At(item) }));
                    }

                    break;
                case "columns":
                    foreach (var item in Items(value, $"'columns' of profile '{name}'"))
                    {
                        profile.Columns.Add(Fill(item, ColumnKeys, "a column rule", (c, k, v) =>
                        {
                            switch (k)
                            {
                                case "name": c.Name = v; break;
                                case "column": c.Column = v; break;
                                default: c.Strategy = v; break;
                            }
                        }, new MaskingColumnRuleOptions { Location = reader.At(item) }));
                    }

                    break;
                case "paths":
                    foreach (var item in Items(value, $"'paths' of profile '{name}'"))
                    {
                        profile.Paths.Add(Fill(item, PathKeys, "a path rule", (p, k, v) => { if (k == "path") { p.Path = v; } else { p.Strategy = v; } }, new MaskingPathRuleOptions { Location = reader.At(item) }));
                    }

                    break;
            }
        }

        return profile;
    }

    private IEnumerable<YamlNode> Items(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children;
        }

        reader.Error(node, $"{what} must be a list, not {YamlReader.Describe(node)}.");
        return [];
    }

    private T Fill<T>(YamlNode item, string[] keys, string what, Action<T, string, string?> set, T target)
    {
        if (reader.Mapping(item, $"Each {what}") is { } mapping)
        {
            foreach (var (key, _, value) in reader.Entries(mapping, what, keys))
            {
                set(target, key, reader.Scalar(value, $"'{key}' of {what}"));
            }
        }

        return target;
    }
}
